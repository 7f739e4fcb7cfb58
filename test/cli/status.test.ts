// `status` shows the sync state kept in the database.
import { expect, it } from 'vitest';
import { DEMO_TOKEN } from '../../src/simulator/index.ts';
import { runCli } from '../fixtures/cli.ts';
import { useTestDatabase } from '../fixtures/database.ts';
import { useSimulator } from '../fixtures/sync.ts';

const db = useTestDatabase();
const sim = useSimulator({ world: { total: 300 } });

it('says "never synced" before any sync, then shows the last session', async () => {
  const before = runCli(['status'], { DATABASE_URL: db.url });
  expect((await before.exited).code).toBe(0);
  expect(before.lines.map((l) => l.msg).join('\n')).toContain('state:            never synced');

  const sync = runCli(['sync', '--once'], { DATABASE_URL: db.url, BASE_API_URL: sim.url, BASE_ACCESS_TOKEN: DEMO_TOKEN });
  expect((await sync.exited).code).toBe(0);

  const after = runCli(['status', '--json'], { DATABASE_URL: db.url });
  expect((await after.exited).code).toBe(0);
  const status = JSON.parse(after.lines.map((l) => (typeof l === 'object' && 'msg' in l && Object.keys(l).length === 1 ? l.msg : JSON.stringify(l))).join('\n'));
  expect(status).toMatchObject({ state: 'idle', itemsSynced: '300', failedObjectsPending: 0, lastError: null, failedObjects: [] });
});
