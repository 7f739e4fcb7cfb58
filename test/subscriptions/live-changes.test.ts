// A change made upstream reaches a graphql-ws subscriber with the right kind and data:
// create, update and delete, for several types.
import { expect, it } from 'vitest';
import { useGateway } from '../fixtures/gateway.ts';

const g = useGateway({ settled: 'deal' });

it('delivers created, updated and deleted deals with their data', async () => {
  const sub = await g.subscribe(`subscription { dealChanged { cursor kind revision node { baseId name value deletedAt owner { name } } } }`);
  const [made] = g.sim.changes([{ op: 'create', type: 'deal', data: { name: 'Big one', value: '1000000.00' } }]);
  const [first] = await sub.waitFor(1);
  expect(first.dealChanged).toMatchObject({ kind: 'CREATED', revision: made!.revision, node: { baseId: made!.id, name: 'Big one', value: '1000000.00', deletedAt: null } });

  const [updated] = g.sim.changes([{ op: 'update', type: 'deal', id: made!.id, data: { name: 'Bigger one' } }]);
  const second = (await sub.waitFor(2))[1];
  expect(second.dealChanged).toMatchObject({ kind: 'UPDATED', revision: updated!.revision, node: { name: 'Bigger one' } });

  g.sim.changes([{ op: 'delete', type: 'deal', id: made!.id }]);
  const third = (await sub.waitFor(3))[2];
  expect(third.dealChanged).toMatchObject({ kind: 'DELETED', node: { baseId: made!.id, name: 'Bigger one', deletedAt: expect.any(String) } });
  // Cursors grow with each event.
  const cursors = sub.results.map((r) => BigInt(r.dealChanged.cursor));
  expect(cursors).toEqual([...cursors].sort((a, b) => (a < b ? -1 : 1)));
  sub.stop();
});

it('delivers changes of every type through `changes`, with the node as stored', async () => {
  const sub = await g.subscribe(`subscription { changes(types: [LEAD, CONTACT, NOTE]) { kind type baseId node { id ... on Lead { firstName } ... on Contact { name } ... on Note { content } } } }`);
  const made = g.sim.changes([
    { op: 'create', type: 'lead', data: { first_name: 'Lin' } },
    { op: 'create', type: 'contact', data: { name: 'Acme Rockets', is_organization: true } },
    { op: 'create', type: 'note', data: { content: 'Call back Tuesday' } },
    { op: 'create', type: 'deal', data: { name: 'not subscribed' } },
  ]);
  const got = await sub.waitFor(3);
  expect(got.map((r) => r.changes).sort((a, b) => a.type.localeCompare(b.type))).toEqual([
    { kind: 'CREATED', type: 'CONTACT', baseId: made[1]!.id, node: { id: expect.any(String), name: 'Acme Rockets' } },
    { kind: 'CREATED', type: 'LEAD', baseId: made[0]!.id, node: { id: expect.any(String), firstName: 'Lin' } },
    { kind: 'CREATED', type: 'NOTE', baseId: made[2]!.id, node: { id: expect.any(String), content: 'Call back Tuesday' } },
  ]);
  sub.stop();
});

it('delivers an associated contact with just the fields asked for', async () => {
  const sub = await g.subscribe(`subscription { associatedContactChanged { kind node { role } } }`);
  g.sim.changes([{ op: 'create', type: 'associated_contact', data: { role: 'decision maker' } }]);
  const [first] = await sub.waitFor(1);
  expect(first.associatedContactChanged).toEqual({ kind: 'CREATED', node: { role: 'decision maker' } });
  sub.stop();
});
