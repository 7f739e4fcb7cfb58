// Activity: creates, updates and deletes at a configured rate, seen by devices as changes.
import { describe, expect, it } from 'vitest';
import { startSimulator } from './fixture.ts';

describe('activity', () => {
  it('creates, updates and deletes objects, which the next session brings', async () => {
    const c = await startSimulator({ world: { total: 2000 } });
    await c.session();
    c.sim.runActivity(200);
    const { items } = await c.session();
    const kinds = new Set(items.map((i) => i.meta.sync.event_type));
    expect(kinds).toEqual(new Set(['created', 'updated', 'deleted']));
    for (const item of items.filter((i) => i.meta.sync.event_type === 'updated')) {
      expect(item.meta.sync.revision).toBeGreaterThan(1);
    }
  });

  it('runs by itself while listening at activityPerSecond, and can be changed over the control API', async () => {
    const c = await startSimulator({ world: { total: 500 }, activityPerSecond: 200 });
    await expect.poll(async () => (await c.session()).items.length, { timeout: 10_000, interval: 50 }).toBeGreaterThan(0);
    const res = await c.control('PUT', '/_sim/activity', { perSecond: 0 });
    expect(await res.json()).toEqual({ perSecond: 0 });
  });
});
