// Creates the next migration offline: what `prisma migrate dev --create-only --name <name>`
// writes, without the Prisma CLI (it downloads a native schema engine these machines cannot
// reach). Prisma's schema engine also ships as WebAssembly on npm; driven in-process through
// @prisma/adapter-pg, it runs the CLI's own sequence against throwaway databases on a local
// server (see createMigration). Nothing else is touched: the migration is applied later, at
// start-up, by src/db/migrations.ts.
//
// The engine <-> adapter protocol is internal to Prisma, so the versions are pinned; measured
// with @prisma/schema-engine-wasm 8.1.0-2.59be4fda12412a79eeb9c2ae727b6aa723593323,
// @prisma/adapter-pg 7.10.1 (and its driver-adapter-utils 7.10.1), pg 8.23.1, on Postgres 15
// and 18. Each work-around (engine.ts, char-columns.ts, scratch-databases.ts) names the trap it gets past.
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
// Comes with @prisma/adapter-pg (which pins it to its own version).
import { bindMigrationAwareSqlAdapterFactory } from '@prisma/driver-adapter-utils';
import type { MigrationList, SchemaEngine, SchemaFilter } from '@prisma/schema-engine-wasm/schema_engine_bg';
import type { Logger } from '../../src/logger.ts';
import { enginePanicked, unlessPanic, withEngine } from './engine.ts';
import { ScratchConnections, serverConfig } from './scratch-databases.ts';

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
    let engine: SchemaEngine | undefined;
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
      if (!enginePanicked()) engine?.free();
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
