// GET /_sim/stats: sessions started and active, pages, items (re)delivered, acks received/processed.
import { describe, expect, it } from 'vitest';
import { startSimulator } from './fixture.ts';

describe('stats', () => {
  it('count what a client did', async () => {
    const c = await startSimulator({ world: { total: 250 }, ackDelayMs: 60_000 });
    await c.session();
    await c.startSession(); // acks not processed yet: everything is queued again
    const stats = (await (await c.control('GET', '/_sim/stats')).json()) as Record<string, number>;
    expect(stats).toMatchObject({
      sessionsStarted: 2,
      sessionsFinished: 1,
      sessionsActive: 1,
      pagesServed: 3,
      itemsDelivered: 250,
      itemsRedelivered: 0,
      ackRequests: 3,
      acksReceived: 250,
      acksProcessed: 0,
      devices: 1,
      objects: 250,
    });
  });
});
