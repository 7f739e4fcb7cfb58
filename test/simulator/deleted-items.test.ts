// Deletes carry only the id, at revision 0; deletes of objects a device never had are dropped
// unless the phantomDeletes fault asks for them (the real API sends some).
import { describe, expect, it } from 'vitest';
import { startSimulator } from './fixture.ts';

describe('deleted items', () => {
  it('a delete is {"id":N} with revision 0 and ack key <Type>-<id>-0', async () => {
    const c = await startSimulator({ world: { counts: { user: 1, deal: 2 } } });
    await c.session();
    const [deal] = [...c.sim.objects('deal')];
    c.sim.changes([{ op: 'delete', type: 'deal', id: deal!.id }]);
    const { items } = await c.session();
    expect(items).toEqual([
      { data: { id: deal!.id }, meta: { type: 'deal', sync: { event_type: 'deleted', ack_key: `Deal-${deal!.id}-0`, revision: 0 } } },
    ]);
    expect((await c.start()).status).toBe(204);
  });

  it('a delete of an object the device was never sent is dropped from its queue', async () => {
    const c = await startSimulator({ world: { counts: { user: 1 } } });
    await c.session();
    const [lead] = c.sim.changes([{ op: 'create', type: 'lead' }]);
    c.sim.changes([{ op: 'delete', type: 'lead', id: lead!.id }]);
    expect((await c.start()).status).toBe(204);
  });

  it('a delete of an object handed out but not acked is still sent', async () => {
    const c = await startSimulator({ world: { counts: { user: 1, lead: 1 } } });
    await c.session(undefined, { ack: false });
    c.sim.changes([{ op: 'delete', type: 'lead', id: 1 }]);
    const { items } = await c.session();
    expect(items.find((i) => i.meta.type === 'lead')?.meta.sync.event_type).toBe('deleted');
  });

  it('with the phantomDeletes fault, deletes of never-received objects are sent anyway', async () => {
    const c = await startSimulator({ world: { counts: { user: 1 } }, faults: { phantomDeletes: 1 } });
    await c.session();
    const [lead] = c.sim.changes([{ op: 'create', type: 'lead' }]);
    c.sim.changes([{ op: 'delete', type: 'lead', id: lead!.id }]);
    const { items } = await c.session();
    expect(items).toEqual([
      { data: { id: lead!.id }, meta: { type: 'lead', sync: { event_type: 'deleted', ack_key: `Lead-${lead!.id}-0`, revision: 0 } } },
    ]);
  });
});
