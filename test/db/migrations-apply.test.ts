// Migrations apply to an empty database, and a second run changes nothing.
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { applyMigrations, readMigrations } from '../../src/db/migrations.ts';
import { silentLogger } from '../../src/logger.ts';
import { useTestDatabase } from '../fixtures/database.ts';

const db = useTestDatabase({ migrated: false });

async function snapshot(url: string) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const columns = await client.query(
      `SELECT table_name, column_name, data_type, is_nullable FROM information_schema.columns
       WHERE table_schema = 'public' ORDER BY table_name, column_name`,
    );
    const indexes = await client.query(`SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' ORDER BY indexname`);
    const history = await client.query(
      `SELECT migration_name, checksum, finished_at, applied_steps_count FROM _prisma_migrations ORDER BY migration_name`,
    );
    return { columns: columns.rows, indexes: indexes.rows, history: history.rows };
  } finally {
    await client.end();
  }
}

describe('applying migrations', () => {
  it('creates the schema on an empty database and records each migration as Prisma does', async () => {
    const migrations = await readMigrations();
    expect(migrations.length).toBeGreaterThan(0);

    const applied = await applyMigrations({ databaseUrl: db.url, logger: silentLogger() });
    expect(applied).toEqual(migrations.map((m) => m.name));

    const state = await snapshot(db.url);
    expect(state.history.map((row) => row.migration_name)).toEqual(migrations.map((m) => m.name));
    for (const row of state.history) {
      expect(row.finished_at).toBeInstanceOf(Date);
      expect(row.applied_steps_count).toBe(1);
      expect(row.checksum).toMatch(/^[0-9a-f]{64}$/);
    }
    expect(state.columns.some((c) => c.table_name === 'deals' && c.column_name === 'stage_id')).toBe(true);
  });

  it('changes nothing when run again', async () => {
    const before = await snapshot(db.url);
    const applied = await applyMigrations({ databaseUrl: db.url, logger: silentLogger() });
    expect(applied).toEqual([]);
    expect(await snapshot(db.url)).toEqual(before);
  });
});
