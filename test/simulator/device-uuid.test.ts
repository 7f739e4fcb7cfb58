// The device is named by `X-Basecrm-Device-UUID`: missing or not a UUID is a 4xx with the envelope.
import { describe, expect, it } from 'vitest';
import { DEMO_TOKEN } from '../../src/simulator/index.ts';
import { newDevice, startSimulator, type ErrorBody } from './fixture.ts';

const auth = { Authorization: `Bearer ${DEMO_TOKEN}` };

describe('device UUID header', () => {
  it('is required on start, queue and ack', async () => {
    const c = await startSimulator();
    const calls = [
      () => fetch(`${c.url}/v2/sync/start`, { method: 'POST', headers: auth }),
      () => fetch(`${c.url}/v2/sync/x/queues/main`, { headers: auth }),
      () => fetch(`${c.url}/v2/sync/ack`, { method: 'POST', headers: auth, body: '{"data":{"ack_keys":[]}}' }),
    ];
    for (const call of calls) {
      const res = await call();
      expect(res.status).toBe(400);
      const body = (await res.json()) as ErrorBody;
      expect(body.errors[0]!.error.field).toBe('X-Basecrm-Device-UUID');
      expect(body.meta.http_status).toBe('400 Bad Request');
    }
  });

  it('must be a UUID', async () => {
    const c = await startSimulator();
    for (const bad of ['device-1', '1234', 'g6f1f4e2-2c1a-4a7e-9a0e-3f1d2c3b4a5e', `${newDevice()}x`]) {
      const res = await fetch(`${c.url}/v2/sync/start`, { method: 'POST', headers: { ...auth, 'X-Basecrm-Device-UUID': bad } });
      expect(res.status).toBe(400);
      expect(((await res.json()) as ErrorBody).errors[0]!.error.code).toBe('invalid_header');
    }
  });

  it('a session belongs to its device: another device gets 404', async () => {
    const c = await startSimulator();
    const { id } = await c.startSession();
    const res = await c.page(id, newDevice());
    expect(res.status).toBe(404);
    expect(((await res.json()) as ErrorBody).errors[0]!.error.code).toBe('not_found');
    expect((await c.page(id)).status).toBe(200);
  });

  it('is case-insensitive: the same UUID in upper case is the same device', async () => {
    const c = await startSimulator({ world: { total: 20 } });
    await c.session(c.device);
    expect((await c.start(c.device.toUpperCase())).status).toBe(204);
  });
});
