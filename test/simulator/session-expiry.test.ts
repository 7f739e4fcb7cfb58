// Idle sessions expire: their URL answers 404 and they no longer count against the limit.
import { describe, expect, it } from 'vitest';
import { setTimeout as sleep } from 'node:timers/promises';
import { newDevice, startSimulator, type ErrorBody } from './fixture.ts';

describe('session expiry', () => {
  it('an idle session expires, answers 404 and frees its slot', async () => {
    // Long enough that the session is surely still alive for the second start, even on a busy machine.
    const c = await startSimulator({ world: { total: 20 }, sessionIdleTimeoutMs: 2000, maxSessions: 1 });
    const { id } = await c.startSession();
    expect((await c.start(newDevice())).status).toBe(429);
    // Once idle past the timeout, the slot is free (a refused start creates no session).
    for (let started = 0; started !== 201; started = (await c.start(newDevice())).status) await sleep(50);
    const res = await c.page(id);
    expect(res.status).toBe(404);
    expect(((await res.json()) as ErrorBody).errors[0]!.error.resource).toBe('sync_session');
    expect(c.sim.stats().sessionsExpired).toBe(1);
  });

  it('an unknown session id answers 404 with the envelope', async () => {
    const c = await startSimulator();
    const res = await c.page('00000000-0000-4000-8000-000000000000');
    expect(res.status).toBe(404);
    expect(((await res.json()) as ErrorBody).meta.http_status).toBe('404 Not Found');
  });
});
