// Every call needs `Authorization: Bearer <token>`; anything else is a 401 in Base's error envelope.
import { describe, expect, it } from 'vitest';
import { DEMO_TOKEN } from '../../src/simulator/index.ts';
import { startSimulator, type ErrorBody } from './fixture.ts';

const expect401 = async (res: Response): Promise<void> => {
  expect(res.status).toBe(401);
  expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  const body = (await res.json()) as ErrorBody;
  expect(body).toEqual({
    errors: [{ error: { code: 'unauthorized', message: expect.any(String), details: expect.any(String), resource: expect.any(String), field: expect.any(String) }, meta: {} }],
    meta: { http_status: '401 Unauthorized', logref: expect.stringMatching(/.+/) },
  });
};

describe('auth', () => {
  it('the demo token is a fixed 64-character hex string', () => {
    expect(DEMO_TOKEN).toMatch(/^[0-9a-f]{64}$/);
  });

  it('rejects a missing, wrong or non-Bearer token on every endpoint', async () => {
    const c = await startSimulator();
    const device = c.device;
    const cases: Array<Record<string, string>> = [
      { 'X-Basecrm-Device-UUID': device },
      { 'X-Basecrm-Device-UUID': device, Authorization: `Bearer ${'0'.repeat(64)}` },
      { 'X-Basecrm-Device-UUID': device, Authorization: `Token ${DEMO_TOKEN}` },
      { 'X-Basecrm-Device-UUID': device, Authorization: `Bearer ${DEMO_TOKEN}x` },
    ];
    for (const headers of cases) {
      await expect401(await fetch(`${c.url}/v2/sync/start`, { method: 'POST', headers }));
      await expect401(await fetch(`${c.url}/v2/sync/some-session/queues/main`, { headers }));
      await expect401(await fetch(`${c.url}/v2/sync/ack`, { method: 'POST', headers, body: '{"data":{"ack_keys":[]}}' }));
      await expect401(await fetch(`${c.url}/_sim/stats`, { headers }));
    }
    expect(c.sim.stats().sessionsStarted).toBe(0);
  });

  it('accepts the configured token and only it', async () => {
    const token = 'f'.repeat(64);
    const c = await startSimulator({ token });
    expect((await c.start()).status).toBe(201);
    const withDemo = await fetch(`${c.url}/v2/sync/start`, {
      method: 'POST',
      headers: { ...c.headers(), Authorization: `Bearer ${DEMO_TOKEN}` },
    });
    await expect401(withDemo);
  });
});
