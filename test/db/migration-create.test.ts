// The offline `migrate:create` tool: a schema change becomes the next migration, and a schema
// that matches the migrations gives none. Runs against a copy of the committed migrations.
import { cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { DEFAULT_MIGRATIONS_DIR, DEFAULT_SCHEMA_PATH, createMigration, migrationSlug } from '../../scripts/migration-create/create-migration.ts';
import { withClient } from '../fixtures/postgres-admin.ts';

// The suite's server when the global setup provides one, else the machine's own.
const serverUrl: string =
  (inject('adminDatabaseUrl') as string | undefined) ?? process.env.TEST_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';

const withAdmin = <T>(run: (client: pg.Client) => Promise<T>) => withClient(serverUrl, run);

/** Scratch databases the tool makes; it must drop them all. */
function scratchDatabases(): Promise<string[]> {
  return withAdmin(async (client) => {
    const { rows } = await client.query<{ datname: string }>(
      "SELECT datname FROM pg_database WHERE datname LIKE 'prisma\\_migrate\\_%' ORDER BY 1",
    );
    return rows.map((row) => row.datname);
  });
}

describe('createMigration', () => {
  let dir = '';
  let migrationsDir = '';
  let schemaPath = '';
  let scratchBefore: string[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'bsg-migration-create-'));
    migrationsDir = path.join(dir, 'migrations');
    await cp(DEFAULT_MIGRATIONS_DIR, migrationsDir, { recursive: true });
    // One column more on `pipelines`.
    const schema = await readFile(DEFAULT_SCHEMA_PATH, 'utf8');
    const changed = schema.replace(/(model Pipeline \{\n[^\n]*\n)/, '$1  color     String?\n');
    expect(changed).not.toBe(schema);
    schemaPath = path.join(dir, 'schema.prisma');
    await writeFile(schemaPath, changed);
    scratchBefore = await scratchDatabases();
  });

  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('writes the next migration with the change, then finds nothing more to do', async () => {
    const committed = (await readdir(migrationsDir, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name);
    expect(committed.length).toBeGreaterThan(0);

    const created = await createMigration({ databaseUrl: serverUrl, schemaPath, migrationsDir, name: 'Add pipeline color' });
    expect(created).not.toBeNull();
    const name = path.basename(created!.directory);
    expect(name).toMatch(/^\d{14}_add_pipeline_color$/);
    expect(path.dirname(created!.directory)).toBe(migrationsDir);
    expect(created!.sql).toMatch(/-- AlterTable\nALTER TABLE "pipelines" ADD COLUMN\s+"color" TEXT;/);
    expect(created!.sql).not.toMatch(/CREATE TABLE/);
    expect(await readFile(path.join(created!.directory, 'migration.sql'), 'utf8')).toBe(created!.sql);
    expect(await readFile(path.join(migrationsDir, 'migration_lock.toml'), 'utf8')).toMatch(/^provider = "postgresql"$/m);
    // Sorts after the committed ones, so it is applied last.
    expect([...committed, name].sort()).toEqual([...committed, name]);

    const again = await createMigration({ databaseUrl: serverUrl, schemaPath, migrationsDir, name: 'nothing' });
    expect(again).toBeNull();
    const after = (await readdir(migrationsDir, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name);
    expect(after.sort()).toEqual([...committed, name].sort());

    expect(await scratchDatabases()).toEqual(scratchBefore);
  });

  it('applies cleanly, in order, to an empty database', async () => {
    const database = `bsg_test_migration_create_${process.pid}`;
    await withAdmin((client) => client.query(`CREATE DATABASE ${pg.escapeIdentifier(database)}`));
    try {
      const url = new URL(serverUrl);
      url.pathname = `/${database}`;
      const client = new pg.Client({ connectionString: url.toString() });
      await client.connect();
      try {
        const names = (await readdir(migrationsDir, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name).sort();
        for (const name of names) await client.query(await readFile(path.join(migrationsDir, name, 'migration.sql'), 'utf8'));
        const { rows } = await client.query("SELECT 1 FROM information_schema.columns WHERE table_name = 'pipelines' AND column_name = 'color'");
        expect(rows).toHaveLength(1);
      } finally {
        await client.end();
      }
    } finally {
      await withAdmin((client) => client.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(database)} WITH (FORCE)`));
    }
  });

  it('rejects a name with nothing to slug', async () => {
    await expect(createMigration({ databaseUrl: serverUrl, schemaPath, migrationsDir, name: '  --  ' })).rejects.toThrow(/no letters/);
  });
});

describe('migrationSlug', () => {
  it('names directories as the Prisma CLI does', () => {
    expect(migrationSlug('init')).toBe('init');
    expect(migrationSlug('Add pipeline color')).toBe('add_pipeline_color');
    expect(migrationSlug('addDealTags')).toBe('add_deal_tags');
    expect(migrationSlug('  café / crème-brûlée! ')).toBe('cafe_creme_brulee');
  });
});
