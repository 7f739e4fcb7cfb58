// The syncer's lock connection terminated on the server (pg_terminate_backend, as an admin or a
// failover proxy would) while a standby waits: the standby syncs within the failover time, the
// old syncer commits nothing more, and every change is in the log and seen by a subscriber once.
import { it } from 'vitest';
import { useFailoverScenario } from '../fixtures/failover.ts';
import { withClient } from '../fixtures/mirror.ts';

const scenario = useFailoverScenario();

it('fails over when the lock connection is terminated', { timeout: 120_000 }, async () => {
  await scenario.run(() =>
    withClient(scenario.db.url, async (c) => {
      await c.query(
        `SELECT pg_terminate_backend(pid) FROM pg_locks
          WHERE locktype = 'advisory' AND granted AND objsubid = 2 AND objid = hashtext($1)::oid`,
        [scenario.deviceUuid],
      );
    }),
  );
});
