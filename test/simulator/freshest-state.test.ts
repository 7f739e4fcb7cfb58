// The queue holds the freshest state of each object: one item per object, at its latest revision.
import { describe, expect, it } from 'vitest';
import { keyOf, startSimulator } from './fixture.ts';

describe('freshest state', () => {
  it('an object created then updated between sessions arrives once, at its last revision, as created', async () => {
    const c = await startSimulator({ world: { counts: { user: 2, lead: 3 } } });
    await c.session();
    const [created] = c.sim.changes([{ op: 'create', type: 'lead', data: { first_name: 'Ada' } }]);
    const [, last] = c.sim.changes([
      { op: 'update', type: 'lead', id: created!.id, data: { status: 'Working' } },
      { op: 'update', type: 'lead', id: created!.id, data: { last_name: 'Lovelace' } },
    ]);
    const { items } = await c.session();
    expect(items).toHaveLength(1);
    const [item] = items;
    const { revision } = last!;
    expect(item!.meta).toEqual({ type: 'lead', sync: { event_type: 'created', ack_key: `Lead-${created!.id}-${revision}`, revision } });
    expect(item!.data).toMatchObject({ id: created!.id, first_name: 'Ada', last_name: 'Lovelace', status: 'Working' });
  });

  it('an object the device acked comes back as updated, with a higher revision', async () => {
    const c = await startSimulator({ world: { counts: { user: 2, lead: 3 } } });
    const first = await c.session();
    const lead = first.items.find((i) => i.meta.type === 'lead')!;
    const [result] = c.sim.changes([{ op: 'update', type: 'lead', id: lead.data.id as number, data: { title: 'CTO' } }]);
    const { items } = await c.session();
    expect(items.map(keyOf)).toEqual([keyOf(lead)]);
    expect(items[0]!.meta.sync.event_type).toBe('updated');
    expect(items[0]!.meta.sync.revision).toBe(result!.revision);
    expect(items[0]!.meta.sync.revision).toBeGreaterThan(lead.meta.sync.revision);
    expect(items[0]!.data.title).toBe('CTO');
  });

  it('ack keys are <PascalType>-<id>-<revision>', async () => {
    const c = await startSimulator({ world: { counts: { lead: 1, line_item: 1, associated_contact: 1 } } });
    const { items } = await c.session(undefined, { ack: false });
    const key = (pascal: string, type: string) => `${pascal}-1-${c.sim.object(type, 1)!.revision}`;
    expect(items.map((i) => [i.meta.type, i.meta.sync.ack_key]).sort()).toEqual([
      ['associated_contact', key('AssociatedContact', 'associated_contact')],
      ['lead', key('Lead', 'lead')],
      ['line_item', key('LineItem', 'line_item')],
    ]);
  });
});
