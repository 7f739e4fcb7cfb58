// With GATEWAY_API_KEYS set, connection_init must carry a key; otherwise the socket closes with 4403.
import { expect, it } from 'vitest';
import { collect, useGateway } from '../fixtures/gateway.ts';

const KEY = 'test-key-0123456789abcdef';
const g = useGateway({ env: { GATEWAY_API_KEYS: `other-key-0123456789,${KEY}` } });

const QUERY = `subscription { syncStatus { state } }`;

it.each([
  ['no key', undefined],
  ['a wrong key', 'Bearer wrong-key-0123456789abcdef'],
])('closes the connection with 4403 for %s', async (_what, authorization) => {
  const sub = collect(g.client(authorization ? { authorization } : {}), QUERY);
  const error = (await sub.failed()) as { code?: number };
  expect(error.code).toBe(4403);
});

it.each([`Bearer ${KEY}`, KEY])('accepts the key (%s)', async (authorization) => {
  const sub = collect(g.client({ authorization }), QUERY);
  const [status] = await sub.waitFor(1);
  expect(status.syncStatus.state).toEqual(expect.any(String));
  sub.stop();
});
