// A mirror made before money kept its text and associated contacts were keyed by their id is
// upgraded in place: money columns get their text with the stored scale, and associations stored
// without an id get negative placeholder ids, so that every row has its key.
import { cp, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { MIGRATIONS_DIR, applyMigrations } from '../../src/db/migrations.ts';
import { silentLogger } from '../../src/logger.ts';
import { useTestDatabase } from '../fixtures/database.ts';
import { withClient } from '../fixtures/mirror.ts';

const db = useTestDatabase({ migrated: false });
let dir = '';
afterAll(() => rm(dir, { recursive: true, force: true }));

it('upgrades money and associated contacts stored by earlier migrations', async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'bsg-migrations-'));
  const all = (await readdir(MIGRATIONS_DIR)).filter((name) => /^\d{14}_/.test(name)).sort();
  const firstNew = all.findIndex((name) => name.endsWith('_money_keeps_its_scale'));
  expect(all.findIndex((name) => name.endsWith('_associated_contacts_keyed_by_id'))).toBeGreaterThan(firstNew);
  for (const name of all.slice(0, firstNew)) await cp(path.join(MIGRATIONS_DIR, name), path.join(dir, name), { recursive: true });
  await cp(path.join(MIGRATIONS_DIR, 'migration_lock.toml'), path.join(dir, 'migration_lock.toml'));
  await applyMigrations({ databaseUrl: db.url, logger: silentLogger(), migrationsDir: dir });

  await withClient(db.url, (c) =>
    c.query(`
      INSERT INTO deals (id, value, raw, revision) VALUES (1, '1200.00', '{}', 1), (2, '-0.50', '{}', 1), (3, NULL, '{}', 1);
      INSERT INTO associated_contacts (deal_id, contact_id, id, role, raw, revision) VALUES
        (1, 10, 77, 'involved', '{}', 1), (1, 11, NULL, 'champion', '{}', 2), (2, 10, NULL, NULL, '{}', 3);
    `),
  );
  const applied = await applyMigrations({ databaseUrl: db.url, logger: silentLogger() });
  expect(applied).toEqual(all.slice(firstNew));

  await withClient(db.url, async (c) => {
    const deals = await c.query(`SELECT id::int, value_text FROM deals ORDER BY id`);
    expect(deals.rows).toEqual([
      { id: 1, value_text: '1200.00' },
      { id: 2, value_text: '-0.50' },
      { id: 3, value_text: null },
    ]);
    const associations = await c.query(`SELECT id::int, deal_id::int, contact_id::int, role FROM associated_contacts ORDER BY deal_id, contact_id`);
    expect(associations.rows).toEqual([
      { id: 77, deal_id: 1, contact_id: 10, role: 'involved' },
      { id: expect.any(Number), deal_id: 1, contact_id: 11, role: 'champion' },
      { id: expect.any(Number), deal_id: 2, contact_id: 10, role: null },
    ]);
    const placeholders = associations.rows.slice(1).map((r) => r.id as number);
    expect(new Set(placeholders).size).toBe(2);
    for (const id of placeholders) expect(id).toBeLessThan(0);
  });
});
