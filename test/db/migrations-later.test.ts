// A database migrated earlier receives a migration added later, and only that one.
import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, expect, it } from 'vitest';
import { MIGRATIONS_DIR, applyMigrations, readMigrations } from '../../src/db/migrations.ts';
import { silentLogger } from '../../src/logger.ts';
import { useTestDatabase } from '../fixtures/database.ts';

const db = useTestDatabase({ migrated: false });
let dir = '';
afterAll(() => rm(dir, { recursive: true, force: true }));

it('applies a new migration to an already-migrated database', async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'bsg-migrations-'));
  await cp(MIGRATIONS_DIR, dir, { recursive: true });
  const first = await applyMigrations({ databaseUrl: db.url, logger: silentLogger(), migrationsDir: dir });
  expect(first.length).toBe((await readMigrations()).length);

  const name = '99990101000000_add_lead_score';
  await mkdir(path.join(dir, name));
  await writeFile(path.join(dir, name, 'migration.sql'), 'ALTER TABLE "leads" ADD COLUMN "score" INTEGER;\n');
  expect(await applyMigrations({ databaseUrl: db.url, logger: silentLogger(), migrationsDir: dir })).toEqual([name]);

  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  const { rowCount } = await client.query(
    `SELECT 1 FROM information_schema.columns WHERE table_name = 'leads' AND column_name = 'score'`,
  );
  await client.end();
  expect(rowCount).toBe(1);
});

it('rolls back a failing migration whole and retries it on the next start', async () => {
  const name = '99990102000000_broken';
  await mkdir(path.join(dir, name));
  await writeFile(path.join(dir, name, 'migration.sql'), 'ALTER TABLE "leads" ADD COLUMN "half" INTEGER;\nSELECT no_such_function();\n');
  await expect(applyMigrations({ databaseUrl: db.url, logger: silentLogger(), migrationsDir: dir })).rejects.toThrow(
    /migration 99990102000000_broken failed/,
  );
  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  const half = await client.query(`SELECT 1 FROM information_schema.columns WHERE table_name = 'leads' AND column_name = 'half'`);
  expect(half.rowCount).toBe(0);

  await writeFile(path.join(dir, name, 'migration.sql'), 'ALTER TABLE "leads" ADD COLUMN "half" INTEGER;\n');
  expect(await applyMigrations({ databaseUrl: db.url, logger: silentLogger(), migrationsDir: dir })).toEqual([name]);
  const rows = await client.query('SELECT finished_at, rolled_back_at FROM _prisma_migrations WHERE migration_name = $1 ORDER BY started_at', [name]);
  await client.end();
  expect(rows.rows.map((r) => [r.finished_at !== null, r.rolled_back_at !== null])).toEqual([
    [false, true],
    [true, false],
  ]);
});
