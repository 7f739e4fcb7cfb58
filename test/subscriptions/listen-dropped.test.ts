// A dropped LISTEN connection loses nothing: the feed reconnects and catches up from the table.
import { expect, it } from 'vitest';
import { useGateway } from '../fixtures/gateway.ts';
import { withClient } from '../fixtures/mirror.ts';

const g = useGateway({ settled: 'lead' });

it('delivers the changes made while its LISTEN connection was down', async () => {
  const sub = await g.subscribe(`subscription { leadChanged { kind node { firstName } } }`);
  // The database drops the feed's connection (a restart, a network cut, an idle timeout).
  const killed = await withClient(g.db.url, async (c) =>
    (await c.query(`SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity WHERE application_name = 'base-sync-gateway change feed' AND datname = current_database()`)).rows,
  );
  expect(killed).toEqual([{ ok: true }]);
  const made = g.sim.changes([
    { op: 'create', type: 'lead', data: { first_name: 'During' } },
    { op: 'create', type: 'lead', data: { first_name: 'The outage' } },
  ]);
  const got = await sub.waitFor(2, 20_000);
  expect(got.map((r) => r.leadChanged.node.firstName).sort()).toEqual(['During', 'The outage']);
  // And it listens again: the next change arrives too.
  g.sim.changes([{ op: 'update', type: 'lead', id: made[0]!.id, data: { first_name: 'After' } }]);
  const after = await sub.waitFor(3, 20_000);
  expect(after[2]!.leadChanged).toEqual({ kind: 'UPDATED', node: { firstName: 'After' } });
});
