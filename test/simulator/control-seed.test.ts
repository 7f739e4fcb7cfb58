// POST /_sim/seed replaces the world: by total, or exact per-type counts, with an optional seed.
import { describe, expect, it } from 'vitest';
import { newDevice, startSimulator, type ErrorBody } from './fixture.ts';

describe('control: seed', () => {
  it('seeds a total spread over the types and answers the counts', async () => {
    const c = await startSimulator();
    const res = await c.control('POST', '/_sim/seed', { total: 5000, seed: 42 });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { seed: number; total: number; counts: Record<string, number> };
    expect(body.seed).toBe(42);
    expect(body.total).toBe(5000);
    expect(Object.values(body.counts).reduce((a, b) => a + b, 0)).toBe(5000);
    for (const type of ['user', 'pipeline', 'stage', 'source', 'loss_reason', 'tag', 'lead', 'contact', 'deal', 'note', 'task', 'call', 'associated_contact', 'product', 'order', 'line_item']) {
      expect(body.counts[type], type).toBeGreaterThan(0);
    }
    const { items } = await c.session(newDevice());
    expect(items).toHaveLength(5000);
  });

  it('seeds exact per-type counts, unknown types included', async () => {
    const c = await startSimulator();
    const res = await c.control('POST', '/_sim/seed', { counts: { user: 2, lead: 7, text_message: 3 } });
    expect(await res.json()).toEqual({ seed: 1, total: 12, counts: { user: 2, lead: 7, text_message: 3 } });
    const { items } = await c.session(newDevice());
    const messages = items.filter((i) => i.meta.type === 'text_message');
    expect(messages.map((i) => i.meta.sync.ack_key).sort()).toEqual([1, 2, 3].map((id) => `TextMessage-${id}-${c.sim.object('text_message', id)!.revision}`));
  });

  it('forgets devices: a device that had synced receives the new world', async () => {
    const c = await startSimulator({ world: { total: 50 } });
    await c.session();
    c.sim.seed({ total: 80 });
    const { items } = await c.session();
    expect(items).toHaveLength(80);
  });

  it('rejects a bad body with 400 and the envelope', async () => {
    const c = await startSimulator();
    for (const body of [{}, { total: -1 }, { total: 'many' }, { counts: { Lead: 1 } }, { total: 1, extra: true }]) {
      const res = await c.control('POST', '/_sim/seed', body);
      expect(res.status).toBe(400);
      expect(((await res.json()) as ErrorBody).errors.length).toBeGreaterThan(0);
    }
  });
});
