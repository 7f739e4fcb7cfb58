// A session that Base forgets in the middle of the drain (expired: a laptop that slept, a long
// wait) answers 404: the engine starts a new session, continuously or within `sync --once`'s
// one run, and the mirror converges to the truth.
import { beforeAll, expect, it } from 'vitest';
import { useTestDatabase } from '../fixtures/database.ts';
import { eventually } from '../fixtures/gateway.ts';
import { expectChangeLogConsistent, expectMirrorEqualsTruth } from '../fixtures/mirror.ts';
import { startSyncFixture, type SyncFixture } from '../fixtures/sync.ts';

const db = useTestDatabase();
let f: SyncFixture;
/** Forget the device's sessions when this many acks have come (0: never). */
let expireAfterAcks = 0;
let acks = 0;

beforeAll(async () => {
  f = await startSyncFixture(db, {
    world: { total: 2_000 },
    seed: 8,
    onAck: () => {
      if (++acks === expireAfterAcks) expect(f.sim.expireSessions(), 'a session was forgotten').toBe(1);
    },
  });
});

it('finishes `runOnce` with a new session when the first expires mid-drain', async () => {
  expireAfterAcks = 3;
  const summary = await f.engine().runOnce();
  expect(summary).toMatchObject({ started: true, interrupted: false });
  expect(f.sim.stats()).toMatchObject({ sessionsExpired: 1, sessionsStarted: 2 });
  f.sim.flushAcks();
  await expectMirrorEqualsTruth(db.url, f.sim);
});

it('keeps syncing continuously through expiries, over the control API too', async () => {
  const engine = f.engine();
  void engine.run();
  await eventually(() => engine.status().record?.state === 'idle' && engine.status().record?.lastSuccessAt);
  acks = 0;
  expireAfterAcks = 2;
  f.sim.runActivity(500);
  await eventually(() => f.sim.stats().sessionsExpired === 2);
  // Expired through the control API as well, while more changes come.
  f.sim.runActivity(500);
  await eventually(async () => {
    const res = await fetch(`${f.sim.url}/_sim/sessions/expire`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${f.sim.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ device: f.deviceUuid }),
    });
    return ((await res.json()) as { expired: number }).expired > 0;
  });
  await eventually(async () => {
    f.sim.flushAcks();
    if (f.sim.pendingCount(f.deviceUuid) !== 0 || engine.status().record?.state !== 'idle') return false;
    return expectMirrorEqualsTruth(db.url, f.sim).then(() => true, () => false);
  }, 30_000);
  await expectChangeLogConsistent(db.url);
  await engine.stop();
});
