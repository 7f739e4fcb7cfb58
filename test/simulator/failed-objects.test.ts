// `failed_objects` lists objects withheld from a page; they come in a later page or session.
import { describe, expect, it } from 'vitest';
import { keyOf, startSimulator } from './fixture.ts';

describe('failed objects', () => {
  it('withheld objects are listed as {type, id} and delivered later', async () => {
    const c = await startSimulator({ world: { total: 500 }, faults: { failedObjects: 0.2, seed: 3 } });
    const { items, pages } = await c.session();
    const failed = pages.flatMap((p) => p.meta.failed_objects);
    expect(failed.length).toBeGreaterThan(0);
    for (const f of failed) {
      expect(Object.keys(f).sort()).toEqual(['id', 'type']);
      expect(typeof f.id).toBe('number');
    }
    // A page with withheld objects carries fewer items.
    const withFailures = pages.find((p) => p.meta.failed_objects.length > 0)!;
    expect(withFailures.items.length + withFailures.meta.failed_objects.length).toBeLessThanOrEqual(100);
    expect(withFailures.meta.count).toBe(withFailures.items.length);
    const delivered = new Set(items.map(keyOf));
    for (const f of failed) expect(delivered.has(`${f.type}:${f.id}`)).toBe(true);
    expect(delivered.size).toBe(500);
  });

  it('objects withheld from the last page come in the next session', async () => {
    const c = await startSimulator({ world: { counts: { lead: 5 } }, faults: { failedObjects: 1 } });
    const first = await c.session();
    expect(first.items).toEqual([]);
    expect(first.pages.flatMap((p) => p.meta.failed_objects).sort((a, b) => a.id - b.id)).toEqual([1, 2, 3, 4, 5].map((id) => ({ type: 'lead', id })));
    c.sim.setFaults({});
    const second = await c.session();
    expect(second.items.map(keyOf).sort()).toEqual([1, 2, 3, 4, 5].map((id) => `lead:${id}`));
  });
});
