// A seeded world of 10,000 objects syncs to tables that equal the simulator's truth:
// ids, revisions, typed fields and raw payloads; sync_state tells how it went.
import { beforeAll, expect, it } from 'vitest';
import { useTestDatabase } from '../fixtures/database.ts';
import { expectChangeLogConsistent, expectMirrorEqualsTruth, withClient } from '../fixtures/mirror.ts';
import { startSyncFixture, type SyncFixture } from '../fixtures/sync.ts';

const db = useTestDatabase();
let f: SyncFixture;
beforeAll(async () => {
  f = await startSyncFixture(db, { world: { total: 10_000 }, seed: 42 });
});

it('mirrors every object of the world in one session', async () => {
  const summary = await f.engine().runOnce();
  expect(summary).toMatchObject({ started: true, items: 10_000, interrupted: false });

  const { objects } = await expectMirrorEqualsTruth(db.url, f.sim);
  expect(objects).toBe(10_000);
  // One CREATED per object, nothing else.
  const { events } = await expectChangeLogConsistent(db.url);
  expect(events).toBe(10_000);
});

it('records the session in sync_state', async () => {
  const state = await withClient(db.url, (c) => c.query('SELECT * FROM sync_state'));
  expect(state.rows).toHaveLength(1);
  expect(state.rows[0]).toMatchObject({
    device_uuid: f.deviceUuid,
    state: 'idle',
    total_count: '10000',
    count_left: '0',
    items_synced: '10000',
    pages_fetched: '100',
    last_error: null,
  });
  expect(state.rows[0].session_finished_at).toBeInstanceOf(Date);
  expect(state.rows[0].items_per_second).toBeGreaterThan(0);
});

it('finds nothing new in the next session', async () => {
  f.sim.flushAcks();
  expect(await f.engine().runOnce()).toMatchObject({ started: false, items: 0 });
});
