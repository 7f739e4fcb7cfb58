// An ack for an older revision never removes a newer state from the queue.
import { describe, expect, it } from 'vitest';
import { startSimulator } from './fixture.ts';

describe('ack of an old revision', () => {
  it('acking the third state of Lead 1 while the queue holds its fifth leaves it queued', async () => {
    const c = await startSimulator({ world: { counts: { lead: 1 } } });
    const revisions = [c.sim.object('lead', 1)!.revision];
    for (let i = 0; i < 4; i++) revisions.push(c.sim.changes([{ op: 'update', type: 'lead', id: 1, data: { title: `v${i + 2}` } }])[0]!.revision);
    await c.start(); // the device now exists, with Lead 1 queued
    expect((await c.ack([`Lead-1-${revisions[2]}`])).status).toBe(202);
    expect(c.sim.stats().acksApplied).toBe(0);
    const { items } = await c.session();
    expect(items.map((i) => i.meta.sync.ack_key)).toEqual([`Lead-1-${revisions[4]}`]);
    expect((await c.start()).status).toBe(204);
  });

  it('an ack of a state that was updated since it was handed out keeps the update queued', async () => {
    const c = await startSimulator({ world: { counts: { lead: 1 } } });
    const { id } = await c.startSession();
    const page = (await (await c.page(id)).json()) as { items: Array<{ meta: { sync: { ack_key: string } } }> };
    const [updated] = c.sim.changes([{ op: 'update', type: 'lead', id: 1, data: { title: 'new' } }]);
    await c.ack(page.items.map((i) => i.meta.sync.ack_key)); // the state before the update
    const again = await c.session();
    expect(again.items.map((i) => [i.meta.sync.ack_key, i.data.title])).toEqual([[`Lead-1-${updated!.revision}`, 'new']]);
  });
});
