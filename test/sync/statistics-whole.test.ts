// After the sync, the planner's statistics are whole: the key-column analyses the syncer runs
// while it grows a table do not leave its other columns without statistics (the planner would
// then guess that `deleted_at IS NULL` matches a handful of rows).
import { beforeAll, expect, it } from 'vitest';
import { useTestDatabase } from '../fixtures/database.ts';
import { withClient } from '../fixtures/mirror.ts';
import { startSyncFixture } from '../fixtures/sync.ts';

const db = useTestDatabase();
beforeAll(async () => {
  const f = await startSyncFixture(db, { world: { total: 5_000 }, seed: 7, activityPerSecond: 0 });
  await f.engine().runOnce();
});

it('leaves statistics of every column of the tables the sync grew', async () => {
  await withClient(db.url, async (c) => {
    const { rows } = await c.query<{ attname: string }>(`SELECT attname FROM pg_stats WHERE schemaname = 'public' AND tablename = 'deals'`);
    expect(rows.map((r) => r.attname)).toEqual(expect.arrayContaining(['id', 'deleted_at', 'name', 'stage_id', 'owner_id', 'contact_id', 'created_at']));
    const { rows: counted } = await c.query<{ n: number }>(`SELECT count(*)::int AS n FROM deals WHERE deleted_at IS NULL`);
    const { rows: plan } = await c.query<{ 'QUERY PLAN': Array<{ Plan: { 'Plan Rows': number } }> }>(`EXPLAIN (FORMAT JSON) SELECT id FROM deals WHERE deleted_at IS NULL`);
    // The planner's estimate of the live deals is their number, not a handful.
    expect(plan[0]!['QUERY PLAN'][0]!.Plan['Plan Rows']).toBeGreaterThan(counted[0]!.n / 2);
  });
});
