// POST /_sim/changes applies creates, updates and deletes (all or nothing) and answers revisions.
import { describe, expect, it } from 'vitest';
import { startSimulator, type ErrorBody } from './fixture.ts';

describe('control: changes', () => {
  it('creates (data merged over generated), updates (merged, revision bumped) and deletes', async () => {
    const c = await startSimulator({ world: { counts: { user: 3, lead: 2 } } });
    const revisionBefore = c.sim.object('lead', 1)!.revision;
    const res = await c.control('POST', '/_sim/changes', [
      { op: 'create', type: 'lead', data: { first_name: 'Grace', tags: ['vip'] } },
      { op: 'update', type: 'lead', id: 1, data: { status: 'Working' } },
      { op: 'delete', type: 'lead', id: 2 },
      { op: 'create', type: 'deal', id: 4_000_000_000, data: { name: 'Big one', value: '1250.50' } },
    ]);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual([
      { type: 'lead', id: 3, revision: c.sim.object('lead', 3)!.revision },
      { type: 'lead', id: 1, revision: c.sim.object('lead', 1)!.revision },
      { type: 'lead', id: 2, revision: 0 },
      { type: 'deal', id: 4_000_000_000, revision: c.sim.object('deal', 4_000_000_000)!.revision },
    ]);
    expect(c.sim.object('lead', 1)!.revision).toBeGreaterThan(revisionBefore);
    const created = c.sim.object('lead', 3)!;
    expect(created.data).toMatchObject({ id: 3, first_name: 'Grace', tags: ['vip'] });
    expect(typeof created.data.last_name).toBe('string'); // generated fields are still there
    expect([1, 2, 3]).toContain(created.data.creator_id); // references point at live users
    const before = c.sim.object('lead', 1)!;
    expect(before.data.status).toBe('Working');
    expect(c.sim.object('lead', 2)).toBeUndefined();
    expect(c.sim.object('deal', 4_000_000_000)!.data).toMatchObject({ name: 'Big one', value: '1250.50' });
  });

  it('an update changes only the given fields (and updated_at)', async () => {
    const c = await startSimulator({ world: { counts: { user: 1, contact: 3 } } });
    const before = c.sim.object('contact', 2)!.data;
    c.sim.changes([{ op: 'update', type: 'contact', id: 2, data: { title: 'VP Sales' } }]);
    const after = c.sim.object('contact', 2)!.data;
    const { title: _t, updated_at: _u, ...restAfter } = after;
    const { title: _t2, updated_at: _u2, ...restBefore } = before;
    expect(restAfter).toEqual(restBefore);
    expect(after.title).toBe('VP Sales');
    expect(after.updated_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  });

  it('objects of a type unknown to every client are synced too', async () => {
    const c = await startSimulator({ world: { counts: { user: 1 } } });
    await c.session();
    c.sim.changes([{ op: 'create', type: 'text_message', data: { body: 'Hi!' } }]);
    const { items } = await c.session();
    const { revision } = c.sim.object('text_message', 1)!;
    expect(items).toEqual([
      {
        data: expect.objectContaining({ id: 1, body: 'Hi!' }),
        meta: { type: 'text_message', sync: { event_type: 'created', ack_key: `TextMessage-1-${revision}`, revision } },
      },
    ]);
  });

  it('a batch naming a missing object is refused with 422 and nothing is applied', async () => {
    const c = await startSimulator({ world: { counts: { lead: 2 } } });
    const { revision } = c.sim.object('lead', 1)!;
    const res = await c.control('POST', '/_sim/changes', [
      { op: 'update', type: 'lead', id: 1, data: { status: 'Working' } },
      { op: 'delete', type: 'lead', id: 99 },
      { op: 'create', type: 'lead', id: 2 },
    ]);
    expect(res.status).toBe(422);
    const body = (await res.json()) as ErrorBody;
    expect(body.errors.map((e) => [e.error.code, e.error.field])).toEqual([
      ['not_found', '[1].id'],
      ['already_exists', '[2].id'],
    ]);
    expect(c.sim.object('lead', 1)!.revision).toBe(revision);
  });

  it('a malformed batch is refused with 400', async () => {
    const c = await startSimulator();
    for (const body of [{ op: 'create' }, [{ op: 'rename', type: 'lead', id: 1 }], [{ op: 'update', type: 'lead' }], [{ op: 'create', type: 'Lead' }]]) {
      expect((await c.control('POST', '/_sim/changes', body)).status).toBe(400);
    }
  });
});
