// Applies the committed migrations (prisma/migrations/<name>/migration.sql) at start-up.
//
// Prisma's CLI cannot run offline here (it downloads a native engine), so this does what
// `prisma migrate deploy` does, with the same `_prisma_migrations` bookkeeping and the same
// advisory lock key: the stock CLI agrees with it wherever someone has internet, and the two
// never run at once. Concurrent starts serialise on the lock; the second finds nothing to do.
import { createHash, randomUUID } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import type { Logger } from '../logger.ts';

/** The project's committed migrations. */
export const MIGRATIONS_DIR = fileURLToPath(new URL('../../prisma/migrations', import.meta.url));

/** The advisory lock `prisma migrate` takes. */
const PRISMA_MIGRATE_LOCK = 72707369;

const BOOKKEEPING_TABLE = `
CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum"              VARCHAR(64) NOT NULL,
    "finished_at"           TIMESTAMPTZ,
    "migration_name"        VARCHAR(255) NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        TIMESTAMPTZ,
    "started_at"            TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count"   INTEGER NOT NULL DEFAULT 0
)`;

export interface Migration {
  name: string;
  sql: string;
  checksum: string;
}

interface AppliedRow {
  migration_name: string;
  checksum: string;
  finished_at: Date | null;
  rolled_back_at: Date | null;
}

/** Options for {@link applyMigrations}. */
export interface ApplyMigrationsOptions {
  databaseUrl: string;
  logger: Logger;
  /** Folder of migration directories; defaults to the project's. */
  migrationsDir?: string;
}

/** Reads the migration directories in the order Prisma applies them (by name). */
export async function readMigrations(dir: string = MIGRATIONS_DIR): Promise<Migration[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const names = entries.filter((e) => e.isDirectory()).map((e) => e.name).sort();
  return Promise.all(
    names.map(async (name) => {
      const sql = await readFile(path.join(dir, name, 'migration.sql'), 'utf8');
      return { name, sql, checksum: createHash('sha256').update(sql).digest('hex') };
    }),
  );
}

/** Applies every migration not applied yet; returns the names applied by this call. */
export async function applyMigrations(options: ApplyMigrationsOptions): Promise<string[]> {
  const { logger } = options;
  const migrations = await readMigrations(options.migrationsDir);
  const client = new pg.Client({ connectionString: options.databaseUrl });
  await client.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [PRISMA_MIGRATE_LOCK]);
    await client.query(BOOKKEEPING_TABLE);
    const { rows } = await client.query<AppliedRow>(
      'SELECT migration_name, checksum, finished_at, rolled_back_at FROM "_prisma_migrations" ORDER BY started_at',
    );
    const pending = planMigrations(migrations, rows, logger);
    for (const migration of pending) await applyOne(client, migration, logger);
    return pending.map((m) => m.name);
  } finally {
    // Ending the session releases the advisory lock too.
    await client.end();
  }
}

/** Decides which migrations to run, refusing to go on past a failed one (as Prisma does). */
export function planMigrations(migrations: Migration[], applied: AppliedRow[], logger: Logger): Migration[] {
  const failed = applied.find((row) => row.finished_at === null && row.rolled_back_at === null);
  if (failed) {
    throw new Error(
      `migration ${failed.migration_name} failed earlier and was left half-applied; fix the database, then mark it rolled back (prisma migrate resolve --rolled-back ${failed.migration_name})`,
    );
  }
  const done = new Map(
    applied.filter((row) => row.finished_at !== null && row.rolled_back_at === null).map((row) => [row.migration_name, row]),
  );
  for (const [name, row] of done) {
    const local = migrations.find((m) => m.name === name);
    if (!local) logger.warn({ migration: name }, 'the database has a migration that is not in prisma/migrations');
    else if (local.checksum !== row.checksum) logger.warn({ migration: name }, 'an applied migration was edited after it was applied');
  }
  return migrations.filter((m) => !done.has(m.name));
}

async function applyOne(client: pg.Client, migration: Migration, logger: Logger): Promise<void> {
  const id = randomUUID();
  await client.query(
    'INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at, applied_steps_count) VALUES ($1, $2, $3, now(), 0)',
    [id, migration.checksum, migration.name],
  );
  try {
    // One simple-protocol query: the script runs as one implicit transaction, as with Prisma.
    await client.query(migration.sql);
  } catch (error) {
    // The script ran as one transaction, so nothing of it stayed: record it as rolled back,
    // which lets the next start (or `prisma migrate deploy`) try it again.
    await client.query('UPDATE "_prisma_migrations" SET logs = $2, rolled_back_at = now() WHERE id = $1', [id, String(error)]);
    throw new Error(`migration ${migration.name} failed: ${(error as Error).message}`);
  }
  await client.query('UPDATE "_prisma_migrations" SET finished_at = now(), applied_steps_count = 1 WHERE id = $1', [id]);
  logger.info({ migration: migration.name }, 'applied migration');
}
