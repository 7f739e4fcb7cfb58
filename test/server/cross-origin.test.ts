// Cross-origin is off by default: a request from a page of another origin (Origin header, or a
// browser's Sec-Fetch-Site without one) is refused with 403 and gets no CORS grant, its
// preflight too, and so does a WebSocket upgrade; requests from the gateway's own pages and from
// clients that send no Origin (curl, Node) go on. CORS_ORIGINS lists the origins that may, and
// they are granted without credentials; `*` is for gateways with API keys only.
import { beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.ts';
import { ConfigError, loadConfig } from '../../src/config.ts';
import { useTestDatabase } from '../fixtures/database.ts';
import { startServing } from '../fixtures/gateway.ts';
import { rawRequest, upgradeStatus } from '../fixtures/http.ts';

const KEY = 'cross-origin-key-0123456789';
const FRIEND = 'http://dashboard.example:8080';
const EVIL = 'http://evil.example';
const QUERY = JSON.stringify({ query: '{ syncStatus { state } }' });

const db = useTestDatabase();
let closed: App;
let listed: App;
let any: App;

beforeAll(async () => {
  closed = await startServing(db);
  listed = await startServing(db, { CORS_ORIGINS: `${FRIEND}, https://other.example` });
  any = await startServing(db, { CORS_ORIGINS: '*', GATEWAY_API_KEYS: KEY });
});

function post(app: App, headers: Record<string, string>) {
  return rawRequest(`${app.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', ...headers },
    body: QUERY,
  });
}

function preflight(app: App, origin: string) {
  return rawRequest(`${app.url}/graphql`, {
    method: 'OPTIONS',
    headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type, authorization' },
  });
}

function expectForbidden(res: { status: number; headers: Record<string, unknown>; json: any }) {
  expect(res.status).toBe(403);
  expect(res.headers['access-control-allow-origin']).toBeUndefined();
  expect(res.headers['access-control-allow-credentials']).toBeUndefined();
  expect(res.json.errors[0].extensions.code).toBe('ORIGIN_NOT_ALLOWED');
  expect(res.json.errors[0].message).toMatch(/CORS_ORIGINS/);
}

const wsUrl = (app: App) => `${app.url.replace('http', 'ws')}/graphql`;

describe('by default', () => {
  it('refuses a POST, a GET and a preflight from another origin, with no CORS grant', async () => {
    expectForbidden(await post(closed, { origin: EVIL }));
    expectForbidden(await rawRequest(`${closed.url}/graphql?query=${encodeURIComponent('{ syncStatus { state } }')}`, { headers: { origin: EVIL } }));
    expectForbidden(await preflight(closed, EVIL));
    // Another port of the same machine is another origin too.
    expectForbidden(await post(closed, { origin: 'http://127.0.0.1:1' }));
    expectForbidden(await post(closed, { origin: 'null' }));
  });

  it('refuses a cross-site browser request that carries no Origin (an image, a script), but not a link followed', async () => {
    const res = await rawRequest(`${closed.url}/graphql?query=${encodeURIComponent('{ syncStatus { state } }')}`, {
      headers: { 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'no-cors', accept: 'image/*' },
    });
    expect(res.status).toBe(403);
    const link = await rawRequest(`${closed.url}/graphql`, { headers: { 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'navigate', accept: 'text/html' } });
    expect(link.status).toBe(200);
    expect(link.text).toMatch(/graphiql/i);
  });

  it('answers the gateway\'s own pages (same origin) and clients without an Origin', async () => {
    for (const origin of [closed.url, closed.url.replace('127.0.0.1', 'localhost')]) {
      const host = new URL(origin).host;
      const res = await post(closed, { origin, host, 'sec-fetch-site': 'same-origin' });
      expect(res.status, origin).toBe(200);
      expect(res.json.data.syncStatus.state).toBe('NEVER_SYNCED');
    }
    expect((await post(closed, {})).status).toBe(200);
  });

  it('refuses a WebSocket upgrade from another origin, and accepts its own and none', async () => {
    const refused = await upgradeStatus(wsUrl(closed), { origin: EVIL });
    expect(refused.status).toBe(403);
    expect(JSON.parse(refused.body).errors[0].extensions.code).toBe('ORIGIN_NOT_ALLOWED');
    expect((await upgradeStatus(wsUrl(closed), { origin: closed.url })).status).toBe(101);
    expect((await upgradeStatus(wsUrl(closed))).status).toBe(101);
  });
});

describe('with CORS_ORIGINS', () => {
  it('grants the listed origins, without credentials', async () => {
    const res = await post(listed, { origin: FRIEND });
    expect(res.status).toBe(200);
    expect(res.json.data.syncStatus.state).toBe('NEVER_SYNCED');
    expect(res.headers['access-control-allow-origin']).toBe(FRIEND);
    expect(res.headers['access-control-allow-credentials']).toBeUndefined();

    const pre = await preflight(listed, FRIEND);
    expect(pre.status).toBe(204);
    expect(pre.headers['access-control-allow-origin']).toBe(FRIEND);
    expect(String(pre.headers['access-control-allow-headers'])).toMatch(/authorization/);
    expect(pre.headers['access-control-allow-credentials']).toBeUndefined();
    expect((await upgradeStatus(wsUrl(listed), { origin: FRIEND })).status).toBe(101);
  });

  it('still refuses the others', async () => {
    expectForbidden(await post(listed, { origin: EVIL }));
    expectForbidden(await post(listed, { origin: 'http://dashboard.example:8081' }));
    expectForbidden(await preflight(listed, 'https://dashboard.example:8080'));
    expect((await upgradeStatus(wsUrl(listed), { origin: EVIL })).status).toBe(403);
  });

  it('grants any origin with `*` when there are keys, never with credentials, and the key is still needed', async () => {
    const res = await post(any, { origin: EVIL, authorization: `Bearer ${KEY}` });
    expect(res.status).toBe(200);
    expect(res.headers['access-control-allow-origin']).toBe(EVIL);
    expect(res.headers['access-control-allow-credentials']).toBeUndefined();
    expect((await post(any, { origin: EVIL })).status).toBe(401);
  });
});

describe('config', () => {
  const refusal = (env: Record<string, string>) => {
    try {
      loadConfig(env);
    } catch (error) {
      return error as ConfigError;
    }
    return undefined;
  };

  it('refuses `*` without API keys, naming CORS_ORIGINS', () => {
    const error = refusal({ CORS_ORIGINS: '*' });
    expect(error).toBeInstanceOf(ConfigError);
    expect(error!.message).toMatch(/^CORS_ORIGINS: .*GATEWAY_API_KEYS/);
  });

  it.each(['dashboard.example', 'https://dashboard.example/app', 'ftp://dashboard.example', 'https://a.example, nope'])('refuses %s as an origin', (value) => {
    expect(refusal({ CORS_ORIGINS: value })?.message).toMatch(/^CORS_ORIGINS: must be origins such as https:\/\/app\.example\.com/);
  });

  it('takes a list of origins, as browsers write them', () => {
    expect(loadConfig({ CORS_ORIGINS: 'https://A.example/, http://b.example:8080, https://c.example:443' }).access.corsOrigins).toEqual([
      'https://a.example',
      'http://b.example:8080',
      'https://c.example',
    ]);
    expect(loadConfig({}).access).toEqual({ corsOrigins: [], allowedHosts: [], metricsToken: undefined });
  });
});
