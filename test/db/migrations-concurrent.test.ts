// Two processes starting at once against one empty database: both succeed, each migration runs once.
import pg from 'pg';
import { expect, it } from 'vitest';
import { applyMigrations, readMigrations } from '../../src/db/migrations.ts';
import { silentLogger } from '../../src/logger.ts';
import { useTestDatabase } from '../fixtures/database.ts';

const db = useTestDatabase({ migrated: false });

it('serialises concurrent starts so every migration is applied exactly once', async () => {
  const runs = await Promise.all(
    Array.from({ length: 4 }, () => applyMigrations({ databaseUrl: db.url, logger: silentLogger() })),
  );
  const migrations = await readMigrations();
  // Exactly one run applied them; the others found nothing to do.
  expect(runs.filter((names) => names.length > 0)).toEqual([migrations.map((m) => m.name)]);

  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  const { rows } = await client.query('SELECT migration_name, count(*)::int AS n FROM _prisma_migrations GROUP BY 1 ORDER BY 1');
  await client.end();
  expect(rows).toEqual(migrations.map((m) => ({ migration_name: m.name, n: 1 })));
});
