// With every fault of the simulator on, the mirror still converges to the truth, and no
// key is ever acked before the data it names has committed.
import { beforeAll, expect, it } from 'vitest';
import { isResourceType, TABLES } from '../../src/resource-types.ts';
import { useTestDatabase } from '../fixtures/database.ts';
import { expectChangeLogConsistent, expectMirrorEqualsTruth, parseAckKey, withClient } from '../fixtures/mirror.ts';
import { startSyncFixture, type SyncFixture } from '../fixtures/sync.ts';

const db = useTestDatabase();
let f: SyncFixture;
const earlyAcks: string[] = [];
let acksChecked = 0;

/** Called by the simulator with each ack, before accepting it: the acked state must already be stored. */
async function checkAcked(keys: readonly string[]): Promise<void> {
  await withClient(db.url, async (client) => {
    for (const key of keys) {
      const { type, id, revision } = parseAckKey(key);
      const { rows } = isResourceType(type)
        ? await client.query(`SELECT revision::int AS revision, deleted_at FROM "${TABLES[type]}" WHERE id = $1`, [id])
        : await client.query(`SELECT revision::int AS revision, deleted_at FROM other_resources WHERE type = $1 AND id = $2`, [type, id]);
      const row = rows[0];
      // A delete (revision 0) of an object we never had leaves nothing to store.
      const stored = revision === 0 ? !row || row.deleted_at !== null : row !== undefined && row.revision >= revision;
      if (!stored) earlyAcks.push(key);
      acksChecked++;
    }
  });
}

beforeAll(async () => {
  f = await startSyncFixture(db, {
    world: { total: 3_000 },
    seed: 11,
    onAck: (_device, keys) => checkAcked(keys),
    faults: {
      seed: 5,
      serverErrors: { start: 0.1, queue: 0.1, ack: 0.1 },
      rateLimit: 0.05,
      retryAfterSeconds: 0,
      connectionReset: 0.05,
      malformedJson: 0.05,
      emptyPages: 0.1,
      failedObjects: 0.02,
      phantomDeletes: 0.5,
    },
  });
});

it('converges under faults while objects keep changing', async () => {
  let failedSeen = 0;
  for (let round = 0; round < 6; round++) {
    await f.engine().runOnce().catch(() => undefined); // a session may give up; the next one resumes
    failedSeen = Math.max(failedSeen, Number((await withClient(db.url, (c) => c.query('SELECT count(*) FROM failed_objects'))).rows[0].count));
    f.sim.runActivity(100);
  }
  expect(failedSeen, 'some objects were reported failed and remembered').toBeGreaterThan(0);

  // Faults off: sessions until one finds nothing new (failed objects and redeliveries all in).
  f.sim.setFaults({});
  for (let round = 0; round < 5; round++) {
    f.sim.flushAcks();
    const summary = await f.engine().runOnce();
    if (!summary.started) break;
  }
  await expectMirrorEqualsTruth(db.url, f.sim);
  await expectChangeLogConsistent(db.url);
  expect((await withClient(db.url, (c) => c.query('SELECT count(*)::int AS n FROM failed_objects'))).rows[0].n).toBe(0);

  const injected = f.sim.stats().faultsInjected;
  for (const kind of ['serverErrors.queue', 'serverErrors.ack', 'rateLimit', 'connectionReset', 'malformedJson', 'emptyPages', 'failedObjects']) {
    expect(injected[kind], `${kind} was injected`).toBeGreaterThan(0);
  }
  expect(acksChecked).toBeGreaterThan(3_000);
  expect(earlyAcks).toEqual([]);
});
