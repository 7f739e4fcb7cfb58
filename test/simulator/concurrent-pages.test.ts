// Several pages of one session may be fetched at once (Base allows it): no item twice.
import { describe, expect, it } from 'vitest';
import { keyOf, startSimulator, type PageBody } from './fixture.ts';

describe('concurrent page fetches', () => {
  it('parallel fetches of one session hand out each item once', async () => {
    const c = await startSimulator({ world: { total: 2000 } });
    const { id, pages } = await c.startSession();
    expect(pages).toBe(20);
    const responses = await Promise.all(Array.from({ length: 25 }, () => c.page(id)));
    const bodies = await Promise.all(responses.filter((r) => r.status === 200).map((r) => r.json() as Promise<PageBody>));
    await Promise.all(responses.filter((r) => r.status !== 200).map((r) => r.arrayBuffer()));
    const keys = bodies.flatMap((b) => b.items.map(keyOf));
    expect(keys).toHaveLength(2000);
    expect(new Set(keys).size).toBe(2000);
    expect(responses.filter((r) => r.status === 204).length + bodies.length).toBe(25);
  });
});
