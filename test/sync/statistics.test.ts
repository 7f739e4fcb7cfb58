// The syncer keeps the planner's statistics up with the tables it grows: a table its inserts
// have doubled is analyzed at once (its prepared page statements get plans made for its size),
// without waiting for autovacuum; a table that stays small is left to autovacuum.
import { beforeAll, describe, expect, it } from 'vitest';
import { tablesToAnalyze } from '../../src/store/statistics.ts';
import { useTestDatabase } from '../fixtures/database.ts';
import { withClient } from '../fixtures/mirror.ts';
import { startSyncFixture } from '../fixtures/sync.ts';

describe('tablesToAnalyze', () => {
  it('picks a table once its inserts reach what it held at its last analysis, and at least the minimum', () => {
    const inserted = new Map([['leads', 600], ['deals', 600], ['notes', 100], ['users', 40_000]]);
    const analyzed = new Map([['deals', 1000], ['users', 30_000]]);
    expect(tablesToAnalyze(inserted, analyzed, 500).sort()).toEqual(['leads', 'users']);
  });
});

describe('an initial sync', () => {
  const db = useTestDatabase();
  beforeAll(async () => {
    const f = await startSyncFixture(db, { world: { total: 5_000 }, seed: 5, activityPerSecond: 0 });
    await f.engine().runOnce();
  });
  const stats = (table: string) =>
    withClient(db.url, async (c) => {
      const { rows } = await c.query(
        `SELECT s.last_analyze, c.reltuples::float8 AS estimate, (SELECT count(*) FROM "${table}")::float8 AS rows
         FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid WHERE s.relname = $1`,
        [table],
      );
      return rows[0] as { last_analyze: Date | null; estimate: number; rows: number };
    });

  it('leaves the tables it grew analyzed, their size known to the planner', async () => {
    const contacts = await stats('contacts');
    expect(contacts.rows).toBeGreaterThan(500);
    expect(contacts.last_analyze).not.toBeNull();
    // Analyzed when the inserts last doubled it: within a factor of two of its size now.
    expect(contacts.estimate).toBeGreaterThanOrEqual(contacts.rows / 2);
  });

  it('does not analyze the small tables', async () => {
    const pipelines = await stats('pipelines');
    expect(pipelines.rows).toBeLessThan(500);
    expect(pipelines.last_analyze).toBeNull();
  });
});
