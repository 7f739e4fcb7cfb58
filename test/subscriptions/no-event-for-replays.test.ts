// Replayed or stale upstream items write no change event, so subscribers see each real
// change once, though the Sync API delivers at least once.
import { expect, it } from 'vitest';
import { applyPage } from '../../src/store/apply-page.ts';
import { useGateway } from '../fixtures/gateway.ts';

const g = useGateway({ settled: 'lead' });

it('sends nothing for a replayed page or a stale item, then the next real change', async () => {
  const sub = await g.subscribe(`subscription { leadChanged { kind revision node { baseId title } } }`);
  const [lead] = [...g.sim.objects('lead')];
  const item = (revision: number, title: string) => ({ type: 'lead', revision, deleted: false, data: { ...lead!.data, title } });

  // The upstream sends again what the mirror has (a redelivered page), then an older revision.
  expect((await applyPage(g.app.database.prisma, [item(lead!.revision, 'replayed')])).events).toBe(0);
  expect((await applyPage(g.app.database.prisma, [item(lead!.revision - 1, 'stale')])).events).toBe(0);
  // Then a real change.
  const [updated] = g.sim.changes([{ op: 'update', type: 'lead', id: lead!.id, data: { title: 'real' } }]);
  const [first] = await sub.waitFor(1);
  expect(first.leadChanged).toEqual({ kind: 'UPDATED', revision: updated!.revision, node: { baseId: lead!.id, title: 'real' } });
  // The next event is the next real change: nothing came for the replay and the stale item.
  const [marker] = g.sim.changes([{ op: 'update', type: 'lead', id: lead!.id, data: { title: 'marker' } }]);
  const [, second] = await sub.waitFor(2);
  expect(second!.leadChanged).toMatchObject({ revision: marker!.revision, node: { title: 'marker' } });
  expect(sub.results).toHaveLength(2);
});
