// Postgres stopped for 10 s and started again, once in each phase of the sync: idle between
// sessions, in the middle of a session, during an ack, and while a standby polls. Meanwhile
// /readyz/sync turns 503 once the stall time has passed and syncStatus says why (the process
// running the engine knows, though the database is down); afterwards a new upstream object
// arrives, and the standby can still take over.
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startApp, type App } from '../../src/app.ts';
import { createPrismaClient, type PrismaClient } from '../../src/db/client.ts';
import { loadConfig } from '../../src/config.ts';
import { createLogger, silentLogger } from '../../src/logger.ts';
import { DEMO_TOKEN } from '../../src/simulator/index.ts';
import { createSyncEngine, type SyncEngine } from '../../src/sync/engine.ts';
import { eventually } from '../fixtures/gateway.ts';
import { withClient } from '../fixtures/mirror.ts';
import { useOwnPostgres } from '../fixtures/own-postgres.ts';
import { useSimulator } from '../fixtures/sync.ts';

/** How long each outage lasts (the figure); the stall time is much shorter. */
const OUTAGE_MS = 10_000;
const STALL_SECONDS = 2;

const postgres = useOwnPostgres();
let stopOnNextAck = false;
let stoppedOnAck: Promise<void> | undefined;
const sim = useSimulator({
  world: { total: 400 },
  seed: 21,
  ackDelayMs: 0,
  onAck: async () => {
    if (!stopOnNextAck) return;
    stopOnNextAck = false;
    stoppedOnAck = postgres.stop();
    await stoppedOnAck;
  },
});
let app: App;
/** A gateway that does not sync: it reads sync_state, and says when it cannot. */
let reader: App;
let standby: SyncEngine;
let standbyPrisma: PrismaClient;

beforeAll(async () => {
  const env = {
    DATABASE_URL: postgres.url,
    PORT: '0',
    BASE_API_URL: sim.url,
    BASE_ACCESS_TOKEN: DEMO_TOKEN,
    SYNC_INTERVAL_MS: '200',
    SYNC_STALL_SECONDS: String(STALL_SECONDS),
    SYNC_FAILOVER_SECONDS: '3',
  };
  app = await startApp({ config: loadConfig(env), logger: process.env.TEST_LOG ? createLogger({ level: 'debug' }) : silentLogger() });
  await eventually(() => app.sync?.role === 'syncer', 30_000);
  await eventually(async () => (await syncStatus()).state === 'IDLE', 30_000);
  reader = await startApp({ config: loadConfig({ ...env, PORT: '0' }), logger: silentLogger(), sync: false });
  standbyPrisma = createPrismaClient({ databaseUrl: postgres.url, poolSize: 2 });
  standby = createSyncEngine({
    prisma: standbyPrisma,
    databaseUrl: postgres.url,
    baseUrl: sim.url,
    token: DEMO_TOKEN,
    deviceUuid: app.sync!.deviceUuid!,
    userAgent: 'base-sync-gateway-tests',
    intervalMs: 200,
    failoverMs: 3000,
    stallMs: STALL_SECONDS * 1000,
    logger: silentLogger(),
  });
  void standby.run();
  await eventually(() => standby.role === 'standby');
}, 120_000);

afterAll(async () => {
  await standby?.stop();
  await standbyPrisma?.$disconnect();
  await reader?.close();
  await app?.close();
});

async function syncStatus(gateway: App = app): Promise<{ state: string; lastError: string | null; lagSeconds: number | null }> {
  const res = await fetch(`${gateway.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: '{ syncStatus { state lastError lagSeconds } }' }),
  });
  const body = (await res.json()) as { data?: { syncStatus: { state: string; lastError: string | null; lagSeconds: number | null } }; errors?: unknown };
  expect(body.errors, JSON.stringify(body.errors)).toBeUndefined();
  return body.data!.syncStatus;
}

const leadStored = (id: number) => withClient(postgres.url, async (c) => (await c.query('SELECT 1 FROM leads WHERE id = $1', [id])).rowCount === 1);

/**
 * The outage: Postgres down (stopped by `stop`, default now) for OUTAGE_MS; meanwhile the
 * gateway says the sync is stalled and why; then it comes back and a new object arrives.
 */
async function outage(stop: () => Promise<void> = () => postgres.stop()): Promise<void> {
  expect((await fetch(`${app.url}/readyz`)).status).toBe(200);
  expect((await fetch(`${reader.url}/readyz/sync`)).status).toBe(200);
  await stop();
  const down = Date.now();
  try {
    await meanwhile(down);
  } finally {
    await postgres.start();
  }
  const [lead] = sim.changes([{ op: 'create', type: 'lead', data: { first_name: 'After the outage' } }]);
  await eventually(() => leadStored(lead!.id), 40_000);
  await eventually(async () => (await fetch(`${app.url}/readyz/sync`)).status === 200, 10_000);
  expect((await fetch(`${app.url}/readyz`)).status).toBe(200);
  for (const engine of [app.sync!, standby]) expect(['syncer', 'standby', 'starting']).toContain(engine.role);
}

/** While Postgres is down: stalled, and said so; for the outage's full length. */
async function meanwhile(down: number): Promise<void> {
  const sync = await eventually(async () => {
    const res = await fetch(`${app.url}/readyz/sync`);
    return res.status === 503 ? ((await res.json()) as Record<string, unknown>) : undefined;
  }, OUTAGE_MS);
  expect(sync).toMatchObject({ status: 'not ready', state: 'stalled', reason: 'database_unreachable' });
  expect(sync.lagSeconds as number).toBeGreaterThanOrEqual(STALL_SECONDS);
  const status = await syncStatus();
  expect(status.state).toBe('STALLED');
  expect(status.lastError).toMatch(/database/);
  // The gateway that only reads sync_state says it cannot, once it too has seen no progress for the stall time.
  const told = await eventually(async () => {
    const res = await fetch(`${reader.url}/readyz/sync`);
    return res.status === 503 ? ((await res.json()) as Record<string, unknown>) : undefined;
  }, OUTAGE_MS);
  expect(told).toMatchObject({ state: 'stalled', reason: 'database_unreachable' });
  expect((await syncStatus(reader)).lastError).toBe('this process cannot reach the database');
  // Short reason codes only, never the driver's words.
  const ready = await fetch(`${app.url}/readyz`);
  expect(ready.status).toBe(503);
  expect(await ready.json()).toEqual({ status: 'not ready', database: 'unreachable', migrations: 'ok' });
  expect((await fetch(`${app.url}/metrics`)).status).toBe(200);

  // The outage lasts its full length however soon the above was seen.
  await sleep(Math.max(0, OUTAGE_MS - (Date.now() - down)));
}

it('survives an outage while idle between sessions', { timeout: 90_000 }, async () => {
  await eventually(async () => (await syncStatus()).state === 'IDLE');
  await outage();
});

it('survives an outage in the middle of a session', { timeout: 90_000 }, async () => {
  // Slow pages: a session of 1,500 items lasts long enough to be cut in the middle.
  sim.setFaults({ latencyMs: 150 });
  sim.changes(Array.from({ length: 1500 }, (_, i) => ({ op: 'create' as const, type: 'contact', data: { name: `Contact ${i}` } })));
  const syncer = () => [app.sync!, standby].find((e) => e.role === 'syncer')!;
  await eventually(() => {
    const record = syncer()?.status().record;
    return record?.state === 'syncing' && record.itemsSynced > 0n && (record.countLeft ?? 0n) > 0n;
  }, 30_000);
  await outage();
  sim.setFaults({});
});

it('survives an outage that starts during an ack', { timeout: 90_000 }, async () => {
  await outage(async () => {
    stopOnNextAck = true;
    sim.changes(Array.from({ length: 30 }, (_, i) => ({ op: 'create' as const, type: 'lead', data: { first_name: `Acked ${i}` } })));
    await eventually(() => stoppedOnAck !== undefined, 20_000);
    await stoppedOnAck;
  });
});

it('survives an outage while a standby polls, and the standby can still take over', { timeout: 120_000 }, async () => {
  await eventually(() => [app.sync!, standby].some((e) => e.role === 'standby') && [app.sync!, standby].some((e) => e.role === 'syncer'));
  await outage();
  // Whichever leads now steps down; the other takes over and syncs.
  await eventually(() => [app.sync!, standby].some((e) => e.role === 'syncer'), 20_000);
  const leader = [app.sync!, standby].find((e) => e.role === 'syncer')!;
  const other = leader === standby ? app.sync! : standby;
  await eventually(() => other.role === 'standby', 20_000);
  await leader.stop();
  await eventually(() => other.role === 'syncer', 20_000);
  const [lead] = sim.changes([{ op: 'create', type: 'lead', data: { first_name: 'Taken over' } }]);
  await eventually(() => leadStored(lead!.id), 30_000);
});
