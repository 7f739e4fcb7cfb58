// The query benchmark's dashboard-under-activity scenario (run by test/bench/query.ts): the deals
// query a dashboard asks (scalars and to-one relations), by 32 connections, while 20 changes a
// second to leads, tasks and calls reach the mirror the real way: injected into the simulator,
// synced by the gateway's own running sync. Three gateways in turn, each as `npm start` runs it
// in a process of its own (test/bench/query-gateway.ts), so that its memory is its own: the
// response cache by type (the default), the cache dropped whole on every commit
// (RESPONSE_CACHE_SCOPE=mirror), and no cache (RESPONSE_CACHE_MB=0). The answer must stay the
// same text throughout (none of its types changes): autocannon checks every one.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type pg from 'pg';
import type { Simulator } from '../../src/simulator/index.ts';
import { DEMO_TOKEN } from '../../src/simulator/index.ts';
import { rssMB, round, type Cleanups } from './harness.ts';
import type { LoadJob, LoadResult } from './query-load.ts';

export const DASHBOARD_QUERY = `query Dashboard {
  deals(first: 50) { edges { node { baseId name value contact { name } stage { name pipeline { name } } owner { name } } } }
}`;

/** Changes a second injected, and the types they go to. */
const CHANGES_PER_SECOND = 20;
const CHANGED_TYPES = [['lead', 'leads'], ['task', 'tasks'], ['call', 'calls']] as const;
export const DASHBOARD_GOALS = { hitRatio: 0.9, speedup: 5, rssMB: 300 };

export interface DashboardOptions {
  databaseUrl: string;
  pool: pg.Pool;
  simulator: Simulator;
  simulatorUrl: string;
  /** The device the world was synced with: the gateways' syncs carry on from there. */
  deviceUuid: string;
  /** Runs a load in the load generator; `onMeasuring` when the warm-up is over. */
  load(job: LoadJob, onMeasuring: () => void): Promise<LoadResult>;
  connections: number;
  warmupSeconds: number;
  seconds: number;
  cleanups: Cleanups;
}

export interface DashboardSide {
  rps: number;
  p50Ms: number;
  p99Ms: number;
  /** Cache hits of the lookups during the measured run (null without a cache). */
  hitRatio: number | null;
  /** Changes the sync committed per second during the measured run. */
  changesPerSecond: number;
  /** The gateway process' resident memory: the most sampled during the measured run. */
  rssMB: number;
  /** Its resident memory once started, before any request. */
  startRssMB: number;
  mismatches: number;
  errors: number;
}

export interface DashboardFigures {
  byType: DashboardSide;
  wholeCache: DashboardSide;
  executed: DashboardSide;
  /** byType req/s over executed req/s. */
  speedup: number;
  /** The dashboard goal: hits and speed-up. */
  met: boolean;
  /** The memory goal: the by-type gateway's RSS under this load. */
  memoryMet: boolean;
}

interface Gateway {
  pid: number;
  url: string;
  /** process.memoryUsage() of the gateway, in MB. */
  memory(): Promise<Record<string, number>>;
  stop(): Promise<void>;
}

async function startGateway(env: Record<string, string>): Promise<Gateway> {
  const file = path.join(path.dirname(fileURLToPath(import.meta.url)), 'query-gateway.ts');
  const execArgv = process.execArgv.filter((a) => !/^--(cpu|heap)-prof/.test(a));
  const child = spawn(process.execPath, [...execArgv, file], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], env: { ...process.env, ...env } });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    if (child.connected) child.send({ exit: true });
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  };
  const url = await new Promise<string>((resolve, reject) => {
    child.once('message', (message: { url: string }) => resolve(message.url));
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`a dashboard gateway exited (${code}) before it served`)));
  }).catch(async (error: unknown) => {
    await stop();
    throw error;
  });
  const memory = () =>
    new Promise<Record<string, number>>((resolve) => {
      const onMessage = (message: { memory?: Record<string, number> }) => {
        if (!message.memory) return;
        child.off('message', onMessage);
        resolve(message.memory);
      };
      child.on('message', onMessage);
      child.send({ memory: true });
    });
  return { pid: child.pid!, url, memory, stop };
}

/** Hits and misses the gateway has counted so far. */
async function lookups(url: string): Promise<{ hit: number; miss: number }> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const count = (result: string) => Number(new RegExp(`^bsg_graphql_response_cache_lookups_total\\{result="${result}"\\} (\\d+)`, 'm').exec(text)?.[1] ?? 0);
  return { hit: count('hit'), miss: count('miss') };
}

const newestSeq = async (pool: pg.Pool) => Number((await pool.query<{ seq: string | null }>('SELECT max(seq)::text AS seq FROM change_events')).rows[0]?.seq ?? 0);

async function post(url: string, body: string): Promise<string> {
  const res = await fetch(`${url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json' }, body });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`the dashboard gateway answered ${res.status}: ${text.slice(0, 300)}`);
  return text;
}

export async function runDashboard(options: DashboardOptions): Promise<DashboardFigures> {
  const { pool, simulator } = options;
  const ids = new Map<string, string[]>();
  for (const [type, table] of CHANGED_TYPES) {
    ids.set(type, (await pool.query<{ id: string }>(`SELECT id::text AS id FROM ${table} WHERE deleted_at IS NULL ORDER BY id LIMIT 200`)).rows.map((r) => r.id));
  }
  // One change each tick, to the types in turn; an update bumps the object's revision.
  let n = 0;
  const inject = () => {
    const [type] = CHANGED_TYPES[n % CHANGED_TYPES.length]!;
    const list = ids.get(type)!;
    simulator.changes([{ op: 'update', type, id: Number(list[Math.floor(n / CHANGED_TYPES.length) % list.length]) }]);
    n++;
  };
  const body = JSON.stringify({ query: DASHBOARD_QUERY });

  const side = async (name: string, env: Record<string, string>): Promise<DashboardSide> => {
    const gateway = await startGateway({
      DATABASE_URL: options.databaseUrl,
      PORT: '0',
      LOG_LEVEL: 'silent',
      BASE_ACCESS_TOKEN: DEMO_TOKEN,
      BASE_API_URL: options.simulatorUrl,
      BASE_DEVICE_UUID: options.deviceUuid,
      ...env,
    });
    options.cleanups.push(() => gateway.stop());
    const startRss = rssMB(gateway.pid);
    const timer = setInterval(inject, 1000 / CHANGES_PER_SECOND);
    try {
      const expectBody = await post(gateway.url, body);
      let before: Promise<{ at: number; seq: number; lookups: { hit: number; miss: number } }> | undefined;
      let rss = 0;
      let sampler: NodeJS.Timeout | undefined;
      const result = await options.load(
        { url: `${gateway.url}/graphql`, bodies: [body], connections: options.connections, warmupSeconds: options.warmupSeconds, seconds: options.seconds, expectBody },
        () => {
          before = Promise.all([newestSeq(pool), lookups(gateway.url)]).then(([seq, l]) => ({ at: performance.now(), seq, lookups: l }));
          sampler = setInterval(() => (rss = Math.max(rss, rssMB(gateway.pid))), 250);
        },
      );
      clearInterval(sampler);
      const [seq, after, memory] = await Promise.all([newestSeq(pool), lookups(gateway.url), gateway.memory()]);
      const start = await before!;
      const wall = (performance.now() - start.at) / 1000;
      const hits = after.hit - start.lookups.hit;
      const all = hits + after.miss - start.lookups.miss;
      const figures: DashboardSide = {
        rps: result.rps,
        p50Ms: result.p50Ms,
        p99Ms: result.p99Ms,
        hitRatio: env.RESPONSE_CACHE_MB === '0' || all === 0 ? null : round(hits / all, 4),
        changesPerSecond: round((seq - start.seq) / wall, 1),
        rssMB: rss,
        startRssMB: startRss,
        mismatches: result.mismatches,
        errors: result.errors + result.timeouts + result.non2xx,
      };
      console.log(
        `dashboard ${name.padEnd(11)}: ${String(result.rps).padStart(6)} req/s, p50 ${result.p50Ms} ms, p99 ${result.p99Ms} ms; ` +
          `cache hits ${figures.hitRatio === null ? 'n/a' : `${round(figures.hitRatio * 100, 1)}%`} (${hits} of ${all}); ` +
          `${figures.changesPerSecond} changes/s committed by its sync; gateway RSS ${startRss} MB started, up to ${rss} MB under load ` +
          `(after the run, MB: ${Object.entries(memory).map(([k, v]) => `${k} ${v}`).join(', ')}); ` +
          `errors ${figures.errors}, body mismatches ${result.mismatches}`,
      );
      return figures;
    } finally {
      clearInterval(timer);
      await gateway.stop();
    }
  };

  console.log(
    `dashboard: ${DASHBOARD_QUERY.replace(/\s+/g, ' ')}; ${options.connections} connections while ${CHANGES_PER_SECOND} changes/s go to ${CHANGED_TYPES.map(([t]) => t).join(', ')} ` +
      `(simulator injection, synced by each gateway's own sync); each gateway runs as \`npm start\` in a process of its own`,
  );
  const byType = await side('by type', {});
  const wholeCache = await side('whole cache', { RESPONSE_CACHE_SCOPE: 'mirror' });
  const executed = await side('executed', { RESPONSE_CACHE_MB: '0' });
  const speedup = round(byType.rps / Math.max(1, executed.rps), 2);
  const met = (byType.hitRatio ?? 0) >= DASHBOARD_GOALS.hitRatio && speedup >= DASHBOARD_GOALS.speedup;
  const memoryMet = byType.rssMB < DASHBOARD_GOALS.rssMB;
  console.log(
    `goal: dashboard under activity: hits at least ${DASHBOARD_GOALS.hitRatio * 100}% (${round((byType.hitRatio ?? 0) * 100, 1)}%), ` +
      `at least ${DASHBOARD_GOALS.speedup}x the executed req/s (${speedup}x; whole-cache invalidation ${round(wholeCache.rps / Math.max(1, executed.rps), 2)}x, ` +
      `${round((wholeCache.hitRatio ?? 0) * 100, 1)}% hits): ${met ? 'met' : 'NOT met'}`,
  );
  console.log(`goal: gateway RSS under ${DASHBOARD_GOALS.rssMB} MB under this load (${byType.rssMB} MB; executed ${executed.rssMB} MB): ${memoryMet ? 'met' : 'NOT met'}`);
  return { byType, wholeCache, executed, speedup, met, memoryMet };
}
