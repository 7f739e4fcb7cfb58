// First starts racing on an empty database end with one device UUID: two devices would mean two
// syncers for good, each with its own queue at Base.
import { expect, it } from 'vitest';
import { createPrismaClient } from '../../src/db/client.ts';
import { DEMO_TOKEN } from '../../src/simulator/index.ts';
import { resolveDeviceUuid } from '../../src/store/sync-state.ts';
import { runCli } from '../fixtures/cli.ts';
import { useTestDatabase } from '../fixtures/database.ts';
import { withClient } from '../fixtures/mirror.ts';
import { useSimulator } from '../fixtures/sync.ts';

const racing = useTestDatabase();
const twoProcesses = useTestDatabase();
const sim = useSimulator({ world: { total: 50 } });

const devices = (url: string) => withClient(url, async (c) => (await c.query<{ device_uuid: string }>('SELECT device_uuid FROM sync_state')).rows.map((r) => r.device_uuid));

it('gives every one of many concurrent first starts the same, single device', async () => {
  const clients = Array.from({ length: 8 }, () => createPrismaClient({ databaseUrl: racing.url, poolSize: 1 }));
  try {
    const resolved = await Promise.all(clients.map((prisma) => resolveDeviceUuid(prisma, undefined)));
    expect(new Set(resolved).size).toBe(1);
    expect(await devices(racing.url)).toEqual([resolved[0]]);
  } finally {
    await Promise.all(clients.map((prisma) => prisma.$disconnect()));
  }
});

it('ends with one device when two gateways start at once on an empty database', async () => {
  const env = { DATABASE_URL: twoProcesses.url, BASE_API_URL: sim.url, BASE_ACCESS_TOKEN: DEMO_TOKEN, PORT: '0' };
  const [a, b] = [runCli(['serve'], env), runCli(['serve'], env)];
  const engines = await Promise.all([a, b].map((p) => p.waitFor((l) => l.msg === 'sync engine starting')));
  expect(engines[0]!.deviceUuid).toBe(engines[1]!.deviceUuid);
  expect(await devices(twoProcesses.url)).toEqual([engines[0]!.deviceUuid]);
  await Promise.all([a.stop(), b.stop()]);
});
