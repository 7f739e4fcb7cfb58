// A token Base refuses stops `sync --once` with a clear message that never shows the token,
// and the error is recorded in sync_state.
import { expect, it } from 'vitest';
import { runCli } from '../fixtures/cli.ts';
import { useTestDatabase } from '../fixtures/database.ts';
import { useSimulator } from '../fixtures/sync.ts';
import { withClient } from '../fixtures/mirror.ts';

const db = useTestDatabase();
const sim = useSimulator({ world: { total: 10 } });

it('exits non-zero naming the problem, not the token', async () => {
  const wrong = 'f'.repeat(64);
  const run = runCli(['sync', '--once'], { DATABASE_URL: db.url, BASE_API_URL: sim.url, BASE_ACCESS_TOKEN: wrong });
  const { code } = await run.exited;
  expect(code).not.toBe(0);
  const output = JSON.stringify(run.lines) + run.stderr();
  expect(output).toContain('Base refused the access token (401');
  expect(output).toContain('BASE_ACCESS_TOKEN');
  expect(output).not.toContain(wrong);

  const state = await withClient(db.url, async (c) => (await c.query('SELECT state, last_error FROM sync_state')).rows[0]);
  expect(state.state).toBe('error');
  expect(state.last_error).toContain('refused the access token');
  expect(state.last_error).not.toContain(wrong);
});
