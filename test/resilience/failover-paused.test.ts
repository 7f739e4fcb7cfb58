// The syncer process paused (SIGSTOP: a frozen VM, a debugger) while a standby waits: its
// connections stay open and its kernel answers keepalives, so the server keeps its lock for
// good. The standby, seeing its lease expired, ends that session and takes over within the
// failover time. Resumed (SIGCONT), the old syncer commits nothing more (every commit is traced
// to its connection by a trigger) and stands by; every change is in the log once and a
// subscriber sees each once.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { DEMO_TOKEN } from '../../src/simulator/index.ts';
import { runCli, type CliProcess } from '../fixtures/cli.ts';
import { createMember, eventCount, expectConverged, FAILOVER_MS, useSubscriber, type Member } from '../fixtures/failover.ts';
import { useTestDatabase } from '../fixtures/database.ts';
import { eventually } from '../fixtures/gateway.ts';
import { withClient } from '../fixtures/mirror.ts';
import { useSimulator } from '../fixtures/sync.ts';
import { randomUUID } from 'node:crypto';

const db = useTestDatabase();
const sim = useSimulator({ world: { total: 500 }, seed: 33, ackDelayMs: 0 });
const subscriber = useSubscriber(db);
const deviceUuid = randomUUID();
const PAUSED = 'paused-syncer';
let leader: CliProcess;
let standby: Member;

beforeAll(async () => {
  // Which connection committed each change event.
  await withClient(db.url, (c) =>
    c.query(`CREATE TABLE committed_by (seq bigint, app text);
      CREATE FUNCTION note_committer() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN INSERT INTO committed_by VALUES (NEW.seq, current_setting('application_name')); RETURN NULL; END $$;
      CREATE TRIGGER note_committer AFTER INSERT ON change_events FOR EACH ROW EXECUTE FUNCTION note_committer();`),
  );
  const url = new URL(db.url);
  url.searchParams.set('application_name', PAUSED);
  leader = runCli(['serve'], {
    DATABASE_URL: url.toString(),
    BASE_API_URL: sim.url,
    BASE_ACCESS_TOKEN: DEMO_TOKEN,
    BASE_DEVICE_UUID: deviceUuid,
    PORT: '0',
    SYNC_INTERVAL_MS: '100',
    SYNC_FAILOVER_SECONDS: String(FAILOVER_MS / 1000),
  });
  await leader.waitFor((l) => l.msg === 'this process is the syncer');
  await leader.waitFor((l) => String(l.msg).startsWith('sync session finished'));
  standby = createMember(db.url, sim, deviceUuid);
  void standby.engine.run();
  await eventually(() => standby.engine.role === 'standby');
}, 120_000);
afterAll(async () => {
  if (leader?.child.signalCode === null) leader.child.kill('SIGCONT');
  await standby?.engine.stop();
  await standby?.prisma.$disconnect();
});

const committedBy = (app: string) =>
  withClient(db.url, async (c) => (await c.query<{ seq: string }>('SELECT seq::text FROM committed_by WHERE app = $1 ORDER BY seq', [app])).rows.map((r) => BigInt(r.seq)));

it('fails over from a paused syncer, which commits nothing more once resumed', { timeout: 120_000 }, async () => {
  sim.setActivity(20);
  await eventually(async () => (await committedBy(PAUSED)).length > 3);
  const before = await eventCount(db.url);
  const paused = Date.now();
  leader.child.kill('SIGSTOP');

  await eventually(() => standby.progress.length > 0, FAILOVER_MS + 5000);
  expect(standby.progress[0]! - paused, 'the standby syncs within the failover time').toBeLessThanOrEqual(FAILOVER_MS);
  // Keep it paused until the standby has committed changes of its own, then resume it.
  await eventually(async () => (await committedBy('')).length > 3);
  const seenBefore = leader.lines.length;
  leader.child.kill('SIGCONT');
  // It notices it lost the lead, and stands by.
  await leader.waitFor((l) => String(l.msg).startsWith('no longer the syncer'), 20_000);
  await eventually(() => leader.lines.slice(seenBefore).some((l) => String(l.msg).startsWith('another process is the syncer')), 20_000);
  expect(standby.engine.role).toBe('syncer');

  const firstOfStandby = (await committedBy(''))[0]!;
  expect((await committedBy(PAUSED)).filter((seq) => seq > firstOfStandby), 'changes the paused syncer committed after the takeover').toEqual([]);
  await expectConverged(db, sim, deviceUuid, subscriber.events, before);
  expect((await committedBy(PAUSED)).filter((seq) => seq > firstOfStandby)).toEqual([]);
  await leader.stop();
});
