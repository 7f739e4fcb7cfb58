// DNS rebinding: without API keys the gateway answers only requests naming a loopback Host, the
// configured HOST or one of ALLOWED_HOSTS; anything else (curl -H 'Host: evil.example', or a
// foreign page whose name now points at 127.0.0.1) gets 421, WebSocket upgrades too. With keys,
// any Host is answered unless ALLOWED_HOSTS is given (the Docker setup, reached from other
// machines). The probes (/healthz, /readyz) answer whatever the Host: orchestrators probe by address.
import { beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.ts';
import { useTestDatabase } from '../fixtures/database.ts';
import { startServing } from '../fixtures/gateway.ts';
import { rawRequest, upgradeStatus } from '../fixtures/http.ts';

const KEY = 'host-check-key-0123456789';
const QUERY = JSON.stringify({ query: '{ syncStatus { state } }' });

const db = useTestDatabase();
const apps: Record<'open' | 'openAllowed' | 'keyed' | 'keyedAllowed', App> = {} as never;

beforeAll(async () => {
  apps.open = await startServing(db);
  apps.openAllowed = await startServing(db, { ALLOWED_HOSTS: 'gateway.lan, 10.0.0.7' });
  apps.keyed = await startServing(db, { GATEWAY_API_KEYS: KEY });
  apps.keyedAllowed = await startServing(db, { GATEWAY_API_KEYS: KEY, ALLOWED_HOSTS: 'gateway.example.com' });
});

const portOf = (app: App) => new URL(app.url).port;

/** A GraphQL POST naming `host`, as `curl -H 'Host: …'` sends it. */
function post(app: App, host: string, headers: Record<string, string> = {}) {
  return rawRequest(`${app.url}/graphql`, {
    method: 'POST',
    headers: { host, 'content-type': 'application/json', accept: 'application/graphql-response+json', ...headers },
    body: QUERY,
  });
}

function expectMisdirected(res: { status: number; json: any; text: string }) {
  expect(res.status).toBe(421);
  expect(res.json.errors[0].extensions.code).toBe('HOST_NOT_ALLOWED');
  expect(res.json.errors[0].message).toMatch(/ALLOWED_HOSTS/);
  expect(res.text).not.toMatch(/"data"|\bat \w+ \(|node_modules/);
}

describe('without API keys', () => {
  it('refuses Host: evil.example on every path but the probes', async () => {
    expectMisdirected(await post(apps.open, 'evil.example'));
    expectMisdirected(await post(apps.open, `evil.example:${portOf(apps.open)}`));
    for (const path of ['/', '/graphql', '/metrics', '/status/app.js', '/nope']) {
      expectMisdirected(await rawRequest(`${apps.open.url}${path}`, { headers: { host: 'evil.example', accept: 'text/html' } }));
    }
    for (const path of ['/healthz', '/readyz']) {
      const probe = await rawRequest(`${apps.open.url}${path}`, { headers: { host: '10.1.2.3:4000' } });
      expect(probe.status, path).toBe(200);
    }
  });

  it('refuses a request without a Host', async () => {
    const res = await rawRequest(`${apps.open.url}/graphql`, { method: 'POST', headers: { host: '', 'content-type': 'application/json' }, body: QUERY });
    // Node's HTTP server refuses HTTP/1.1 without a Host itself (400).
    expect(res.status).toBe(400);
    expect(res.text).not.toContain('NEVER_SYNCED');
  });

  it('refuses a WebSocket upgrade naming another Host', async () => {
    const refused = await upgradeStatus(`${apps.open.url.replace('http', 'ws')}/graphql`, { host: 'evil.example' });
    expect(refused.status).toBe(421);
    expect(JSON.parse(refused.body).errors[0].extensions.code).toBe('HOST_NOT_ALLOWED');
    expect((await upgradeStatus(`${apps.open.url.replace('http', 'ws')}/graphql`)).status).toBe(101);
  });

  it('answers loopback names and addresses', async () => {
    const port = portOf(apps.open);
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `LOCALHOST:${port}`, `[::1]:${port}`, '127.0.0.1']) {
      const res = await post(apps.open, host);
      expect(res.status, host).toBe(200);
      expect(res.json.data.syncStatus.state).toBe('NEVER_SYNCED');
    }
  });

  it('answers the names of ALLOWED_HOSTS, and still refuses others', async () => {
    const port = portOf(apps.openAllowed);
    for (const host of [`gateway.lan:${port}`, 'Gateway.LAN', `10.0.0.7:${port}`]) expect((await post(apps.openAllowed, host)).status, host).toBe(200);
    expectMisdirected(await post(apps.openAllowed, 'evil.example'));
    expectMisdirected(await post(apps.openAllowed, 'gateway.lan.evil.example'));
  });
});

describe('with API keys', () => {
  const authorization = `Bearer ${KEY}`;

  it('answers any Host when ALLOWED_HOSTS is not given (reached from other machines)', async () => {
    const res = await post(apps.keyed, 'gateway.example.com', { authorization });
    expect(res.status).toBe(200);
    expect(res.json.data.syncStatus.state).toBe('NEVER_SYNCED');
    // The key is still needed.
    expect((await post(apps.keyed, 'gateway.example.com')).status).toBe(401);
  });

  it('refuses Hosts not in ALLOWED_HOSTS when it is given, even with a key', async () => {
    expectMisdirected(await post(apps.keyedAllowed, 'evil.example', { authorization }));
    expect((await rawRequest(`${apps.keyedAllowed.url}/readyz`, { headers: { host: '10.1.2.3:4000' } })).status).toBe(200);
    expect((await post(apps.keyedAllowed, 'gateway.example.com', { authorization })).status).toBe(200);
    expect((await post(apps.keyedAllowed, `127.0.0.1:${portOf(apps.keyedAllowed)}`, { authorization })).status).toBe(200);
    const ws = `${apps.keyedAllowed.url.replace('http', 'ws')}/graphql`;
    expect((await upgradeStatus(ws, { host: 'evil.example' })).status).toBe(421);
    expect((await upgradeStatus(ws, { host: 'gateway.example.com' })).status).toBe(101);
  });
});
