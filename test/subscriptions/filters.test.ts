// Typed subscriptions filter by kind and by the same `where` as the queries, relations included.
import { expect, it } from 'vitest';
import { eventually, useGateway } from '../fixtures/gateway.ts';

const g = useGateway({ settled: 'deal' });

it('delivers only the matching kinds and objects', async () => {
  const [owner, other] = [...g.sim.objects('user')];
  const mine = await g.subscribe(`subscription($owner: BigInt!) { dealChanged(where: { owner: { baseId: { eq: $owner } } }) { kind node { name ownerId } } }`, { owner: owner!.id });
  const updatesOnly = await g.subscribe(`subscription { dealChanged(kinds: [UPDATED], where: { name: { contains: "watch" } }) { kind node { name } } }`);

  const made = g.sim.changes([
    { op: 'create', type: 'deal', data: { name: 'Watch me', owner_id: owner!.id } },
    { op: 'create', type: 'deal', data: { name: 'Watch others', owner_id: other!.id } },
  ]);
  await eventually(() => mine.results.length >= 1);
  g.sim.changes([
    { op: 'update', type: 'deal', id: made[0]!.id, data: { hot: true } },
    { op: 'update', type: 'deal', id: made[1]!.id, data: { hot: true } },
  ]);
  await mine.waitFor(2);
  await updatesOnly.waitFor(2);
  // A last change that matches both, so that anything wrongly let through would have arrived before it.
  g.sim.changes([{ op: 'update', type: 'deal', id: made[0]!.id, data: { name: 'Watch me again' } }]);
  await mine.waitFor(3);
  await updatesOnly.waitFor(3);

  expect(mine.results.map((r) => [r.dealChanged.kind, r.dealChanged.node.name])).toEqual([
    ['CREATED', 'Watch me'],
    ['UPDATED', 'Watch me'],
    ['UPDATED', 'Watch me again'],
  ]);
  expect(updatesOnly.results.map((r) => r.dealChanged.kind)).toEqual(['UPDATED', 'UPDATED', 'UPDATED']);
  expect(updatesOnly.results.map((r) => r.dealChanged.node.name).sort()).toEqual(['Watch me', 'Watch me again', 'Watch others']);
});
