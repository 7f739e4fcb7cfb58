// A new device UUID means "this device has nothing": it receives every live object.
import { describe, expect, it } from 'vitest';
import { keyOf, newDevice, startSimulator } from './fixture.ts';

describe('new device', () => {
  it('receives every live object, whatever other devices acked', async () => {
    const c = await startSimulator({ world: { total: 300 } });
    const a = await c.session();
    expect(a.items).toHaveLength(300);
    c.sim.changes([{ op: 'delete', type: 'lead', id: (a.items.find((i) => i.meta.type === 'lead')!.data.id as number) }]);
    const truth = [...c.sim.objects()].map((o) => `${o.type}:${o.id}`).sort();
    const b = await c.session(newDevice());
    expect(b.items.map(keyOf).sort()).toEqual(truth);
    expect(b.items.every((i) => i.meta.sync.event_type === 'created')).toBe(true);
  });
});
