// count_left is exact while the queue changes under a session: creates add, dropped deletes remove.
import { describe, expect, it } from 'vitest';
import { keyOf, startSimulator, type PageBody } from './fixture.ts';

describe('count_left', () => {
  it('follows creates and deletes that happen during a session', async () => {
    const c = await startSimulator({ world: { counts: { user: 10, lead: 240 } } });
    const { id, total } = await c.startSession();
    expect(total).toBe(250);
    const first = (await (await c.page(id)).json()) as PageBody;
    expect(first.meta.count_left).toBe(150);
    const handedOut = new Set(first.items.map(keyOf));
    // Ten leads not handed out yet are deleted (dropped: this device never had them), three created.
    const doomed = [...c.sim.objects('lead')].filter((o) => !handedOut.has(`lead:${o.id}`)).slice(0, 10);
    c.sim.changes(doomed.map((o) => ({ op: 'delete' as const, type: 'lead', id: o.id })));
    c.sim.changes([1, 2, 3].map(() => ({ op: 'create' as const, type: 'lead' })));
    const second = (await (await c.page(id)).json()) as PageBody;
    expect(second.meta.count_left).toBe(150 - 10 + 3 - 100);
    const third = (await (await c.page(id)).json()) as PageBody;
    expect(third.meta).toMatchObject({ count: 43, count_left: 0 });
    expect((await c.page(id)).status).toBe(204);
  });
});
