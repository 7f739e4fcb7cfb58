// PUT/GET /_sim/faults: 5xx, 429 + Retry-After, latency, resets, malformed JSON; seeded, reproducible.
import { describe, expect, it } from 'vitest';
import { newDevice, startSimulator, type ErrorBody, type PageBody } from './fixture.ts';

describe('faults', () => {
  it('are set, read back and turned off with {}', async () => {
    const c = await startSimulator();
    expect(await (await c.control('GET', '/_sim/faults')).json()).toEqual({});
    const faults = { serverErrors: { queue: 0.1 }, rateLimit: 0.2, retryAfterSeconds: 2, latencyMs: 5, emptyPages: 0.1, seed: 9 };
    expect((await c.control('PUT', '/_sim/faults', faults)).status).toBe(200);
    expect(await (await c.control('GET', '/_sim/faults')).json()).toEqual(faults);
    await c.control('PUT', '/_sim/faults', {});
    expect(await (await c.control('GET', '/_sim/faults')).json()).toEqual({});
  });

  it('a bad faults body is a 400 with the envelope', async () => {
    const c = await startSimulator();
    for (const body of [{ rateLimit: 2 }, { serverErrors: { start: -1 } }, { unknown: 1 }, [1]]) {
      const res = await c.control('PUT', '/_sim/faults', body);
      expect(res.status).toBe(400);
      expect(((await res.json()) as ErrorBody).meta.http_status).toBe('400 Bad Request');
    }
  });

  it('server errors answer 500 with the envelope, per endpoint; a failed ack is not applied', async () => {
    const c = await startSimulator({ world: { total: 10 } });
    c.sim.setFaults({ serverErrors: { start: 1 } });
    const start = await c.start();
    expect(start.status).toBe(500);
    expect(((await start.json()) as ErrorBody).meta.http_status).toBe('500 Internal Server Error');

    c.sim.setFaults({ serverErrors: { queue: 1 } });
    const { id } = await c.startSession();
    expect((await c.page(id)).status).toBe(500);

    c.sim.setFaults({ serverErrors: { ack: 1 } });
    const page = (await (await c.page(id)).json()) as PageBody;
    expect((await c.ack(page.items.map((i) => i.meta.sync.ack_key))).status).toBe(500);
    c.sim.setFaults({});
    expect((await c.session()).items).toHaveLength(10);
  });

  it('rate limiting answers 429 with Retry-After', async () => {
    const c = await startSimulator({ faults: { rateLimit: 1, retryAfterSeconds: 3 } });
    const res = await c.start();
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('3');
    expect(((await res.json()) as ErrorBody).errors[0]!.error.code).toBe('rate_limit_exceeded');
  });

  it('a malformed JSON page is a 200 that does not parse; its items come again', async () => {
    const c = await startSimulator({ world: { total: 10 } });
    const { id } = await c.startSession();
    c.sim.setFaults({ malformedJson: 1 });
    const res = await c.page(id);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const text = await res.text();
    expect(() => JSON.parse(text)).toThrow();
    c.sim.setFaults({});
    expect((await c.session()).items).toHaveLength(10);
  });

  it('a connection reset cuts the page body; its items come again', async () => {
    const c = await startSimulator({ world: { total: 10 } });
    const { id } = await c.startSession();
    c.sim.setFaults({ connectionReset: 1 });
    await expect(c.page(id).then((r) => r.text())).rejects.toThrow();
    c.sim.setFaults({});
    expect((await c.session()).items).toHaveLength(10);
  });

  it('added latency still answers normally', async () => {
    const c = await startSimulator({ world: { total: 10 }, faults: { latencyMs: 20 } });
    expect((await c.session()).items).toHaveLength(10);
  });

  it('are reproducible: the same seed gives the same faults at the same calls', async () => {
    const run = async (): Promise<number[]> => {
      const c = await startSimulator({ world: { total: 10 }, faults: { rateLimit: 0.4, serverErrors: { start: 0.2 }, seed: 5 } });
      const statuses: number[] = [];
      for (let i = 0; i < 40; i++) {
        const res = await c.start(newDevice());
        await res.arrayBuffer();
        statuses.push(res.status);
      }
      return statuses;
    };
    const a = await run();
    expect(await run()).toEqual(a);
    expect(new Set(a)).toEqual(new Set([201, 429, 500]));
  });

  it('stats count what was injected', async () => {
    const c = await startSimulator({ faults: { rateLimit: 1 } });
    await (await c.start()).arrayBuffer();
    const stats = (await (await c.control('GET', '/_sim/stats')).json()) as { faultsInjected: Record<string, number> };
    expect(stats.faultsInjected).toEqual({ rateLimit: 1 });
  });
});
