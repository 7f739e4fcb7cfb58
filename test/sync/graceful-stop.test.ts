// SIGTERM during a long sync: the process stops promptly, after the page in hand is
// committed and acked (never half a page), and the next run finishes the job.
import { randomUUID } from 'node:crypto';
import { expect, it } from 'vitest';
import { isResourceType, TABLES } from '../../src/resource-types.ts';
import { DEMO_TOKEN } from '../../src/simulator/index.ts';
import { runCli } from '../fixtures/cli.ts';
import { useTestDatabase } from '../fixtures/database.ts';
import { useSimulator } from '../fixtures/sync.ts';
import { eventually } from '../fixtures/gateway.ts';
import { expectChangeLogConsistent, expectMirrorEqualsTruth, parseAckKey, withClient } from '../fixtures/mirror.ts';

const db = useTestDatabase();
const acked: string[] = [];

// Slow pages keep the session long enough to be interrupted in the middle.
const sim = useSimulator({ world: { total: 6_000 }, seed: 5, ackDelayMs: 0, faults: { latencyMs: 40 }, onAck: (_d, keys) => void acked.push(...keys) });

it('stops between pages and resumes on the next run', async () => {
  const env = { DATABASE_URL: db.url, BASE_API_URL: sim.url, BASE_ACCESS_TOKEN: DEMO_TOKEN, BASE_DEVICE_UUID: randomUUID() };
  const run = runCli(['sync', '--once'], env);
  await run.waitFor((l) => String(l.msg).startsWith('sync session started'));
  // Stop it in the middle: after a few pages, long before the last.
  await eventually(() => acked.length >= 300);
  run.child.kill('SIGTERM');
  const { code } = await run.exited;
  expect(code).toBe(130);

  // Everything acked was stored; the mirror holds whole pages only (a multiple of the page size).
  expect(acked.length % 100).toBe(0);
  await withClient(db.url, async (c) => {
    for (const key of acked) {
      const { type, id } = parseAckKey(key);
      const table = isResourceType(type) ? `"${TABLES[type]}" WHERE id = $1` : `other_resources WHERE type = '${type}' AND id = $1`;
      expect((await c.query(`SELECT 1 FROM ${table}`, [id])).rowCount, key).toBe(1);
    }
    const stored = (await c.query('SELECT count(*)::int AS n FROM change_events')).rows[0].n;
    expect(stored).toBe(acked.length);
    expect((await c.query('SELECT state FROM sync_state')).rows[0].state).toBe('stopped');
  });

  sim.setFaults({});
  const again = runCli(['sync', '--once'], env);
  expect((await again.exited).code).toBe(0);
  await expectMirrorEqualsTruth(db.url, sim);
  await expectChangeLogConsistent(db.url);
});
