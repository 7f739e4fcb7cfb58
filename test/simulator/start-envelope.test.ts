// The envelopes of start, queue and ack are exactly the reference's.
import { describe, expect, it } from 'vitest';
import { startSimulator, type PageBody } from './fixture.ts';

describe('sync envelopes', () => {
  it('start answers 201 with a sync_session holding the main queue and an absolute self link', async () => {
    const c = await startSimulator({ world: { total: 250 } });
    const res = await c.start();
    expect(res.status).toBe(201);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const body = (await res.json()) as Record<string, any>;
    const id = body.data.id as string;
    expect(typeof id).toBe('string');
    expect(body).toEqual({
      data: {
        id,
        queues: [
          {
            data: { name: 'main', pages: 3, total_count: 250 },
            meta: { type: 'sync_queue', links: { self: `${c.url}/v2/sync/${id}/queues/main` } },
          },
        ],
      },
      meta: { type: 'sync_session' },
    });
    // The self link is usable as is.
    const page = await fetch(body.data.queues[0].meta.links.self, { headers: c.headers() });
    expect(page.status).toBe(200);
  });

  it('pages are collections with count, count_left and failed_objects, then 204; ack answers an empty 202', async () => {
    const c = await startSimulator({ world: { total: 250 } });
    const { id } = await c.startSession();
    const seen: PageBody[] = [];
    for (;;) {
      const res = await c.page(id);
      if (res.status === 204) {
        expect(await res.text()).toBe('');
        break;
      }
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      const page = (await res.json()) as PageBody;
      expect(Object.keys(page).sort()).toEqual(['items', 'meta']);
      expect(page.meta).toEqual({ type: 'collection', count: page.items.length, count_left: page.meta.count_left, failed_objects: [] });
      for (const item of page.items) {
        expect(Object.keys(item).sort()).toEqual(['data', 'meta']);
        expect(Object.keys(item.meta).sort()).toEqual(['sync', 'type']);
        expect(item.meta.sync).toEqual({ event_type: 'created', ack_key: expect.stringMatching(/^[A-Z][A-Za-z]+-\d+-\d+$/), revision: expect.any(Number) });
        expect(typeof item.data.id).toBe('number');
      }
      seen.push(page);
      const ack = await c.ack(page.items.map((i) => i.meta.sync.ack_key));
      expect(ack.status).toBe(202);
      expect(await ack.text()).toBe('');
    }
    expect(seen.map((p) => p.meta.count)).toEqual([100, 100, 50]);
    expect(seen.map((p) => p.meta.count_left)).toEqual([150, 50, 0]);
  });

  it('a start with nothing left to sync answers 204 with no body', async () => {
    const c = await startSimulator({ world: { total: 30 } });
    await c.session();
    const res = await c.start();
    expect(res.status).toBe(204);
    expect(await res.text()).toBe('');
  });

  it('pages and total_count are integers even for an exact multiple of the page size', async () => {
    const c = await startSimulator({ world: { total: 200 }, pageSize: 50 });
    const s = await c.startSession();
    expect(s.queues[0]!.data).toEqual({ name: 'main', pages: 4, total_count: 200 });
  });
});
