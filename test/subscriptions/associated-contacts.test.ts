// A subscriber follows associations by their id: a move to another pair is an UPDATED of the
// same association, a new one on a pair linked before is another association, and each event's
// node (the association as stored) has the global id node(id) answers it by.
import { expect, it } from 'vitest';
import type { Change } from '../../src/simulator/index.ts';
import { collect, eventually, useGateway } from '../fixtures/gateway.ts';

const g = useGateway({ sim: { world: { counts: { user: 1, deal: 1, contact: 3 } } }, settled: 'contact' });

const post = async (query: string, variables: Record<string, unknown> = {}) => {
  const res = await fetch(`${g.app.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query, variables }) });
  return ((await res.json()) as { data: any }).data;
};

it('delivers create, move, a new association on the old pair and delete, each keyed by its id', async () => {
  const { latestChangeCursor: after } = await post('{ latestChangeCursor }');
  const deal = [...g.sim.objects('deal')][0]!.id;
  const [p, p2] = [...g.sim.objects('contact')].filter((c) => !c.data.is_organization).map((c) => c.id);
  /** Applies a change upstream and waits until the mirror has synced it (one session each). */
  const step = async (change: Change) => {
    const [result] = g.sim.changes([change]);
    await eventually(async () => {
      const { associatedContact } = await post('query ($id: BigInt!) { associatedContact(baseId: $id, includeDeleted: true) { revision deletedAt } }', { id: result!.id });
      return change.op === 'delete' ? associatedContact?.deletedAt : associatedContact?.revision === result!.revision;
    });
    return result!;
  };
  const a = await step({ op: 'create', type: 'associated_contact', data: { deal_id: deal, contact_id: p, role: 'involved' } });
  const moved = await step({ op: 'update', type: 'associated_contact', id: a.id, data: { contact_id: p2 } });
  const b = await step({ op: 'create', type: 'associated_contact', data: { deal_id: deal, contact_id: p, role: 'champion' } });
  await step({ op: 'delete', type: 'associated_contact', id: a.id });

  const sub = collect(g.client(), `subscription ($after: String) { associatedContactChanged(after: $after) { kind revision node { id baseId dealId contactId role } } }`, { after });
  const events = (await sub.waitFor(4)).map((r) => r.associatedContactChanged);
  sub.stop();
  // The revision each change stored; the node is the association as stored now (A moved, then deleted).
  expect(events.map((e) => [e.kind, e.revision, e.node.baseId])).toEqual([
    ['CREATED', a.revision, a.id],
    ['UPDATED', moved.revision, a.id],
    ['CREATED', b.revision, b.id],
    ['DELETED', moved.revision, a.id],
  ]);
  expect(events[0].node).toEqual({ id: expect.any(String), baseId: a.id, dealId: deal, contactId: p2, role: 'involved' });
  expect(events[2].node).toEqual({ id: expect.any(String), baseId: b.id, dealId: deal, contactId: p, role: 'champion' });
  const [ofA, , ofB] = events.map((e) => e.node.id);
  expect(new Set(events.filter((e) => e.node.baseId === a.id).map((e) => e.node.id))).toEqual(new Set([ofA]));
  expect(ofB).not.toBe(ofA);
  const { node: found } = await post('query ($id: ID!) { node(id: $id, includeDeleted: true) { ... on AssociatedContact { baseId contactId } } }', { id: ofA });
  expect(found).toEqual({ baseId: a.id, contactId: p2 });
});
