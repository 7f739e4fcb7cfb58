// Acks are applied in the background after a delay: until then, acked items come again.
import { describe, expect, it } from 'vitest';
import { startSimulator, type ErrorBody } from './fixture.ts';

describe('background acks', () => {
  it('items acked but not yet processed come again in the next session; once processed they do not', async () => {
    const c = await startSimulator({ world: { total: 120 }, ackDelayMs: 60_000 });
    const first = await c.session();
    expect(first.items).toHaveLength(120);
    expect(c.sim.stats()).toMatchObject({ acksReceived: 120, acksProcessed: 0 });
    const second = await c.session(undefined, { ack: false });
    expect(second.items).toHaveLength(120);
    c.sim.flushAcks();
    expect(c.sim.stats()).toMatchObject({ acksProcessed: 120 });
    expect((await c.start()).status).toBe(204);
  });

  it('acks are applied after the configured delay without any further call', async () => {
    const c = await startSimulator({ world: { total: 10 }, ackDelayMs: 20 });
    await c.session();
    await expect.poll(() => c.sim.stats().acksProcessed, { timeout: 5_000 }).toBe(10);
    expect((await c.start()).status).toBe(204);
  });

  it('the flush control route applies waiting acks', async () => {
    const c = await startSimulator({ world: { total: 10 }, ackDelayMs: 60_000 });
    await c.session();
    expect((await c.control('POST', '/_sim/acks/flush')).status).toBe(204);
    expect((await c.start()).status).toBe(204);
  });

  it('rejects an ack body of the wrong shape (422) or invalid JSON (400) with the envelope', async () => {
    const c = await startSimulator();
    const post = (body: string): Promise<Response> =>
      fetch(`${c.url}/v2/sync/ack`, { method: 'POST', headers: { ...c.headers(), 'Content-Type': 'application/json' }, body });
    for (const body of ['{"ack_keys":["Lead-1-1"]}', '{"data":{"ack_keys":"Lead-1-1"}}', '{"data":{"ack_keys":[1]}}', '[]']) {
      const res = await post(body);
      expect(res.status).toBe(422);
      const err = (await res.json()) as ErrorBody;
      expect(err.errors[0]!.error.field).toBe('ack_keys');
      expect(err.meta.http_status).toBe('422 Unprocessable Entity');
    }
    const res = await post('{"data":');
    expect(res.status).toBe(400);
    expect(((await res.json()) as ErrorBody).errors[0]!.error.code).toBe('invalid_json');
  });
});
