// node(id) and nodes(ids) follow the rule of the by-id fields: a deleted object is null, unless
// includeDeleted is true, which answers its tombstone (its last state, with deletedAt set).
import { beforeAll, expect, it } from 'vitest';
import { useSyncedWorld } from './fixture.ts';

const w = useSyncedWorld({ world: { total: 300 }, seed: 4 });

const globalId = (type: string, id: number) => Buffer.from(`${type}:${id}`).toString('base64');

let deleted: { id: number; name: unknown };
let live: number;

beforeAll(async () => {
  const deals = [...w.f.sim.objects('deal')];
  deleted = { id: deals[0]!.id, name: deals[0]!.data.name };
  live = deals[1]!.id;
  w.f.sim.changes([{ op: 'delete', type: 'deal', id: deleted.id }]);
  expect(await w.f.engine().runOnce()).toMatchObject({ started: true, events: 1 });
});

const NODE = `query ($id: ID!, $ids: [ID!]!, $includeDeleted: Boolean) {
  node(id: $id, includeDeleted: $includeDeleted) { id ... on Deal { baseId name deletedAt } }
  nodes(ids: $ids, includeDeleted: $includeDeleted) { id ... on Deal { baseId deletedAt } }
}`;

it('answers null for a deleted deal, in node(id) and nodes(ids)', async () => {
  const data = await w.query(NODE, { id: globalId('Deal', deleted.id), ids: [globalId('Deal', deleted.id), globalId('Deal', live)] });
  expect(data.node).toBeNull();
  expect(data.nodes).toEqual([null, { id: globalId('Deal', live), baseId: live, deletedAt: null }]);
  // As the by-id field does.
  expect(await w.query(`{ deal(baseId: ${deleted.id}) { baseId } }`)).toEqual({ deal: null });
});

it('answers the tombstone with includeDeleted: true', async () => {
  const data = await w.query(NODE, { id: globalId('Deal', deleted.id), ids: [globalId('Deal', deleted.id)], includeDeleted: true });
  expect(data.node).toEqual({ id: globalId('Deal', deleted.id), baseId: deleted.id, name: deleted.name, deletedAt: expect.any(String) });
  expect(data.nodes).toEqual([{ id: globalId('Deal', deleted.id), baseId: deleted.id, deletedAt: data.node.deletedAt }]);
  const byId = await w.query(`{ deal(baseId: ${deleted.id}, includeDeleted: true) { deletedAt } }`);
  expect(byId.deal.deletedAt).toBe(data.node.deletedAt);
});

it('still answers a live deal, with or without includeDeleted', async () => {
  for (const includeDeleted of [false, true]) {
    const data = await w.query(NODE, { id: globalId('Deal', live), ids: [globalId('Deal', live)], includeDeleted });
    expect(data.node).toMatchObject({ baseId: live, deletedAt: null });
  }
});
