// A client that disconnects while 500 changes happen and comes back with its last cursor
// gets exactly the missed events, in order, then live ones.
import { expect, it } from 'vitest';
import { collect, eventually, useGateway } from '../fixtures/gateway.ts';

const g = useGateway({ settled: 'lead' });

const QUERY = `subscription($after: String) { leadChanged(after: $after) { cursor kind node { baseId } } }`;

it('replays what was missed, then goes on live, with no gap or duplicate', async () => {
  const first = await g.subscribe(QUERY);
  const [lead] = g.sim.changes([{ op: 'create', type: 'lead', data: { first_name: 'Start' } }]);
  const [seen] = await first.waitFor(1);
  first.stop();
  const cursor = seen.leadChanged.cursor as string;

  // 500 changes while away: creates and updates of several leads.
  const expected: string[] = [];
  for (let i = 0; i < 50; i++) {
    const batch = g.sim.changes(
      Array.from({ length: 10 }, (_, j) =>
        j === 0 ? { op: 'update' as const, type: 'lead', id: lead!.id, data: { title: `round ${i}` } } : { op: 'create' as const, type: 'lead', data: { first_name: `L${i}-${j}` } },
      ),
    );
    // Each batch is synced before the next, so every change is its own event.
    await eventually(async () => (await g.app.database.prisma.lead.findUnique({ where: { id: BigInt(batch[9]!.id) } })) !== null);
    expected.push(...batch.map((r) => String(r.id)));
  }

  const back = collect(g.client(), QUERY, { after: cursor });
  const replayed = await back.waitFor(500, 30_000);
  // Exactly the missed changes…
  expect(replayed.map((r) => String(r.leadChanged.node.baseId)).sort()).toEqual([...expected].sort());
  expect(replayed.filter((r) => r.leadChanged.kind === 'UPDATED')).toHaveLength(50);
  // …in the order of the change log (the order within one upstream page is the mirror's).
  const log = await g.app.database.prisma.changeEvent.findMany({ where: { seq: { gt: BigInt(cursor) }, type: 'lead' }, orderBy: { seq: 'asc' } });
  expect(replayed.map((r) => [r.leadChanged.cursor, String(r.leadChanged.node.baseId)])).toEqual(log.slice(0, 500).map((e) => [String(e.seq), String(e.resourceId)]));

  // Then live.
  const [live] = g.sim.changes([{ op: 'create', type: 'lead', data: { first_name: 'Live' } }]);
  const all = await back.waitFor(501);
  expect(String(all[500]!.leadChanged.node.baseId)).toBe(String(live!.id));
  // Nothing after it but the next change: no event came twice across the seam.
  const [marker] = g.sim.changes([{ op: 'create', type: 'lead', data: { first_name: 'Marker' } }]);
  const more = await back.waitFor(502);
  expect(String(more[501]!.leadChanged.node.baseId)).toBe(String(marker!.id));
  expect(back.results).toHaveLength(502);
});

it('refuses a cursor that is not one', async () => {
  const bad = collect(g.client(), QUERY, { after: 'yesterday' });
  expect(JSON.stringify(await bad.failed())).toContain('is not a change cursor');
});
