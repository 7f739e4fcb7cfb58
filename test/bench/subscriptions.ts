// Subscriptions benchmark: one gateway process serving graphql-ws subscribers while upstream
// changes flow, measuring delivered / expected and the latency from each change's commit to
// each client's receipt. Two scenarios, each against a fresh gateway process:
//
//   broadcast  1,000 clients, all subscribed to `dealChanged`; 20 deal changes per second
//   filtered   5,000 clients, each subscribed to `dealChanged(where: { ownerId: { eq: <owner> } })`
//              for one of 50 owners (100 clients per owner); 50 deal changes per second,
//              round-robin over the 50 owners
//
// Goal for both: p99 under 200 ms, nothing lost, nothing duplicated.
//
// The parts: the gateway is a child process (`node bin/base-sync-gateway.js start`, syncing
// every SYNC_INTERVAL_MS from the simulator, which runs in this process on a 2,000-object world
// with 60 users); the clients run in another child (test/bench/subscriptions-clients.ts, raw
// `ws` speaking graphql-transport-ws); Postgres is embedded in a temporary folder (or a
// throwaway database on BENCH_DATABASE_URL). The machine has 2 cores: the gateway gets one,
// the rest (Postgres, simulator, clients) share the other.
//
// How a scenario runs: connect the clients; make probe changes (one per owner) until every
// client has received one (graphql-transport-ws does not acknowledge a subscribe: this is how
// we know every subscription is registered); the window opens after the newest event then.
// For SECONDS, change random existing deals at the rate (name, value and hot only: a deal's
// owner never changes, so who should receive an event is unambiguous); wait until the mirror
// holds the last revision of every changed deal, and the deliveries settle; read the window's
// deal events from change_events (seq, owner, occurred_at) and compare with what each client
// received (by cursor = seq). Latency = receipt time (client process, wall clock) − occurredAt
// (the change_events row's now(): the start of the mirror's transaction, ms precision), so it
// counts the mirror's write, NOTIFY, the change feed, execution and fan-out, but not the
// upstream poll.
//
// Where the time goes: a LISTEN of this process on the mirror's channel splits each event's
// latency into occurredAt → NOTIFY (the mirror's transaction), NOTIFY → the first client's
// receipt (change feed, matching, execution) and first → last client (fan-out); the CPU each
// process used while changes flowed, and the clients' event-loop delay, are printed too.
//
//   SUBS_BENCH_SECONDS=30              seconds of changes per scenario
//   SUBS_BENCH_SCENARIOS=broadcast,filtered
//   SUBS_BENCH_BROADCAST_CLIENTS=1000  SUBS_BENCH_FILTERED_CLIENTS=5000
//   SUBS_BENCH_SYNC_INTERVAL_MS=100    the gateway's SYNC_INTERVAL_MS
//   SUBS_BENCH_CPU_PROF=<dir>          write a CPU profile of each gateway process (--cpu-prof) there
//   BENCH_DATABASE_URL=postgresql://…  use that server instead of an embedded one
//
// The last line printed is one JSON object.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { createSimulator, DEMO_TOKEN, type Simulator } from '../../src/simulator/index.ts';
import { CHANGE_CHANNEL } from '../../src/store/change-log.ts';
import type { Analysis, ClientSpec, Command, Connected, Progress } from './subscriptions-clients.ts';
import { benchPostgres, machineBusySeconds, mb, processCpuSeconds, quantile, round, rssMB, runBench, startHelperProcess, type Cleanups } from './harness.ts';

const SECONDS = Number(process.env.SUBS_BENCH_SECONDS ?? 30);
const SCENARIO_NAMES = (process.env.SUBS_BENCH_SCENARIOS ?? 'broadcast,filtered').split(',').map((s) => s.trim());
const BROADCAST_CLIENTS = Number(process.env.SUBS_BENCH_BROADCAST_CLIENTS ?? 1000);
const FILTERED_CLIENTS = Number(process.env.SUBS_BENCH_FILTERED_CLIENTS ?? 5000);
const SYNC_INTERVAL_MS = Number(process.env.SUBS_BENCH_SYNC_INTERVAL_MS ?? 100);
const CPU_PROF_DIR = process.env.SUBS_BENCH_CPU_PROF;
const OWNERS = 50;
const SEED = 7;
/** The world: 60 users (50 of them own the filtered scenario's deals), 1,300 deals, ~2,000 objects. */
const WORLD = { user: 60, pipeline: 1, stage: 7, source: 8, loss_reason: 6, tag: 12, contact: 600, deal: 1300 };
const GOALS = { p99Ms: 200 };
/** Handshakes in flight at once while connecting. */
const CONNECT_CONCURRENCY = 100;

const here = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(here, '../..');

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

const BROADCAST_QUERY = `subscription Broadcast {
  dealChanged { cursor kind occurredAt node { baseId ownerId } }
}`;

const FILTERED_QUERY = `subscription OwnerDeals($owner: BigInt!) {
  dealChanged(where: { ownerId: { eq: $owner } }) { cursor kind occurredAt node { baseId ownerId } }
}`;

// ─── Small helpers ────────────────────────────────────────────────────────────────────────

/** mulberry32: deterministic choices of deals. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function percentiles(values: readonly number[]): { p50: number; p99: number; max: number } {
  const sorted = Float64Array.from(values).sort();
  return { p50: round(quantile(sorted, 0.5), 1), p99: round(quantile(sorted, 0.99), 1), max: round(quantile(sorted, 1), 1) };
}

const show = ({ p50, p99, max }: { p50: number; p99: number; max: number }) => `p50 ${p50} ms, p99 ${p99} ms, max ${max} ms`;

// ─── The gateway child ────────────────────────────────────────────────────────────────────

interface Gateway {
  pid: number;
  url: string;
  /** performance.now() when it was spawned (its CPU profile starts about then). */
  spawnedAt: number;
  /** warn and error log lines seen (the first few are printed). */
  readonly warnings: number;
  /** Lines printed more than once (stderr warnings, log lines), with their counts. */
  repeated(): string[];
  stop(): Promise<void>;
}

async function startGateway(databaseUrl: string, simulatorUrl: string, label: string): Promise<Gateway> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  // Nothing of this process' own configuration leaks into the gateway's.
  for (const key of ['GATEWAY_API_KEYS', 'DATA_DIR', 'BASE_DEVICE_UUID', 'SUBSCRIPTION_BUFFER', 'HOST', 'NODE_OPTIONS']) delete env[key];
  Object.assign(env, {
    DATABASE_URL: databaseUrl,
    BASE_API_URL: simulatorUrl,
    BASE_ACCESS_TOKEN: DEMO_TOKEN,
    PORT: '0',
    HOST: '127.0.0.1',
    SYNC_INTERVAL_MS: String(SYNC_INTERVAL_MS),
    LOG_LEVEL: 'info',
    // Every client connects without a key, from this machine: more than the default cap allows.
    WS_MAX_CONNECTIONS_PER_KEY: String(Math.max(BROADCAST_CLIENTS, FILTERED_CLIENTS) + 100),
  });
  // Node 20 refuses --cpu-prof in NODE_OPTIONS: it goes on the command line.
  const flags: string[] = [];
  if (CPU_PROF_DIR) {
    // One folder per gateway; Node names the files (one per thread: tsx's loader has its own).
    const dir = path.resolve(CPU_PROF_DIR, `gateway-${label}-${Date.now()}`);
    await mkdir(dir, { recursive: true });
    flags.push('--cpu-prof', `--cpu-prof-dir=${dir}`);
    console.log(`${label}: the gateway's CPU profiles go to ${dir}`);
  }
  const spawnedAt = performance.now();
  const child: ChildProcess = spawn(process.execPath, [...flags, path.join(ROOT, 'bin/base-sync-gateway.js'), 'start'], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let warnings = 0;
  // Each distinct line once (the first 20), with how often it came in the scenario's summary.
  const seen = new Map<string, number>();
  const show = (line: string) => {
    const key = line.replace(/"time":\d+,|\(node:\d+\) /g, '');
    const count = (seen.get(key) ?? 0) + 1;
    seen.set(key, count);
    if (count === 1 && seen.size <= 20) console.log(`  gateway ${label}: ${line.slice(0, 400)}`);
  };
  let ready: (url: string) => void = () => undefined;
  const url = new Promise<string>((resolve, reject) => {
    ready = resolve;
    child.once('exit', (code, signal) => reject(new Error(`the gateway exited (${code ?? signal}) before it was ready`)));
    child.once('error', reject);
  });
  createInterface({ input: child.stdout! }).on('line', (line) => {
    let entry: { level?: number; msg?: string; url?: string };
    try {
      entry = JSON.parse(line) as typeof entry;
    } catch {
      show(line);
      return;
    }
    if (typeof entry.msg === 'string' && entry.msg.startsWith('gateway ready') && entry.url) ready(entry.url);
    if ((entry.level ?? 0) >= 40) {
      warnings++;
      show(line);
    }
  });
  createInterface({ input: child.stderr! }).on('line', (line) => show(`stderr: ${line}`));
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    await exited;
    clearTimeout(timer);
  };
  try {
    const base = await Promise.race([url, sleep(120_000).then(() => Promise.reject(new Error('the gateway was not ready within 120 s')))]);
    return {
      pid: child.pid!,
      url: base,
      spawnedAt,
      get warnings() {
        return warnings;
      },
      repeated: () =>
        [...seen]
          .filter(([, n]) => n > 1)
          .map(([line, n]) => `${n}× ${line.slice(0, 160)}`),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

// ─── The clients child ────────────────────────────────────────────────────────────────────

interface Clients {
  pid: number;
  connect(url: string, query: string, specs: ClientSpec[]): Promise<Connected>;
  progress(): Promise<Progress>;
  /** The measured window opens. */
  window(): Promise<void>;
  analyze(from: number, to: number, events: Array<[number, number | null, number]>): Promise<Analysis>;
  close(): Promise<void>;
  stop(): Promise<void>;
}

async function startClients(): Promise<Clients> {
  const file = path.join(here, 'subscriptions-clients.ts');
  const { child, pid, stop } = await startHelperProcess(file, { type: 'exit' } satisfies Command, 'the clients process');
  // One command at a time: each answer is the next message.
  let chain: Promise<unknown> = Promise.resolve();
  const ask = <T>(command: Command, answer: string): Promise<T> => {
    const run = () =>
      new Promise<T>((resolve, reject) => {
        const onExit = (code: number | null) => reject(new Error(`the clients process exited (${code})`));
        const onMessage = (message: { type: string; error?: string }) => {
          child.off('exit', onExit);
          child.off('message', onMessage);
          if (message.type === answer) resolve(message as T);
          else reject(new Error(`clients process: ${message.error ?? JSON.stringify(message).slice(0, 300)}`));
        };
        child.once('exit', onExit);
        child.on('message', onMessage);
        child.send(command);
      });
    const result = chain.then(run, run);
    chain = result.catch(() => undefined);
    return result;
  };
  return {
    pid,
    connect: (url, query, clients) => ask({ type: 'connect', url, query, clients, concurrency: CONNECT_CONCURRENCY }, 'connected'),
    progress: () => ask({ type: 'progress' }, 'progress'),
    window: () => ask<unknown>({ type: 'window' }, 'window').then(() => undefined),
    analyze: (from, to, events) => ask({ type: 'analyze', from, to, events }, 'analysis'),
    close: () => ask({ type: 'close' }, 'closed'),
    stop,
  };
}

// ─── Mirror state ─────────────────────────────────────────────────────────────────────────

const newestSeq = async (db: pg.Client): Promise<number> =>
  Number((await db.query<{ seq: string | null }>('SELECT max(seq)::text AS seq FROM change_events')).rows[0]!.seq ?? 0);

/** Waits until the mirror holds each deal at (at least) the given revision. */
async function mirrored(db: pg.Client, revisions: Map<number, number>, timeoutMs: number): Promise<number> {
  const started = performance.now();
  const ids = [...revisions.keys()];
  for (;;) {
    const { rows } = await db.query<{ id: string; revision: string }>('SELECT id::text, revision::text FROM deals WHERE id = ANY($1::bigint[])', [ids]);
    const have = new Map(rows.map((r) => [Number(r.id), Number(r.revision)]));
    if (ids.every((id) => (have.get(id) ?? 0) >= revisions.get(id)!)) return performance.now() - started;
    if (performance.now() - started > timeoutMs) throw new Error(`the mirror did not catch up with ${ids.length} changed deals within ${timeoutMs} ms`);
    await sleep(25);
  }
}

// ─── A scenario ───────────────────────────────────────────────────────────────────────────

interface ScenarioSpec {
  name: 'broadcast' | 'filtered';
  clients: number;
  changesPerSecond: number;
  query: string;
  /** Owner of each client (null: broadcast). */
  owners: Array<number | null>;
  /** The deal of the n-th change. */
  pick(n: number): number;
  /** Probe changes: one deal per owner subscribed to. */
  probe(round: number): number[];
}

interface ScenarioFigures {
  clients: number;
  changesPerSecond: number;
  seconds: number;
  changes: number;
  events: number;
  expected: number;
  delivered: number;
  lost: number;
  duplicated: number;
  unexpected: number;
  errors: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
}

interface Context {
  db: pg.Client;
  databaseUrl: string;
  sim: Simulator;
  /** Postgres backends of the database, for CPU accounting. */
  postgresPids(): Promise<number[]>;
  /** The mirror's NOTIFYs as this process received them: [wall-clock ms, newest seq of the transaction]. */
  notifications: Array<[number, number]>;
}

async function runScenario(ctx: Context, spec: ScenarioSpec, cleanups: Array<() => Promise<unknown>>): Promise<ScenarioFigures> {
  const { db, sim } = ctx;
  console.log(`\n${spec.name}: ${spec.clients} clients, ${spec.changesPerSecond} deal changes/s for ${SECONDS} s`);
  let t = performance.now();
  const gateway = await startGateway(ctx.databaseUrl, sim.url, spec.name);
  const stopGateway = () => gateway.stop();
  cleanups.push(stopGateway);
  const wsUrl = `${gateway.url.replace(/^http/, 'ws')}/graphql`;
  console.log(`${spec.name}: gateway pid ${gateway.pid} ready at ${wsUrl} in ${((performance.now() - t) / 1000).toFixed(1)} s`);

  // The mirror is complete (the first scenario's gateway does the initial sync).
  t = performance.now();
  const counts = sim.counts();
  for (;;) {
    const { rows } = await db.query<{ deals: string; users: string }>(
      'SELECT (SELECT count(*) FROM deals WHERE deleted_at IS NULL) AS deals, (SELECT count(*) FROM users WHERE deleted_at IS NULL) AS users',
    );
    if (Number(rows[0]!.deals) === counts.deal && Number(rows[0]!.users) === counts.user) break;
    if (performance.now() - t > 120_000) throw new Error(`the initial sync did not finish within 120 s (deals ${rows[0]!.deals}/${counts.deal})`);
    await sleep(100);
  }
  console.log(`${spec.name}: mirror complete (${counts.deal} deals, ${counts.user} users) after ${((performance.now() - t) / 1000).toFixed(1)} s`);

  const clients = await startClients();
  const stopClients = () => clients.stop();
  cleanups.push(stopClients);
  t = performance.now();
  const connected = await clients.connect(wsUrl, spec.query, spec.owners.map((owner) => ({ owner })));
  console.log(
    `${spec.name}: ${connected.ok} clients connected and subscribed in ${(connected.ms / 1000).toFixed(1)} s (pid ${clients.pid})` +
      `${connected.failed ? `; ${connected.failed} FAILED: ${connected.firstError}` : ''}`,
  );

  // Probe until every client has a result: then every subscription is registered.
  const revisions = new Map<number, number>();
  const change = (ids: number[], tag: string) => {
    const results = sim.changes(
      ids.map((id, i) => ({ op: 'update' as const, type: 'deal', id, data: { name: `${tag} ${i}`, value: `${(1000 + (revisions.size % 9000)).toFixed(2)}`, hot: i % 2 === 0 } })),
    );
    for (const r of results) revisions.set(r.id, r.revision);
  };
  t = performance.now();
  let probes = 0;
  let progress = await clients.progress();
  while (progress.withResult < connected.ok) {
    if (performance.now() - t > 60_000) throw new Error(`after 60 s of probes only ${progress.withResult} of ${connected.ok} clients had a result (${JSON.stringify(progress)})`);
    change(spec.probe(probes), `probe ${probes}`);
    probes++;
    await mirrored(db, revisions, 30_000);
    const until = performance.now() + 2000;
    while (performance.now() < until) {
      await sleep(50);
      progress = await clients.progress();
      if (progress.withResult >= connected.ok) break;
    }
  }
  // Let the last probe's stragglers arrive, then open the window.
  await sleep(500);
  const from = await newestSeq(db);
  const baseline = (await clients.progress()).received;
  console.log(`${spec.name}: every subscription live after ${probes} probe round(s), ${((performance.now() - t) / 1000).toFixed(1)} s; window opens after seq ${from}`);

  // The run: changes at the rate, in a loop that catches up rather than drifts.
  const pids = await ctx.postgresPids();
  const snapshot = () => ({
    at: performance.now(),
    machine: machineBusySeconds(),
    gateway: processCpuSeconds(gateway.pid) ?? 0,
    clients: processCpuSeconds(clients.pid) ?? 0,
    bench: (process.cpuUsage().user + process.cpuUsage().system) / 1e6,
    postgres: pids.reduce((s, pid) => s + (processCpuSeconds(pid) ?? 0), 0),
  });
  revisions.clear();
  await clients.window();
  const before = snapshot();
  const interval = 1000 / spec.changesPerSecond;
  const total = Math.round(SECONDS * spec.changesPerSecond);
  const started = performance.now();
  let made = 0;
  let lateMax = 0;
  while (made < total) {
    const due = Math.min(total, Math.floor((performance.now() - started) / interval) + 1);
    if (made < due) {
      lateMax = Math.max(lateMax, performance.now() - (started + made * interval));
      const ids: number[] = [];
      while (made < due) ids.push(spec.pick(made++));
      change(ids, `bench ${made}`);
    }
    await sleep(Math.max(0, started + made * interval - performance.now()));
  }
  const after = snapshot();
  const driveSeconds = (performance.now() - started) / 1000;
  const sinceSpawn = (at: number) => ((at - gateway.spawnedAt) / 1000).toFixed(1);
  const catchUpMs = await mirrored(db, revisions, 60_000);
  const to = await newestSeq(db);

  // The window's deal events, and the owner of each (owners never change in this benchmark).
  const { rows } = await db.query<{ seq: string; owner: string | null; at: Date; type: string }>(
    `SELECT e.seq::text AS seq, e.type, d.owner_id::text AS owner, e.occurred_at AS at
       FROM change_events e LEFT JOIN deals d ON e.type = 'deal' AND d.id = e.resource_id
      WHERE e.seq > $1 AND e.seq <= $2 ORDER BY e.seq`,
    [from, to],
  );
  const others = rows.filter((r) => r.type !== 'deal').length;
  const events = rows.filter((r) => r.type === 'deal').map((r): [number, number | null, number] => [Number(r.seq), r.owner === null ? null : Number(r.owner), r.at.getTime()]);
  const perOwner = new Map<number | null, number>();
  for (const [, owner] of events) perOwner.set(owner, (perOwner.get(owner) ?? 0) + 1);
  let expectedTotal = 0;
  for (const owner of spec.owners) expectedTotal += owner === null ? events.length : (perOwner.get(owner) ?? 0);

  // Deliveries settle: everything expected arrived, or nothing more for 5 s (a gateway far
  // behind is still waited for, up to 3 minutes: late is not lost).
  const settleStart = performance.now();
  let last = -1;
  let lastChange = performance.now();
  for (;;) {
    const p = await clients.progress();
    if (p.received !== last) {
      last = p.received;
      lastChange = performance.now();
    }
    if (p.received - baseline >= expectedTotal || performance.now() - lastChange > 5000 || performance.now() - settleStart > 180_000) break;
    await sleep(100);
  }
  const settleSeconds = (performance.now() - settleStart) / 1000;
  const analysis = await clients.analyze(from, to, events);
  const gatewayRss = rssMB(gateway.pid);

  const wall = (after.at - before.at) / 1000;
  const busy = (s: number) => round(s / wall, 2);
  const cpu = {
    gateway: busy(after.gateway - before.gateway),
    postgres: busy(after.postgres - before.postgres),
    clients: busy(after.clients - before.clients),
    benchAndSimulator: busy(after.bench - before.bench),
  };
  const rest = busy(after.machine - before.machine) - cpu.gateway - cpu.postgres - cpu.clients - cpu.benchAndSimulator;
  const l = analysis.latency;
  console.log(
    `${spec.name}: ${made} changes made in ${driveSeconds.toFixed(1)} s (driver at most ${round(lateMax, 1)} ms late), ${events.length} deal events committed` +
      `${others ? ` (+${others} events of other types)` : ''}, mirror caught up ${round(catchUpMs / 1000, 1)} s after the last change; ` +
      `changes flowed ${sinceSpawn(before.at)}–${sinceSpawn(after.at)} s after the gateway was spawned; deliveries settled ${settleSeconds.toFixed(1)} s after that`,
  );
  console.log(
    `${spec.name}: expected ${analysis.expected} deliveries (computed here: ${expectedTotal}), delivered ${analysis.delivered}, lost ${analysis.lost} ` +
      `(${analysis.clientsWithLoss} clients), duplicated ${analysis.duplicated}, unexpected ${analysis.unexpected}, wrong owner ${analysis.wrongOwner}, ` +
      `errors ${analysis.errors}${analysis.firstError ? ` (first: ${analysis.firstError})` : ''}, sockets closed ${analysis.closed}`,
  );
  console.log(`${spec.name}: latency commit → receipt over ${l.count} deliveries: p50 ${l.p50Ms} ms, p90 ${l.p90Ms} ms, p99 ${l.p99Ms} ms, max ${l.maxMs} ms`);
  console.log(
    `${spec.name}: per event, first client: p50 ${analysis.firstClient.p50Ms} ms, p99 ${analysis.firstClient.p99Ms} ms, max ${analysis.firstClient.maxMs} ms; ` +
      `last client: p50 ${analysis.lastClient.p50Ms} ms, p99 ${analysis.lastClient.p99Ms} ms, max ${analysis.lastClient.maxMs} ms` +
      `${analysis.worstSecond ? `; worst second ${analysis.worstSecond.second} (p99 ${analysis.worstSecond.p99Ms} ms)` : ''}; ` +
      `clients' event-loop delay p50 ${analysis.eventLoopDelay.p50Ms} ms, p99 ${analysis.eventLoopDelay.p99Ms} ms, max ${analysis.eventLoopDelay.maxMs} ms`,
  );
  console.log(
    `${spec.name}: cores busy while changes flowed: gateway ${cpu.gateway}, Postgres ${cpu.postgres}, clients ${cpu.clients}, ` +
      `bench + simulator ${cpu.benchAndSimulator}, anything else ${round(Math.max(0, rest), 2)} (of ${cpus().length}); gateway RSS ${gatewayRss} MB; ` +
      `gateway warnings/errors logged ${gateway.warnings}`,
  );
  for (const line of gateway.repeated()) console.log(`${spec.name}: gateway repeated: ${line}`);
  // Where the time goes, per event: the mirror's transaction until its NOTIFY reaches this process
  // (a LISTEN of our own), then the gateway until the first client's receipt, then the fan-out.
  const notifiedAt = new Map<number, number>();
  let n = 0;
  const notes = ctx.notifications;
  for (const [seq, , at] of events) {
    while (n < notes.length && notes[n]![1] < seq) n++;
    if (n < notes.length) notifiedAt.set(seq, notes[n]![0] - at);
  }
  const visible: number[] = [];
  const pipeline: number[] = [];
  const fanOut: number[] = [];
  for (const [seq, first, lastClient] of analysis.perEvent) {
    const notified = notifiedAt.get(seq);
    if (notified === undefined) continue;
    visible.push(notified);
    pipeline.push(first - notified);
    fanOut.push(lastClient - first);
  }
  console.log(
    `${spec.name}: per event, occurredAt → NOTIFY received by a LISTEN in the bench process (the mirror's transaction, commit, notify): ${show(percentiles(visible))}; ` +
      `NOTIFY → first client's receipt (change feed, execution, first send): ${show(percentiles(pipeline))}; first → last client (fan-out): ${show(percentiles(fanOut))}`,
  );

  await clients.close();
  await clients.stop();
  cleanups.splice(cleanups.indexOf(stopClients), 1);
  await gateway.stop();
  cleanups.splice(cleanups.indexOf(stopGateway), 1);

  return {
    clients: connected.ok,
    changesPerSecond: spec.changesPerSecond,
    seconds: SECONDS,
    changes: made,
    events: events.length,
    expected: analysis.expected,
    delivered: analysis.delivered,
    lost: analysis.lost,
    duplicated: analysis.duplicated,
    unexpected: analysis.unexpected + analysis.wrongOwner,
    errors: analysis.errors + connected.failed,
    p50Ms: l.p50Ms,
    p90Ms: l.p90Ms,
    p99Ms: l.p99Ms,
    maxMs: l.maxMs,
  };
}

// ─── The run ──────────────────────────────────────────────────────────────────────────────

async function run(cleanups: Cleanups): Promise<number> {
  const load = () => loadavg().map((x) => x.toFixed(2)).join(' ');
  console.log(
    `subscriptions bench: ${SECONDS} s per scenario (${SCENARIO_NAMES.join(', ')}); gateway SYNC_INTERVAL_MS ${SYNC_INTERVAL_MS}; ` +
      `node ${process.version}; ${cpus().length} cores; load average ${load()}`,
  );

  // Postgres: embedded in a temporary folder, or a throwaway database on the given server.
  const { embedded, createDatabase } = await benchPostgres(cleanups, 'subscriptions');
  const databaseUrl = await createDatabase('bench_subscriptions');
  const db = new pg.Client({ connectionString: databaseUrl, application_name: 'subscriptions bench' });
  // Postgres' shutdown may reach the client before end() does.
  db.on('error', () => undefined);
  await db.connect();
  cleanups.push(() => db.end());
  const serverVersion = (await db.query<{ server_version: string }>('SHOW server_version')).rows[0]!.server_version;
  const databaseName = new URL(databaseUrl).pathname.slice(1);

  const sim = createSimulator({ world: { counts: WORLD }, seed: SEED, ackDelayMs: 0 });
  await sim.listen(0);
  cleanups.push(() => sim.close());
  const deals = [...sim.objects('deal')].map((d) => ({ id: d.id, owner: Number(d.data.owner_id) }));
  const byOwner = new Map<number, number[]>();
  for (const deal of deals) byOwner.set(deal.owner, [...(byOwner.get(deal.owner) ?? []), deal.id]);
  // The 50 owners with the most deals.
  const owners = [...byOwner.entries()].sort((a, b) => b[1].length - a[1].length || a[0] - b[0]).slice(0, OWNERS).map(([owner]) => owner);
  if (owners.length < OWNERS) throw new Error(`the world has only ${owners.length} deal owners`);
  console.log(
    `Postgres ${serverVersion}${embedded ? ' embedded' : ' (BENCH_DATABASE_URL)'}; simulator ${sim.url}: ${Object.values(sim.counts()).reduce((s, n) => s + n, 0)} objects, ` +
      `${deals.length} deals, ${sim.counts().user} users; filtered owners: ${OWNERS} with ${byOwner.get(owners[OWNERS - 1]!)!.length}–${byOwner.get(owners[0]!)!.length} deals each`,
  );

  // A LISTEN of our own on the mirror's channel, to split the latency (see runScenario).
  const notifications: Array<[number, number]> = [];
  const listener = new pg.Client({ connectionString: databaseUrl, application_name: 'subscriptions bench listener' });
  listener.on('error', () => undefined);
  listener.on('notification', (message) => notifications.push([performance.timeOrigin + performance.now(), Number(message.payload)]));
  await listener.connect();
  cleanups.push(() => listener.end());
  await listener.query(`LISTEN ${CHANGE_CHANNEL}`);

  const ctx: Context = {
    notifications,
    db,
    databaseUrl,
    sim,
    postgresPids: async () =>
      (await db.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [databaseName])).rows.map((r) => r.pid),
  };

  const rand = random(SEED);
  const any = <T>(list: readonly T[]): T => list[Math.floor(rand() * list.length)]!;
  const specs: ScenarioSpec[] = [
    {
      name: 'broadcast',
      clients: BROADCAST_CLIENTS,
      changesPerSecond: 20,
      query: BROADCAST_QUERY,
      owners: Array.from({ length: BROADCAST_CLIENTS }, () => null),
      pick: () => any(deals).id,
      probe: () => [any(deals).id],
    },
    {
      name: 'filtered',
      clients: FILTERED_CLIENTS,
      changesPerSecond: 50,
      query: FILTERED_QUERY,
      owners: Array.from({ length: FILTERED_CLIENTS }, (_, i) => owners[i % OWNERS]!),
      pick: (n) => any(byOwner.get(owners[n % OWNERS]!)!),
      probe: () => owners.map((owner) => any(byOwner.get(owner)!)),
    },
  ];

  const figures: Partial<Record<ScenarioSpec['name'], ScenarioFigures>> = {};
  for (const spec of specs) {
    if (!SCENARIO_NAMES.includes(spec.name)) continue;
    figures[spec.name] = await runScenario(ctx, spec, cleanups);
  }

  const met = Object.fromEntries(
    Object.entries(figures).map(([name, f]) => [name, f.p99Ms < GOALS.p99Ms && f.lost === 0 && f.duplicated === 0 && f.unexpected === 0 && f.errors === 0]),
  );
  console.log('');
  for (const [name, f] of Object.entries(figures)) {
    console.log(
      `${name}: ${f.clients} clients, ${f.changesPerSecond} changes/s for ${f.seconds} s: ${f.changes} changes, ${f.events} events committed; ` +
        `expected ${f.expected}, delivered ${f.delivered}, lost ${f.lost}, duplicated ${f.duplicated}; ` +
        `latency p50 ${f.p50Ms} ms, p90 ${f.p90Ms} ms, p99 ${f.p99Ms} ms, max ${f.maxMs} ms: goal (p99 < ${GOALS.p99Ms} ms, nothing lost or duplicated) ${met[name] ? 'met' : 'NOT met'}`,
    );
  }
  console.log(`load average ${load()}; bench process RSS ${mb(process.memoryUsage().rss)} MB`);
  console.log(JSON.stringify({ bench: 'subscriptions', ...figures, goal: GOALS, met }));
  return 0;
}

await runBench('subscriptions', run);
