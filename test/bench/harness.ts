// What the benchmarks share: running one with cleanup that happens once (on success, failure or
// a signal), helper processes, and readings of CPU and memory from /proc. Not a benchmark itself
// (see index.ts).
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startEmbeddedPostgres } from '../../src/db/embedded-postgres.ts';
import { silentLogger } from '../../src/logger.ts';
import { dropDatabase, recreateDatabase } from '../fixtures/postgres-admin.ts';

/** Steps undone in reverse order when the run ends. */
export type Cleanups = Array<() => Promise<unknown>>;

/** Runs `run`, then its cleanups exactly once, also on SIGINT/SIGTERM; exits with its code. */
export async function runBench(name: string, run: (cleanups: Cleanups) => Promise<number>): Promise<never> {
  const cleanups: Cleanups = [];
  // One cleanup, however many paths (signal, error, normal end) ask for it: each awaits the same.
  let cleaning: Promise<void> | undefined;
  const cleanup = () =>
    (cleaning ??= (async () => {
      for (const step of cleanups.splice(0).reverse()) await step().catch((e: unknown) => console.error(`cleanup: ${(e as Error).message}`));
    })());
  let interrupted = false;
  const onSignal = (signal: NodeJS.Signals) => {
    interrupted = true;
    console.error(`${signal}: cleaning up`);
    void cleanup().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal).once('SIGTERM', onSignal);

  let exitCode = 1;
  try {
    exitCode = await run(cleanups);
  } catch (error) {
    // Once interrupted, the run fails as its resources go away: that is no news.
    if (!interrupted) console.error(`${name} bench failed:`, error);
  } finally {
    await cleanup();
  }
  process.exit(exitCode);
}

/** The Postgres server of a benchmark run. */
export interface BenchPostgres {
  /** Embedded in a temporary folder (else the server of BENCH_DATABASE_URL). */
  embedded: boolean;
  /** The URL of the server's `postgres` database (for administration). */
  adminUrl: string;
  /** A new empty database on it (a unique name on a shared server), dropped with the run's cleanups. */
  createDatabase(name: string): Promise<string>;
}

/** Starts an embedded Postgres in a temporary folder, or uses the server of BENCH_DATABASE_URL. */
export async function benchPostgres(cleanups: Cleanups, bench: string): Promise<BenchPostgres> {
  let adminUrl = process.env.BENCH_DATABASE_URL;
  const embedded = !adminUrl;
  if (!adminUrl) {
    const dir = await mkdtemp(path.join(tmpdir(), `bsg-bench-${bench}-`));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const server = await startEmbeddedPostgres({ dataDir: path.join(dir, 'postgres'), database: 'postgres', logger: silentLogger() });
    cleanups.push(() => server.stop());
    adminUrl = server.url;
  }
  const admin = adminUrl;
  // On a shared server, names of their own: several runs may share it.
  const suffix = embedded ? '' : `_${randomBytes(4).toString('hex')}`;
  return {
    embedded,
    adminUrl: admin,
    async createDatabase(name) {
      const url = await recreateDatabase(admin, `${name}${suffix}`);
      // An embedded server goes with its folder.
      if (!embedded) cleanups.push(() => dropDatabase(admin, `${name}${suffix}`));
      return url;
    },
  };
}

/** A helper process of a benchmark (a load generator, clients), talking over IPC. */
export interface HelperProcess {
  child: ChildProcess;
  pid: number;
  /** Sends it the exit message, and kills it if it has not exited 5 s later. */
  stop(): Promise<void>;
}

/**
 * Starts `file` with this process's loader flags (tsx), without profiler flags, and resolves once
 * it has sent its first message (it is ready). `exitMessage` asks it to exit; `what` names it in errors.
 */
export async function startHelperProcess(file: string, exitMessage: object, what: string): Promise<HelperProcess> {
  const execArgv = process.execArgv.filter((a) => !/^--(cpu|heap)-prof/.test(a));
  const child = spawn(process.execPath, [...execArgv, file], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    if (child.connected) child.send(exitMessage);
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  };
  try {
    await new Promise<void>((resolve, reject) => {
      child.once('message', () => resolve());
      child.once('error', reject);
      child.once('exit', (code) => reject(new Error(`${what} exited (${code}) before it was ready`)));
    });
  } catch (error) {
    await stop();
    throw error;
  }
  return { child, pid: child.pid!, stop };
}

/** Clock ticks per second of /proc's CPU figures (USER_HZ). */
export const CLOCK_TICKS = 100;

/** CPU seconds (user + system) a process has used so far, from /proc; undefined where unreadable. */
export function processCpuSeconds(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  } catch {
    return undefined;
  }
}

/** CPU seconds the whole machine has spent busy (all cores), from /proc/stat; 0 where unreadable. */
export function machineBusySeconds(): number {
  try {
    const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
    const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = fields;
    return (user + nice + system + irq + softirq + steal) / CLOCK_TICKS;
  } catch {
    return 0;
  }
}

/** Resident memory of a process in MB, from /proc; 0 where unreadable. */
export function rssMB(pid: number | undefined): number {
  if (pid === undefined) return 0;
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Math.round(Number(match[1]) / 1000) : 0;
  } catch {
    return 0;
  }
}

/** Rounds to `digits` decimals. */
export const round = (x: number, digits = 2): number => Math.round(x * 10 ** digits) / 10 ** digits;

/** The value at quantile `q` (0 to 1) of sorted values, by nearest rank; 0 when there are none. */
export function quantile(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

/** Bytes in (decimal) megabytes. */
export const mb = (bytes: number): number => Math.round(bytes / 1e6);
