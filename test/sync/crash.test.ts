// `sync --once` killed with SIGKILL at random moments, while objects keep changing upstream:
// a final run leaves the mirror equal to the truth, and change_events holds exactly one
// row per real change (no duplicates from redelivered pages, nothing missing).
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { expect, it } from 'vitest';
import { DEMO_TOKEN } from '../../src/simulator/index.ts';
import { runCli } from '../fixtures/cli.ts';
import { useTestDatabase } from '../fixtures/database.ts';
import { useSimulator } from '../fixtures/sync.ts';
import { expectChangeLogConsistent, expectMirrorEqualsTruth } from '../fixtures/mirror.ts';

const db = useTestDatabase();
const device = randomUUID();

// Acks applied with a delay, as Base does: killed runs leave work half-acknowledged.
// Pages a little slow, so that a session lasts long enough to be killed in the middle.
const sim = useSimulator({ world: { total: 8_000 }, seed: 3, ackDelayMs: 20, faults: { latencyMs: 40 } });

// debug: small sessions log their start too.
const env = () => ({ DATABASE_URL: db.url, BASE_API_URL: sim.url, BASE_ACCESS_TOKEN: DEMO_TOKEN, BASE_DEVICE_UUID: device, LOG_LEVEL: 'debug' });

it('recovers from SIGKILL at random moments', { timeout: 300_000 }, async () => {
  let killedMidSession = 0;
  for (let run = 0; killedMidSession < 10 && run < 25; run++) {
    const sync = runCli(['sync', '--once'], env());
    // Let it get somewhere first, then kill it at a random point: fetching, writing or acking.
    await sync.waitFor((l) => String(l.msg).startsWith('sync session started'), 30_000).catch(() => undefined);
    await sleep(Math.floor(Math.random() * 600));
    if (sync.child.exitCode === null) {
      sync.child.kill('SIGKILL');
      killedMidSession++;
    }
    await sync.exited;
    // Enough upstream changes that the next session has pages to be killed in.
    sim.runActivity(1_500);
  }
  expect(killedMidSession).toBeGreaterThanOrEqual(10);

  sim.flushAcks();
  const final = runCli(['sync', '--once'], env());
  expect((await final.exited).code, final.stderr()).toBe(0);
  await expectMirrorEqualsTruth(db.url, sim);
  await expectChangeLogConsistent(db.url);
});
