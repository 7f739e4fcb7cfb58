// Creates the next migration offline: what `prisma migrate dev --create-only --name <name>`
// writes, without the Prisma CLI (it downloads a native schema engine these machines cannot
// reach). Prisma's schema engine also ships as WebAssembly on npm; driven in-process through
// @prisma/adapter-pg, it runs the CLI's own sequence against throwaway databases on a local
// server (see createMigration). Nothing else is touched: the migration is applied later, at
// start-up, by src/db/migrations.ts.
//
//   npx tsx src/db/migration-create.ts <name> [--allow-empty]   (server: DATABASE_URL or local)
//
// The engine <-> adapter protocol is internal to Prisma, so the versions are pinned; measured
// with @prisma/schema-engine-wasm 8.1.0-2.59be4fda12412a79eeb9c2ae727b6aa723593323,
// @prisma/adapter-pg 7.10.1 (and its driver-adapter-utils 7.10.1), pg 8.23.1, on Postgres 15
// and 18. Each work-around below names the trap it gets past.
import { randomUUID } from 'node:crypto';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { PrismaPg } from '@prisma/adapter-pg';
// Comes with @prisma/adapter-pg (which pins it to its own version).
import {
  bindMigrationAwareSqlAdapterFactory,
  ColumnTypeEnum,
  type SqlDriverAdapter,
  type SqlResultSet,
  type Transaction,
} from '@prisma/driver-adapter-utils';
import * as engineBindings from '@prisma/schema-engine-wasm/schema_engine_bg';
import type { MigrationList, SchemaFilter } from '@prisma/schema-engine-wasm/schema_engine_bg';
import pg from 'pg';
import type { Logger } from '../logger.ts';

const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const DEFAULT_SCHEMA_PATH = path.join(PROJECT_ROOT, 'prisma', 'schema.prisma');
export const DEFAULT_MIGRATIONS_DIR = path.join(PROJECT_ROOT, 'prisma', 'migrations');
export const DEFAULT_DATABASE_URL = 'postgresql://postgres@127.0.0.1:5432/postgres';

const LOCKFILE = 'migration_lock.toml';
const NO_FILTER: SchemaFilter = { externalTables: [], externalEnums: [] };

export interface CreateMigrationOptions {
  /** Any database on a server where scratch databases may be created (only the server is used). */
  databaseUrl: string;
  schemaPath: string;
  migrationsDir: string;
  /** Turned into a directory-name slug as the CLI does ("Add tags" → "add_tags"). */
  name: string;
  /** Write an empty migration when nothing changed (for hand-written SQL) instead of returning null. */
  allowEmpty?: boolean;
  logger?: Logger;
}

export interface CreatedMigration {
  /** Absolute path of the new `<YYYYMMDDHHMMSS>_<name>` directory. */
  directory: string;
  sql: string;
}

/**
 * Writes `<migrationsDir>/<timestamp>_<name>/migration.sql` (and `migration_lock.toml`) with the
 * SQL that takes a database from the committed migrations to the schema. Resolves to null,
 * writing nothing, when the schema has no changes.
 *
 * This is the CLI's own `migrate dev --create-only` sequence, run against a scratch database
 * instead of a developer's: apply the migrations, `devDiagnostic`, `createMigration` (which
 * replays them again in a shadow database and diffs). `diff` alone gives the same statements
 * but not the CLI's "Warnings" header (dropped columns, new NOT NULLs).
 */
export async function createMigration(options: CreateMigrationOptions): Promise<CreatedMigration | null> {
  const migrationName = migrationSlug(options.name);
  if (!migrationName) throw new Error(`migration name ${JSON.stringify(options.name)} has no letters or digits`);
  const schema = { path: options.schemaPath, content: await readFile(options.schemaPath, 'utf8') };
  const migrationsList = await readMigrationsList(options.migrationsDir);
  const server = serverConfig(options.databaseUrl);

  const created = await withEngine(async (bindings) => {
    const connections = new ScratchConnections(server);
    let engine: engineBindings.SchemaEngine | undefined;
    try {
      const devDatabase = await connections.createDatabase('prisma_migrate_dev_db');
      // The engine expects the adapter wrapped as Prisma's client does (results as {ok, value});
      // a bare PrismaPg fails inside the wasm. Plain functions: the engine calls them unbound.
      const adapterFactory = bindMigrationAwareSqlAdapterFactory({
        provider: 'postgres',
        adapterName: '@prisma/adapter-pg',
        connect: () => connections.connect(devDatabase),
        connectToShadowDb: async () =>
          connections.connect(await connections.createDatabase('prisma_migrate_shadow_db'), { dropOnDispose: true }),
      });
      engine = await unlessPanic(
        bindings.SchemaEngine.new(
          { datamodels: [[schema.path, schema.content]] },
          (line: string) => options.logger?.debug({ engine: line }, 'schema engine'),
          adapterFactory,
        ),
      );
      await unlessPanic(engine.applyMigrations({ migrationsList, filters: NO_FILTER }));
      const { action } = await unlessPanic(engine.devDiagnostic({ migrationsList, filters: NO_FILTER }));
      if (action.tag === 'reset') throw new Error(`the committed migrations do not replay cleanly: ${action.reason}`);
      return await unlessPanic(
        engine.createMigration({
          draft: options.allowEmpty ?? false,
          migrationName,
          migrationsList,
          schema: { files: [schema] },
          filters: NO_FILTER,
        }),
      );
    } finally {
      if (!enginePanic) engine?.free();
      await connections.close();
    }
  });
  if (created.migrationScript === null) return null;

  // Written as the CLI does: the engine's directory name, then the lock file.
  const directory = path.join(options.migrationsDir, created.generatedMigrationName);
  await mkdir(options.migrationsDir, { recursive: true });
  await mkdir(directory); // fails if it exists, as the CLI does
  await writeFile(path.join(directory, `migration.${created.extension}`), created.migrationScript, 'utf8');
  await writeFile(path.join(options.migrationsDir, LOCKFILE), lockfileContent(created.connectorType), 'utf8');
  options.logger?.info({ directory }, 'created migration');
  return { directory, sql: created.migrationScript };
}

/** The CLI's name rule (@sindresorhus/slugify with "_", 200 characters at most). */
export function migrationSlug(name: string): string {
  return name
    .replace(/([a-z\d])([A-Z])/g, '$1_$2')
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z\d]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .slice(0, 200);
}

/** Byte for byte what the Prisma CLI writes. */
function lockfileContent(provider: string): string {
  return `# Please do not edit this file manually\n# It should be added in your version-control system (e.g., Git)\nprovider = "${provider}"\n`;
}

/** The migrations directory as the CLI hands it to the engine (directories sorted by name). */
async function readMigrationsList(dir: string): Promise<MigrationList> {
  const entries = await readdir(dir, { withFileTypes: true }).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return [];
    throw error;
  });
  const names = entries.filter((e) => e.isDirectory()).map((e) => e.name);
  names.sort((a, b) => a.localeCompare(b));
  const migrationDirectories = await Promise.all(
    names.map(async (name) => {
      const content = await readFile(path.join(dir, name, 'migration.sql'), 'utf8').then(
        (value) => ({ tag: 'ok' as const, value }),
        (error: Error) => ({ tag: 'error' as const, value: error.message }),
      );
      return { path: name, migrationFile: { path: 'migration.sql', content } };
    }),
  );
  const lockfile = await readFile(path.join(dir, LOCKFILE), 'utf8').catch(() => null);
  return { baseDir: dir, lockfile: { path: LOCKFILE, content: lockfile }, shadowDbInitScript: '', migrationDirectories };
}

let enginePromise: Promise<typeof engineBindings> | undefined;

// Node has it; the project's lib (ES2023, no DOM) does not type it.
declare const WebAssembly: {
  instantiate(bytes: Uint8Array, imports: object): Promise<{ instance: { exports: Record<string, unknown> } }>;
};

/**
 * Timers the engine starts. It leaves one of 10 s behind after its work, which would hold the
 * process (and a test worker) open that long; finished sessions clear them.
 */
const engineTimers = new Set<NodeJS.Timeout>();
let activeSessions = 0;

async function withEngine<T>(run: (bindings: typeof engineBindings) => Promise<T>): Promise<T> {
  activeSessions++;
  try {
    return await run(await loadEngine());
  } finally {
    if (--activeSessions === 0) {
      for (const timer of engineTimers) clearTimeout(timer);
      engineTimers.clear();
    }
  }
}

/** Set once the engine panics: a wasm instance is unusable after a panic, and the glue takes no second one. */
let enginePanic: Error | undefined;
const panicWaiters = new Set<(error: Error) => void>();

function onPanic(message: string): void {
  enginePanic = new Error(`the Prisma schema engine panicked: ${message}`);
  for (const reject of panicWaiters) reject(enginePanic);
}

/** `work`, or a rejection when the engine panics: its promise would never settle. */
function unlessPanic<R>(work: Promise<R>): Promise<R> {
  if (enginePanic) return Promise.reject(enginePanic);
  let reject: (error: Error) => void = () => {};
  const panicked = new Promise<never>((_, rejectPanicked) => (reject = rejectPanicked));
  panicWaiters.add(reject);
  return Promise.race([work, panicked]).finally(() => panicWaiters.delete(reject));
}

/**
 * The package's entry imports its .wasm file as an ES module, which Node 20 cannot do, so
 * instantiate it by hand next to the wasm-bindgen glue (once per process).
 */
function loadEngine(): Promise<typeof engineBindings> {
  enginePromise ??= (async () => {
    const glue = fileURLToPath(import.meta.resolve('@prisma/schema-engine-wasm/schema_engine_bg'));
    const bytes = await readFile(path.join(path.dirname(glue), 'schema_engine_bg.wasm'));
    const imports: Record<string, unknown> = { ...engineBindings };
    const setTimeoutImport = Object.keys(imports).find((key) => key.startsWith('__wbg_setTimeout_'));
    if (setTimeoutImport) {
      imports[setTimeoutImport] = (callback: () => void, ms: number) => {
        const timer = setTimeout(() => {
          engineTimers.delete(timer);
          callback();
        }, ms >>> 0);
        engineTimers.add(timer);
        return timer;
      };
    }
    // The glue reports panics to this global (Prisma's CLI installs it); keep any already there.
    const globals = globalThis as { PRISMA_WASM_PANIC_REGISTRY?: { set_message(message: string): void } };
    const previous = globals.PRISMA_WASM_PANIC_REGISTRY;
    globals.PRISMA_WASM_PANIC_REGISTRY = {
      set_message: (message) => {
        previous?.set_message(message);
        onPanic(message);
      },
    };
    const { instance } = await WebAssembly.instantiate(bytes, { './schema_engine_bg.js': imports });
    engineBindings.__wbg_set_wasm(instance.exports);
    (instance.exports as { __wbindgen_start: () => void }).__wbindgen_start();
    return engineBindings;
  })();
  return enginePromise;
}

interface ServerConfig {
  host: string;
  port: number;
  user: string;
  password: string | undefined;
  database: string;
}

/**
 * Separate fields, never a connection string: pg lets `connectionString` override `database`,
 * which would point the "shadow" connection at the real database.
 */
function serverConfig(databaseUrl: string): ServerConfig {
  const url = new URL(databaseUrl);
  return {
    host: decodeURIComponent(url.hostname) || '127.0.0.1',
    port: Number(url.port || 5432),
    user: decodeURIComponent(url.username) || 'postgres',
    password: url.password ? decodeURIComponent(url.password) : undefined,
    database: decodeURIComponent(url.pathname.slice(1)) || 'postgres',
  };
}

const CHAR_OID = 18;
const TEXT_OID = 25;
/** Result rows (the array adapter-pg passes on as is) → indexes of their `"char"` columns. */
const charColumns = new WeakMap<object, number[]>();

function noteCharColumns<T>(result: T): T {
  for (const one of Array.isArray(result) ? result : [result]) {
    const { fields, rows } = (one ?? {}) as { fields?: { dataTypeID: number }[]; rows?: object };
    const indexes: number[] = [];
    fields?.forEach((field, index) => {
      if (field.dataTypeID !== CHAR_OID) return;
      field.dataTypeID = TEXT_OID; // so that adapter-pg accepts the column
      indexes.push(index);
    });
    if (indexes.length > 0 && rows) charColumns.set(rows, indexes);
  }
  return result;
}

/**
 * The engine reads catalog columns of Postgres' one-byte `"char"` type (pg_class.relkind,
 * pg_constraint.contype, ...) as characters, which adapter-pg cannot express: it rejects the
 * type ("Column type 'char' could not be deserialized"), and reporting it as text makes the
 * engine panic on Postgres 18, whose catalog lists NOT NULL constraints (contype 'n'). So the
 * client lets the column through as text and notes where it is; {@link withCharColumns} then
 * marks it as a character column. Covers both calling styles: the pool's (callback) and a
 * checked-out client's (promise).
 */
class CharColumnsClient extends pg.Client {
  override query(...args: unknown[]): any {
    const callback = args.at(-1);
    if (typeof callback === 'function') {
      args[args.length - 1] = (error: unknown, result: unknown) => callback(error, error ? result : noteCharColumns(result));
    }
    const returned: unknown = Reflect.apply(super.query, this, args);
    return returned instanceof Promise ? returned.then(noteCharColumns) : returned;
  }
}

function withCharColumns(result: SqlResultSet): SqlResultSet {
  for (const index of charColumns.get(result.rows) ?? []) result.columnTypes[index] = ColumnTypeEnum.Character;
  return result;
}

function charAwareTransaction(inner: Transaction): Transaction {
  return {
    provider: inner.provider,
    adapterName: inner.adapterName,
    options: inner.options,
    queryRaw: async (query) => withCharColumns(await inner.queryRaw(query)),
    executeRaw: (query) => inner.executeRaw(query),
    commit: () => inner.commit(),
    rollback: () => inner.rollback(),
    ...(inner.createSavepoint && { createSavepoint: (name: string) => inner.createSavepoint!(name) }),
    ...(inner.rollbackToSavepoint && { rollbackToSavepoint: (name: string) => inner.rollbackToSavepoint!(name) }),
    ...(inner.releaseSavepoint && { releaseSavepoint: (name: string) => inner.releaseSavepoint!(name) }),
  };
}

/**
 * The scratch databases and pools made for the engine, all undone by close(). Made here rather
 * than by adapter-pg's connectToShadowDb, which keeps the main database's `connectionString`
 * and drops the database before ending the pool still connected to it.
 */
class ScratchConnections {
  private readonly pools = new Set<pg.Pool>();
  private readonly databases = new Set<string>();

  constructor(private readonly server: ServerConfig) {}

  async createDatabase(prefix: string): Promise<string> {
    const name = `${prefix}_${randomUUID()}`;
    await this.admin(`CREATE DATABASE ${pg.escapeIdentifier(name)}`);
    this.databases.add(name);
    return name;
  }

  async connect(database: string, { dropOnDispose = false } = {}): Promise<SqlDriverAdapter> {
    const pool = new pg.Pool({ ...this.server, database, Client: CharColumnsClient, max: 2 });
    this.pools.add(pool);
    // An external pool: the adapter never ends it; we do.
    const inner = await new PrismaPg(pool).connect();
    return {
      provider: inner.provider,
      adapterName: inner.adapterName,
      queryRaw: async (query) => withCharColumns(await inner.queryRaw(query)),
      executeRaw: (query) => inner.executeRaw(query),
      startTransaction: async (isolationLevel) => charAwareTransaction(await inner.startTransaction(isolationLevel)),
      getConnectionInfo: () => inner.getConnectionInfo(),
      // adapter-pg splits scripts at every ";", which breaks function bodies in hand-edited
      // migrations. A query without parameters goes as one simple-protocol query instead: the
      // whole script as one implicit transaction, as Prisma's native engine runs it.
      executeScript: async (script) => void (await inner.executeRaw({ sql: script, args: [], argTypes: [] })),
      dispose: async () => {
        if (this.pools.delete(pool)) await pool.end();
        if (dropOnDispose) await this.drop(database);
      },
    };
  }

  async close(): Promise<void> {
    for (const pool of this.pools) await pool.end();
    this.pools.clear();
    for (const name of [...this.databases]) await this.drop(name);
  }

  private async drop(name: string): Promise<void> {
    if (!this.databases.delete(name)) return;
    await this.admin(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`);
  }

  private async admin(sql: string): Promise<void> {
    const client = new pg.Client(this.server);
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  }
}

const USAGE = `usage: migrate:create <name> [--allow-empty] [--schema <file>] [--migrations <dir>]
Creates prisma/migrations/<timestamp>_<name>/migration.sql from the changes in the schema
(with --allow-empty, an empty one to fill in by hand when there are none).
Needs a Postgres server where it may create a scratch database: DATABASE_URL, or ${DEFAULT_DATABASE_URL}.`;

/** `migrate:create` on the command line; resolves to the process exit code. */
export async function runCreateMigrationCli(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const names: string[] = [];
  let schemaPath = DEFAULT_SCHEMA_PATH;
  let migrationsDir = DEFAULT_MIGRATIONS_DIR;
  let allowEmpty = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '--help' || arg === '-h') {
      console.log(USAGE);
      return 0;
    } else if (arg === '--allow-empty') {
      allowEmpty = true;
    } else if (arg === '--schema' || arg === '--migrations') {
      const value = argv[++i];
      if (!value) {
        console.error(`${arg} needs a value\n${USAGE}`);
        return 2;
      }
      if (arg === '--schema') schemaPath = path.resolve(value);
      else migrationsDir = path.resolve(value);
    } else if (arg.startsWith('-')) {
      console.error(`unknown option ${arg}\n${USAGE}`);
      return 2;
    } else {
      names.push(arg);
    }
  }
  if (names.length !== 1 || !names[0]) {
    console.error(USAGE);
    return 2;
  }
  try {
    const created = await createMigration({
      databaseUrl: env.DATABASE_URL || DEFAULT_DATABASE_URL,
      schemaPath,
      migrationsDir,
      name: names[0],
      allowEmpty,
    });
    if (created) console.log(`Created ${path.relative(process.cwd(), path.join(created.directory, 'migration.sql'))}`);
    else console.log('No changes: the schema matches the migrations.');
    return 0;
  } catch (error) {
    console.error(`migrate:create failed: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  // Exit explicitly, in case anything the engine started still holds the event loop.
  process.exit(await runCreateMigrationCli(process.argv.slice(2)));
}
