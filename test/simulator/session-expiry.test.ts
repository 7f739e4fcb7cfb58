// Idle sessions expire: their URL answers 404 and they no longer count against the limit.
import { describe, expect, it } from 'vitest';
import { setTimeout as sleep } from 'node:timers/promises';
import { newDevice, startSimulator, type ErrorBody } from './fixture.ts';

describe('session expiry', () => {
  it('an idle session expires, answers 404 and frees its slot', async () => {
    const c = await startSimulator({ world: { total: 20 }, sessionIdleTimeoutMs: 100, maxSessions: 1 });
    const { id } = await c.startSession();
    expect((await c.start(newDevice())).status).toBe(429);
    await sleep(250);
    const res = await c.page(id);
    expect(res.status).toBe(404);
    expect(((await res.json()) as ErrorBody).errors[0]!.error.resource).toBe('sync_session');
    expect((await c.start(newDevice())).status).toBe(201);
    expect(c.sim.stats().sessionsExpired).toBe(1);
  });

  it('an unknown session id answers 404 with the envelope', async () => {
    const c = await startSimulator();
    const res = await c.page('00000000-0000-4000-8000-000000000000');
    expect(res.status).toBe(404);
    expect(((await res.json()) as ErrorBody).meta.http_status).toBe('404 Not Found');
  });
});
