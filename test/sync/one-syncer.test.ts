// Two gateway processes on one database: only one syncs; kill it and the other takes over.
import { randomUUID } from 'node:crypto';
import { expect, it } from 'vitest';
import { DEMO_TOKEN } from '../../src/simulator/index.ts';
import { runCli, type CliProcess } from '../fixtures/cli.ts';
import { useTestDatabase } from '../fixtures/database.ts';
import { useSimulator } from '../fixtures/sync.ts';
import { eventually } from '../fixtures/gateway.ts';
import { withClient } from '../fixtures/mirror.ts';

const db = useTestDatabase();
const sim = useSimulator({ world: { total: 500 }, seed: 9, ackDelayMs: 0 });

const isSyncer = (l: { msg?: string }) => l.msg === 'this process is the syncer';
const isStandby = (l: { msg?: string }) => String(l.msg).startsWith('another process is the syncer');

async function leadStored(id: number): Promise<boolean> {
  return withClient(db.url, async (c) => (await c.query('SELECT 1 FROM leads WHERE id = $1', [id])).rowCount === 1);
}


it('elects one syncer and fails over when it dies', async () => {
  const env = {
    DATABASE_URL: db.url,
    BASE_API_URL: sim.url,
    BASE_ACCESS_TOKEN: DEMO_TOKEN,
    BASE_DEVICE_UUID: randomUUID(),
    PORT: '0',
    SYNC_INTERVAL_MS: '200',
  };
  const a = runCli(['start'], env);
  await a.waitFor(isSyncer);
  const b = runCli(['start'], env);
  await b.waitFor(isStandby);

  const [first] = sim.changes([{ op: 'create', type: 'lead', data: { first_name: 'Before' } }]);
  await eventually(() => leadStored(first!.id), 20_000);
  expect(b.lines.some(isSyncer), 'the standby never syncs while the syncer lives').toBe(false);

  a.child.kill('SIGKILL');
  await a.exited;
  await b.waitFor(isSyncer);
  const [second] = sim.changes([{ op: 'create', type: 'lead', data: { first_name: 'After' } }]);
  await eventually(() => leadStored(second!.id), 20_000);

  b.child.kill('SIGTERM');
  expect((await (b as CliProcess).exited).code).toBe(0);
});
