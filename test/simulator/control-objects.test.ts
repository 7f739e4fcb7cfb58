// GET /_sim/objects is the ground truth: paged by cursor, or streamed as NDJSON.
import { describe, expect, it } from 'vitest';
import { startSimulator, type SimClient } from './fixture.ts';

interface Listed {
  type: string;
  id: number;
  revision: number;
  data: Record<string, unknown>;
}

async function allPages(c: SimClient, query: string): Promise<Listed[]> {
  const out: Listed[] = [];
  let cursor: string | null = null;
  for (;;) {
    const res = await c.control('GET', `/_sim/objects?${query}${cursor ? `&cursor=${cursor}` : ''}`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { items: Listed[]; next_cursor: string | null };
    out.push(...body.items);
    if (body.next_cursor === null) return out;
    cursor = body.next_cursor;
  }
}

describe('control: objects', () => {
  it('pages through every live object exactly once, matching what a device syncs', async () => {
    const c = await startSimulator({ world: { total: 700 } });
    const [, updated] = c.sim.changes([{ op: 'delete', type: 'lead', id: 1 }, { op: 'update', type: 'contact', id: 2, data: { title: 'Boss' } }]);
    const listed = await allPages(c, 'limit=64');
    expect(listed).toHaveLength(699);
    expect(new Set(listed.map((o) => `${o.type}:${o.id}`)).size).toBe(699);
    expect(listed.find((o) => o.type === 'contact' && o.id === 2)).toMatchObject({ revision: updated!.revision, data: { title: 'Boss' } });
    const { items } = await c.session();
    const synced = new Map(items.map((i) => [`${i.meta.type}:${String(i.data.id)}`, i]));
    for (const o of listed) {
      const item = synced.get(`${o.type}:${o.id}`)!;
      expect(item.meta.sync.revision).toBe(o.revision);
      expect(item.data).toEqual(o.data);
    }
  });

  it('filters by type', async () => {
    const c = await startSimulator({ world: { total: 700 } });
    const deals = await allPages(c, 'type=deal&limit=10');
    expect(deals.length).toBe(c.sim.counts().deal);
    expect(deals.every((o) => o.type === 'deal')).toBe(true);
    expect(await allPages(c, 'type=nothing_here')).toEqual([]);
  });

  it('streams NDJSON', async () => {
    const c = await startSimulator({ world: { total: 3000 } });
    const res = await c.control('GET', '/_sim/objects?format=ndjson');
    expect(res.headers.get('content-type')).toMatch(/^application\/x-ndjson/);
    const lines = (await res.text()).trim().split('\n').map((l) => JSON.parse(l) as Listed);
    expect(lines).toHaveLength(3000);
    expect(Object.keys(lines[0]!).sort()).toEqual(['data', 'id', 'revision', 'type']);
  });

  it('rejects a bad limit or cursor', async () => {
    const c = await startSimulator();
    expect((await c.control('GET', '/_sim/objects?limit=0')).status).toBe(400);
    expect((await c.control('GET', '/_sim/objects?cursor=abc')).status).toBe(400);
  });
});
