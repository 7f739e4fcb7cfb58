// `npm run chaos [-- --minutes 5]`: two gateway processes on one database (an embedded Postgres
// started here, so that it can be restarted) sync from the simulator for N minutes, with live
// activity and the simulator's faults on, while at random moments Postgres restarts, the syncer
// is killed (SIGKILL), its lock connection is terminated, it is paused (SIGSTOP, then SIGCONT),
// and odd items (NUL characters, lone surrogates, impossible dates) are sent upstream. A
// subscriber follows every change, moving to the other gateway with its cursor when its own
// goes away. At the end the run drains, compares the mirror with the truth and the change log
// with what the mirror went through, and prints one JSON line, last.
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { createClient, type Client } from 'graphql-ws';
import pg from 'pg';
import WebSocket from 'ws';
import { startEmbeddedPostgres, type EmbeddedPostgresHandle } from '../../src/db/embedded-postgres.ts';
import { applyMigrations } from '../../src/db/migrations.ts';
import { silentLogger } from '../../src/logger.ts';
import { createSimulator, DEMO_TOKEN, type Change } from '../../src/simulator/index.ts';
import { checkChangeLog, checkSubscriber, compareMirror } from './compare.ts';
import { startGateway, type Gateway } from './gateways.ts';

const { values: args } = parseArgs({
  options: {
    minutes: { type: 'string', default: '5' },
    seed: { type: 'string', default: '1' },
    objects: { type: 'string', default: '3000' },
    activity: { type: 'string', default: '5' },
    'no-odd-items': { type: 'boolean', default: false },
    'drain-minutes': { type: 'string', default: '3' },
  },
});
const minutes = Number(args.minutes);
if (!(minutes > 0)) throw new Error('--minutes must be a positive number');
const oddItems = !args['no-odd-items'];

const log = (text: string) => process.stdout.write(`[chaos ${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s] ${text}\n`);
const started = Date.now();
const pick = <T>(list: readonly T[]): T => list[Math.floor(Math.random() * list.length)]!;
const between = (min: number, max: number) => min + Math.random() * (max - min);

// ------------------------------------------------------------------ the world

const dataDir = await mkdtemp(path.join(tmpdir(), 'bsg-chaos-'));
let postgres: EmbeddedPostgresHandle | undefined = await startEmbeddedPostgres({ dataDir: path.join(dataDir, 'postgres'), logger: silentLogger() });
const databaseUrl = postgres.url;
const port = postgres.port;
await applyMigrations({ databaseUrl, logger: silentLogger() });

const sim = createSimulator({ seed: Number(args.seed), world: { total: Number(args.objects) }, activityPerSecond: Number(args.activity), ackDelayMs: 50 });
await sim.listen(0);
const SIM_FAULTS = {
  serverErrors: { start: 0.02, queue: 0.02, ack: 0.02 },
  rateLimit: 0.02,
  retryAfterSeconds: 1,
  latencyMs: 5,
  connectionReset: 0.01,
  malformedJson: 0.01,
  emptyPages: 0.03,
  failedObjects: 0.005,
  phantomDeletes: 0.2,
  sessionExpiry: 0.005,
};
sim.setFaults(SIM_FAULTS);

const STALL_SECONDS = 60;
const deviceUuid = randomUUID();
const problems: string[] = [];
const env = {
  DATABASE_URL: databaseUrl,
  BASE_API_URL: sim.url,
  BASE_ACCESS_TOKEN: DEMO_TOKEN,
  BASE_DEVICE_UUID: deviceUuid,
  PORT: '0',
  SYNC_INTERVAL_MS: '500',
  SYNC_STALL_SECONDS: String(STALL_SECONDS),
  SYNC_FAILOVER_SECONDS: '10',
};
const gateways: Gateway[] = ['a', 'b'].map((name) =>
  startGateway({
    name,
    env,
    onLine: (gateway, line) => {
      const msg = String(line.msg).trim().split('\n')[0]!;
      if ((line.level ?? 0) >= 50) problems.push(`${gateway}: ${msg}`);
      if (msg.includes('syncer')) log(`gateway ${gateway}: ${msg}`);
    },
  }),
);

async function admin<T>(run: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: 5000 });
  client.on('error', () => undefined);
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

// ------------------------------------------------------------------ the subscriber

/** Cursors received, in order (duplicates kept: they are counted). */
const seen: string[] = [];
let subscriber: { client: Client; gateway: Gateway } | undefined;
let resubscribing = false;

/** Subscribes to every change from the last cursor on a gateway that is up; again whenever it ends. */
async function subscribe(): Promise<void> {
  if (resubscribing || stopping) return;
  resubscribing = true;
  try {
    for (;;) {
      const up = gateways.filter((g) => g.url && !g.paused && g !== subscriber?.gateway);
      const gateway = up[0] ?? gateways.find((g) => g.url && !g.paused);
      if (gateway?.url) {
        const client = createClient({ url: `${gateway.url.replace('http', 'ws')}/graphql`, webSocketImpl: WebSocket, retryAttempts: 0 });
        subscriber = { client, gateway };
        client.subscribe<{ changes: { cursor: string } }>(
          { query: 'subscription ($after: String) { changes(after: $after) { cursor } }', variables: { after: seen.at(-1) ?? '0' } },
          {
            next: ({ data }) => void (data && seen.push(data.changes.cursor)),
            error: () => void Promise.resolve(client.dispose()).finally(() => void subscribe()),
            complete: () => void Promise.resolve(client.dispose()).finally(() => void subscribe()),
          },
        );
        return;
      }
      await sleep(500);
    }
  } finally {
    resubscribing = false;
  }
}

// ------------------------------------------------------------------ the faults

const faults: Record<string, number> = {};
const count = (kind: string) => (faults[kind] = (faults[kind] ?? 0) + 1);
const syncer = () => gateways.find((g) => g.syncer && !g.paused);

const ODD: Array<() => Change> = [
  () => ({ op: 'create', type: 'lead', data: { first_name: 'Nul\u0000Byte', last_name: 'Odd' } }),
  () => ({ op: 'create', type: 'contact', data: { name: 'lone \ud800 surrogate' } }),
  () => ({ op: 'create', type: 'deal', data: { name: 'Impossible date', created_at: '1', estimated_close_date: '2024-02-30' } }),
];

/** Each fault, applied; false when there was nothing to apply it to (no syncer right now). */
const FAULTS: Record<string, () => Promise<boolean>> = {
  async postgresRestart() {
    await postgres?.stop();
    postgres = undefined;
    await sleep(between(2000, 10_000));
    postgres = await startEmbeddedPostgres({ dataDir: path.join(dataDir, 'postgres'), port, logger: silentLogger() });
    return true;
  },
  async syncerKill() {
    const gateway = syncer();
    gateway?.kill();
    return gateway !== undefined;
  },
  async lockTerminate() {
    const { rowCount } = await admin((c) =>
      c.query(`SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND granted AND objsubid = 2 AND objid = hashtext($1)::oid`, [deviceUuid]),
    );
    return (rowCount ?? 0) > 0;
  },
  async syncerPause() {
    const gateway = syncer();
    if (!gateway) return false;
    gateway.pause();
    // Sometimes shorter than the failover time, sometimes longer.
    await sleep(between(3000, 20_000));
    gateway.resume();
    return true;
  },
  async oddItems() {
    sim.changes([pick(ODD)()]);
    return true;
  },
};

let stopping = false;
let maxStallSeconds = 0;

/** Every second: the best lag any gateway reports (a paused or dead one says nothing). */
async function watchStalls(): Promise<void> {
  while (!stopping) {
    const lags = await Promise.all(
      gateways.map(async (g) => {
        if (!g.url || g.paused) return undefined;
        try {
          const res = await fetch(`${g.url}/readyz/sync`, { signal: AbortSignal.timeout(1000) });
          return ((await res.json()) as { lagSeconds?: number | null }).lagSeconds ?? undefined;
        } catch {
          return undefined;
        }
      }),
    );
    const known = lags.filter((l): l is number => typeof l === 'number');
    const lag = known.length ? Math.min(...known) : 0;
    if (lag > maxStallSeconds) {
      // Told every 10 s more of it, with what each gateway says.
      if (lag > 10 && Math.floor(lag / 10) > Math.floor(maxStallSeconds / 10)) {
        log(`lag ${lag} s (${gateways.map((g, i) => `${g.name}${g.syncer ? ' (syncer)' : ''}: ${lags[i] ?? 'no answer'}`).join(', ')})`);
      }
      maxStallSeconds = lag;
    }
    await sleep(1000);
  }
}

// ------------------------------------------------------------------ the run

async function until(check: () => Promise<boolean> | boolean, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await sleep(1000);
  }
  return false;
}

try {
  if (!(await until(() => gateways.every((g) => g.url) && gateways.some((g) => g.syncer), 120_000))) throw new Error('the gateways did not come up');
  log(`gateways up (${gateways.map((g) => `${g.name}: ${g.url}`).join(', ')}); simulator at ${sim.url}`);
  await subscribe();
  const watching = watchStalls();

  const end = Date.now() + minutes * 60_000;
  const kinds = Object.keys(FAULTS).filter((kind) => oddItems || kind !== 'oddItems');
  while (Date.now() < end) {
    await sleep(Math.min(between(5000, 15_000), Math.max(0, end - Date.now())));
    if (Date.now() >= end) break;
    const kind = pick(kinds);
    log(`fault: ${kind}`);
    const applied = await FAULTS[kind]!().catch((error: unknown) => {
      log(`fault ${kind} could not be applied: ${(error as Error).message}`);
      return false;
    });
    if (applied) count(kind);
  }

  // Drain: faults and activity off, everything up, until the mirror equals the truth.
  log('draining');
  for (const g of gateways) if (g.paused) g.resume();
  postgres ??= await startEmbeddedPostgres({ dataDir: path.join(dataDir, 'postgres'), port, logger: silentLogger() });
  sim.setFaults({});
  sim.setActivity(0);
  const drained = await until(async () => {
    sim.flushAcks();
    if ((sim.pendingCount(deviceUuid) ?? 1) !== 0) return false;
    const mirror = await admin((c) => compareMirror(c, sim.objects())).catch(() => undefined);
    return mirror !== undefined && mirror.missing + mirror.stale + mirror.resurrected === 0;
  }, Number(args['drain-minutes']) * 60_000);
  if (!drained) log(`not drained within ${args['drain-minutes']} min: ${sim.pendingCount(deviceUuid)} items still queued upstream`);

  // The subscriber catches up with the log.
  const newest = await admin(async (c) => (await c.query<{ seq: string | null }>('SELECT max(seq)::text AS seq FROM change_events')).rows[0]!.seq);
  await until(() => newest === null || (seen.length > 0 && BigInt(seen.at(-1)!) >= BigInt(newest)) || !subscriber, 30_000);

  stopping = true;
  await watching;
  const [mirror, changeLog, received] = await admin(async (c) => [await compareMirror(c, sim.objects()), await checkChangeLog(c), await checkSubscriber(c, seen)] as const);
  for (const line of [...mirror.examples, ...changeLog.examples]) log(line);
  const logged = new Map<string, number>();
  for (const line of problems) logged.set(line.replace(/\d+ ms/, 'N ms'), (logged.get(line.replace(/\d+ ms/, 'N ms')) ?? 0) + 1);
  for (const [line, n] of [...logged].slice(0, 20)) log(`logged ${n}×: ${line}`);
  log(`change log: ${changeLog.events} events, ${changeLog.duplicated} repeated, ${changeLog.missing} objects whose events miss their state`);
  log(`subscriber: ${seen.length} events received, ${received.missing} missing, ${received.duplicated} twice`);
  if (oddItems && mirror.rejected === 0 && mirror.missing > 0) log('odd items were sent: without rejected_items (the poison-items work), they block the page that holds them');
  const verdict = {
    bench: 'chaos',
    minutes,
    faults,
    objects: mirror.objects,
    missing: mirror.missing,
    stale: mirror.stale,
    resurrected: mirror.resurrected,
    eventsMissing: changeLog.missing + received.missing,
    eventsDuplicated: changeLog.duplicated + received.duplicated,
    rejected: mirror.rejected,
    maxStallSeconds: Math.round(maxStallSeconds),
  };
  await subscriber?.client.dispose();
  await Promise.all(gateways.map((g) => g.stop()));
  await sim.close();
  await postgres?.stop();
  await rm(dataDir, { recursive: true, force: true });
  process.stdout.write(`${JSON.stringify(verdict)}\n`);
  process.exit(0);
} catch (error) {
  stopping = true;
  log(`chaos run failed: ${(error as Error).stack ?? String(error)}`);
  await Promise.all(gateways.map((g) => g.stop()));
  await sim.close();
  await postgres?.stop();
  await rm(dataDir, { recursive: true, force: true });
  process.exit(1);
}
