// Raw items (`POST /_sim/items`): items given as their exact JSON text are served byte for byte
// inside ordinary pages (ids past 2^53 and 2^63 that JSON.parse would round), to every device,
// present and new, until the device acks the key the text names.
import { describe, expect, it } from 'vitest';
import { startSimulator } from './fixture.ts';

const big = '{"data":{"id":9007199254740993,"owner_id":12345678901234567890123,"name":"Big"},"meta":{"type":"lead","sync":{"event_type":"created","ack_key":"Lead-9007199254740993-1","revision":1}}}';
const keyless = '{ "data" : {"id": 1}, "meta" : {"type": "lead"} }';

/** Every page text of one session, acking what `ack` picks from each page's keys. */
async function sessionTexts(c: Awaited<ReturnType<typeof startSimulator>>, device: string, ack: (keys: string[]) => string[] = (k) => k): Promise<string[]> {
  const { id } = await c.startSession(device);
  const texts: string[] = [];
  for (;;) {
    const res = await c.page(id, device);
    if (res.status === 204) return texts;
    const text = await res.text();
    texts.push(text);
    const keys = (JSON.parse(text) as { items: Array<{ meta?: { sync?: { ack_key?: string } } }> }).items.flatMap((i) => i.meta?.sync?.ack_key ?? []);
    expect((await c.ack(ack(keys), device)).status).toBe(202);
  }
}

describe('raw items', () => {
  it('are served byte for byte inside a valid page, until acked', async () => {
    const c = await startSimulator({ world: { counts: { lead: 5 } } });
    const answer = await c.control('POST', '/_sim/items', { items: [big, keyless] });
    expect(await answer.json()).toEqual([{ ack_key: 'Lead-9007199254740993-1' }, { ack_key: null }]);

    const texts = await sessionTexts(c, c.device);
    const all = texts.join('\n');
    expect(all).toContain(big);
    expect(all).toContain(keyless);
    for (const text of texts) expect(() => JSON.parse(text)).not.toThrow();
    expect(JSON.parse(texts[0]!).meta.count).toBe(7);

    // Acked: gone; the one naming no key is served again, session after session.
    const again = (await sessionTexts(c, c.device)).join('\n');
    expect(again).not.toContain(big);
    expect(again).toContain(keyless);
  });

  it('reach every device, also one that starts later', async () => {
    const c = await startSimulator({ world: { counts: { lead: 3 } } });
    const early = crypto.randomUUID();
    await sessionTexts(c, early);
    await c.control('POST', '/_sim/items', { items: [big] });
    expect((await sessionTexts(c, early)).join('')).toContain(big);
    expect((await sessionTexts(c, crypto.randomUUID())).join('')).toContain(big);
  });

  it('must each be the JSON text of an object', async () => {
    const c = await startSimulator();
    const res = await c.control('POST', '/_sim/items', { items: ['{"data":', '[1]', big] });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { errors: Array<{ error: { field: string } }> };
    expect(body.errors.map((e) => e.error.field)).toEqual(['items[0]', 'items[1]']);
  });
});
