// `runOnce` (sync --once) keeps its contract under transient failures: it retries them within
// the run and finishes the session; it gives up, saying why, only once it has made no progress
// for the stall time.
import { beforeAll, expect, it } from 'vitest';
import { StalledError } from '../../src/sync/engine.ts';
import { useTestDatabase } from '../fixtures/database.ts';
import { expectMirrorEqualsTruth } from '../fixtures/mirror.ts';
import { startSyncFixture, type SyncFixture } from '../fixtures/sync.ts';

const db = useTestDatabase();
let f: SyncFixture;
beforeAll(async () => {
  f = await startSyncFixture(db, { world: { total: 300 }, seed: 12 });
});

it('gives up with the cause once nothing has worked for the stall time', async () => {
  f.sim.setFaults({ serverErrors: { start: 1 } });
  const run = f.engine({ stallMs: 1000, client: { backoffBaseMs: 5, backoffMaxMs: 50, maxAttempts: 3 } }).runOnce();
  await expect(run).rejects.toBeInstanceOf(StalledError);
  await expect(run).rejects.toThrow(/no progress for 1 s \(SYNC_STALL_SECONDS\): giving up; the last failure: starting a sync session failed 3 times; last: 500/);
});

it('retries what fails for a while, and finishes the session', async () => {
  f.sim.setFaults({ serverErrors: { start: 0.5, queue: 0.5, ack: 0.5 }, seed: 3 });
  const summary = await f.engine({ client: { backoffBaseMs: 5, backoffMaxMs: 50, maxAttempts: 2 } }).runOnce();
  // The session that succeeded may find nothing new: the failed ones before it got everything in.
  expect(summary.interrupted).toBe(false);
  f.sim.setFaults({});
  f.sim.flushAcks();
  await expectMirrorEqualsTruth(db.url, f.sim);
  expect(f.sim.stats().faultsInjected['serverErrors.start'] ?? 0).toBeGreaterThan(0);
});
