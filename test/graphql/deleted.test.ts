// Objects deleted in Base stay in the mirror as tombstones: connections and by-id queries
// leave them out unless includeDeleted is true, and where they do appear they carry deletedAt.
import { beforeAll, describe, expect, it } from 'vitest';
import { allNodes, useSyncedWorld } from './fixture.ts';

const w = useSyncedWorld({ world: { total: 2000 }, seed: 1 });

const globalId = (type: string, id: number | string) => Buffer.from(`${type}:${id}`).toString('base64');

let leadsBefore: number;
let deletedLeads: number[];
let note: { id: number; dealId: number };
let contactOfDeal: { contactId: number; dealId: number };
/** When the deletes were made upstream. */
let deletedSince: number;

beforeAll(async () => {
  leadsBefore = (await w.query('{ leads { totalCount } }')).leads.totalCount;
  const leads = [...w.f.sim.objects('lead')];
  deletedLeads = [leads[0]!.id, leads[17]!.id, leads.at(-1)!.id];
  const noteOnDeal = [...w.f.sim.objects('note')].find((n) => n.data.resource_type === 'deal')!;
  note = { id: noteOnDeal.id, dealId: noteOnDeal.data.resource_id as number };
  const deal = [...w.f.sim.objects('deal')].find((d) => typeof d.data.contact_id === 'number' && d.id !== note.dealId)!;
  contactOfDeal = { contactId: deal.data.contact_id as number, dealId: deal.id };

  deletedSince = Date.now();
  w.f.sim.changes([
    ...deletedLeads.map((id) => ({ op: 'delete' as const, type: 'lead', id })),
    { op: 'delete', type: 'note', id: note.id },
    { op: 'delete', type: 'contact', id: contactOfDeal.contactId },
  ]);
  w.f.sim.flushAcks();
  const summary = await w.f.engine().runOnce();
  expect(summary).toMatchObject({ started: true, items: deletedLeads.length + 2 });
});

describe('connections', () => {
  it('leave deleted objects out, and count without them', async () => {
    const data = await w.query('query ($ids: [BigInt!]) { leads(first: 100, where: { baseId: { in: $ids } }) { totalCount } }', { ids: deletedLeads });
    expect(data.leads.totalCount).toBe(0);
    const all = await w.query('{ leads { totalCount } }');
    expect(all.leads.totalCount).toBe(leadsBefore - deletedLeads.length);
  });

  it('leave them out of every page', async () => {
    const nodes = await allNodes<{ baseId: number; deletedAt: string | null }>(
      w,
      'query ($first: Int, $after: String) { leads(first: $first, after: $after) { edges { node { baseId deletedAt } } pageInfo { hasNextPage endCursor } } }',
      (data) => data.leads,
    );
    expect(nodes.every((n) => n.deletedAt === null)).toBe(true);
    const seen = nodes.map((n) => n.baseId);
    expect(seen).toHaveLength(leadsBefore - deletedLeads.length);
    for (const id of deletedLeads) expect(seen).not.toContain(id);
  });

  it('include them with includeDeleted: true, carrying deletedAt', async () => {
    const data = await w.query(`{
      leads(first: 100, includeDeleted: true, where: { baseId: { in: ${JSON.stringify(deletedLeads)} } }) { totalCount edges { node { baseId deletedAt } } }
      all: leads(includeDeleted: true) { totalCount }
    }`);
    expect(data.leads.totalCount).toBe(deletedLeads.length);
    expect(data.leads.edges.map((e: any) => e.node.baseId)).toEqual([...deletedLeads].sort((a, b) => a - b));
    for (const { node } of data.leads.edges) {
      expect(Date.parse(node.deletedAt)).toBeGreaterThanOrEqual(deletedSince - 1000);
      expect(Date.parse(node.deletedAt)).toBeLessThanOrEqual(Date.now() + 1000);
    }
    expect(data.all.totalCount).toBe(leadsBefore);
  });

  it('select exactly the deleted ones with includeDeleted and a deletedAt filter', async () => {
    const data = await w.query('{ leads(first: 100, includeDeleted: true, where: { deletedAt: { isNull: false } }) { edges { node { baseId } } } }');
    expect(data.leads.edges.map((e: any) => e.node.baseId)).toEqual([...deletedLeads].sort((a, b) => a - b));
  });

  it('related connections (a deal\'s notes) leave them out unless includeDeleted', async () => {
    const data = await w.query(`{
      deal(baseId: ${note.dealId}) {
        notes(first: 100) { totalCount edges { node { baseId deletedAt } } }
        withDeleted: notes(first: 100, includeDeleted: true) { totalCount edges { node { baseId deletedAt } } }
      }
    }`);
    const live = data.deal.notes.edges.map((e: any) => e.node.baseId);
    const all = data.deal.withDeleted.edges.map((e: any) => e.node);
    expect(live).not.toContain(note.id);
    expect(data.deal.notes.totalCount).toBe(live.length);
    expect(all.map((n: any) => n.baseId)).toContain(note.id);
    expect(data.deal.withDeleted.totalCount).toBe(live.length + 1);
    expect(all.find((n: any) => n.baseId === note.id).deletedAt).not.toBeNull();
  });
});

describe('by id', () => {
  it('answers null for a deleted object', async () => {
    const data = await w.query(`{ lead(baseId: ${deletedLeads[0]}) { baseId } note(baseId: ${note.id}) { baseId } }`);
    expect(data).toEqual({ lead: null, note: null });
  });

  it('answers it with includeDeleted: true, carrying deletedAt and its last data', async () => {
    const data = await w.query(`{ lead(baseId: ${deletedLeads[0]}, includeDeleted: true) { baseId firstName deletedAt } }`);
    expect(data.lead).toMatchObject({ baseId: deletedLeads[0] });
    expect(data.lead.firstName).toEqual(expect.any(String));
    expect(data.lead.deletedAt).toEqual(expect.any(String));
  });

  it('still answers live objects', async () => {
    const live = deletedLeads[0]! + 1;
    const data = await w.query(`{ lead(baseId: ${live}) { baseId deletedAt } }`);
    expect(data.lead).toEqual({ baseId: live, deletedAt: null });
  });

  it('never shows a deleted object as live through node(id), nodes(ids) or a relation', async () => {
    const id = globalId('Lead', deletedLeads[0]!);
    const data = await w.query(`{
      node(id: "${id}") { id ... on Lead { deletedAt } }
      nodes(ids: ["${id}"]) { id ... on Lead { deletedAt } }
      deal(baseId: ${contactOfDeal.dealId}) { contact { baseId deletedAt } }
    }`);
    // Either left out, or there with deletedAt set.
    for (const value of [data.node, data.nodes[0], data.deal.contact]) {
      if (value !== null) expect(value.deletedAt).toEqual(expect.any(String));
    }
  });
});
