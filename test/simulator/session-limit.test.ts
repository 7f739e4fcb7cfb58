// At most 100 active sessions per account. Base documents the limit but not the answer; the
// simulator answers the 101st start with 429, code too_many_sessions, and a Retry-After.
import { describe, expect, it } from 'vitest';
import { newDevice, startSimulator, type ErrorBody } from './fixture.ts';

describe('session limit', () => {
  it('the 101st unfinished session gets 429 too_many_sessions with Retry-After', async () => {
    const c = await startSimulator({ world: { total: 20 } });
    const ids: string[] = [];
    for (let i = 0; i < 100; i++) ids.push((await c.startSession(newDevice())).id);
    const res = await c.start(newDevice());
    expect(res.status).toBe(429);
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    const body = (await res.json()) as ErrorBody;
    expect(body.errors[0]!.error.code).toBe('too_many_sessions');
    expect(body.meta.http_status).toBe('429 Too Many Requests');
    expect(c.sim.stats().sessionsActive).toBe(100);
  });

  it('a session that answered 204 is finished and frees its slot', async () => {
    const c = await startSimulator({ world: { total: 20 }, maxSessions: 2 });
    const a = newDevice();
    const first = await c.startSession(a);
    await c.startSession(newDevice());
    expect((await c.start(newDevice())).status).toBe(429);
    // Drain the first session to its 204.
    while ((await c.page(first.id, a)).status !== 204);
    expect((await c.start(newDevice())).status).toBe(201);
  });
});
