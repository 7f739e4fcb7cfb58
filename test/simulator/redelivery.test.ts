// Items handed out but never acked come again; an object updated mid-session comes again in it.
import { describe, expect, it } from 'vitest';
import { keyOf, startSimulator, type PageBody } from './fixture.ts';

describe('redelivery', () => {
  it('a page that was never acked is delivered again in the next session', async () => {
    const c = await startSimulator({ world: { total: 250 } });
    const { id } = await c.startSession();
    const lost = (await (await c.page(id)).json()) as PageBody; // the client crashes before acking
    const next = await c.session();
    expect(next.items).toHaveLength(250);
    const again = new Set(next.items.map(keyOf));
    expect(lost.items.every((i) => again.has(keyOf(i)))).toBe(true);
    expect(c.sim.stats().itemsRedelivered).toBe(100);
    expect((await c.start()).status).toBe(204);
  });

  it('an object updated after it was handed out comes again later in the same session', async () => {
    const c = await startSimulator({ world: { counts: { lead: 150 } } });
    const { id } = await c.startSession();
    const first = (await (await c.page(id)).json()) as PageBody;
    const target = first.items[0]!;
    expect(first.meta.count_left).toBe(50);
    const [updated] = c.sim.changes([{ op: 'update', type: 'lead', id: target.data.id as number, data: { status: 'Working' } }]);
    const rest: PageBody['items'] = [];
    const left: number[] = [];
    for (;;) {
      const res = await c.page(id);
      if (res.status === 204) break;
      const page = (await res.json()) as PageBody;
      rest.push(...page.items);
      left.push(page.meta.count_left);
    }
    // One page of 51: the updated lead was queued again behind the other 50.
    expect(left).toEqual([0]);
    expect(rest).toHaveLength(51);
    expect(rest.at(-1)!.meta.sync.ack_key).toBe(`Lead-${String(target.data.id)}-${updated!.revision}`);
  });
});
