// API keys (GATEWAY_API_KEYS): with keys set, a GraphQL request needs `Authorization: Bearer
// <key>` and is refused with 401 and a GraphQL error otherwise; the GraphiQL page loads
// without one. Without keys the API is open, and the config allows that on loopback only.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type App } from '../../src/app.ts';
import { ConfigError, loadConfig } from '../../src/config.ts';
import { silentLogger } from '../../src/logger.ts';
import { useTestDatabase } from '../fixtures/database.ts';

const KEYS = ['key-one-0123456789abcdef', 'key-two-fedcba9876543210'];
const QUERY = '{ syncStatus { state } deals(first: 1) { totalCount } }';

const db = useTestDatabase();
let secured: App;
let open: App;

beforeAll(async () => {
  secured = await startApp({
    config: loadConfig({ DATABASE_URL: db.url, PORT: '0', GATEWAY_API_KEYS: KEYS.join(',') }),
    logger: silentLogger(),
    sync: false,
  });
  open = await startApp({ config: loadConfig({ DATABASE_URL: db.url, PORT: '0' }), logger: silentLogger(), sync: false });
});
afterAll(async () => {
  await secured?.close();
  await open?.close();
});

function postQuery(app: App, headers: Record<string, string> = {}) {
  return fetch(`${app.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', ...headers },
    body: JSON.stringify({ query: QUERY }),
  });
}

async function expectRefused(res: Response) {
  expect(res.status).toBe(401);
  expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
  expect(res.headers.get('content-type')).toMatch(/json/);
  const body = await res.json();
  expect(body.data).toBeUndefined();
  expect(body.errors).toHaveLength(1);
  expect(body.errors[0].message).toMatch(/API key/);
  expect(body.errors[0].extensions).toEqual({ code: 'UNAUTHENTICATED' });
}

describe('with API keys', () => {
  it('refuses a request without a key: 401 with a GraphQL error', async () => {
    await expectRefused(await postQuery(secured));
  });

  it('refuses a wrong key, a key as a prefix of a good one, and other schemes', async () => {
    await expectRefused(await postQuery(secured, { authorization: 'Bearer not-the-key-0123456789' }));
    await expectRefused(await postQuery(secured, { authorization: `Bearer ${KEYS[0]!.slice(0, -1)}` }));
    await expectRefused(await postQuery(secured, { authorization: `Bearer ${KEYS[0]}x` }));
    await expectRefused(await postQuery(secured, { authorization: 'Bearer' }));
    await expectRefused(await postQuery(secured, { authorization: `Basic ${Buffer.from(`user:${KEYS[0]}`).toString('base64')}` }));
    await expectRefused(await postQuery(secured, { authorization: KEYS[0]! }));
  });

  it('answers 200 with data for each configured key', async () => {
    for (const key of KEYS) {
      const res = await postQuery(secured, { authorization: `Bearer ${key}` });
      expect(res.status).toBe(200);
      const body = await res.json();
      expect(body.errors).toBeUndefined();
      expect(body.data).toEqual({ syncStatus: { state: 'NEVER_SYNCED' }, deals: { totalCount: 0 } });
    }
  });

  it('refuses a GraphQL GET without a key', async () => {
    const res = await fetch(`${secured.url}/graphql?query=${encodeURIComponent(QUERY)}`, { headers: { accept: 'application/graphql-response+json' } });
    await expectRefused(res);
  });

  it('serves the GraphiQL page without a key', async () => {
    const res = await fetch(`${secured.url}/graphql`, { headers: { accept: 'text/html' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/html/);
    expect(await res.text()).toMatch(/graphiql/i);
  });

  it('runs no query through the GraphiQL exemption: a GET asking for HTML gets the page, not data', async () => {
    const res = await fetch(`${secured.url}/graphql?query=${encodeURIComponent(QUERY)}`, { headers: { accept: 'text/html, application/json' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/html/);
    expect(await res.text()).not.toContain('NEVER_SYNCED');
  });

  it('leaves /healthz open', async () => {
    expect((await fetch(`${secured.url}/healthz`)).status).toBe(200);
  });
});

describe('without API keys', () => {
  it('answers requests without a key', async () => {
    const res = await postQuery(open);
    expect(res.status).toBe(200);
    expect((await res.json()).data.deals).toEqual({ totalCount: 0 });
  });

  it('ignores a key that is sent anyway', async () => {
    expect((await postQuery(open, { authorization: 'Bearer whatever-key-0123456789' })).status).toBe(200);
  });
});

describe('config', () => {
  it('refuses a non-loopback HOST without GATEWAY_API_KEYS, naming HOST', () => {
    for (const host of ['0.0.0.0', '::', '192.168.1.10', 'gateway.example.com']) {
      let error: unknown;
      try {
        loadConfig({ HOST: host });
      } catch (e) {
        error = e;
      }
      expect(error, host).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).variable).toBe('HOST');
      expect((error as ConfigError).message).toMatch(/^HOST: .*GATEWAY_API_KEYS/);
    }
  });

  it('allows a non-loopback HOST with keys, and loopback without', () => {
    expect(loadConfig({ HOST: '0.0.0.0', GATEWAY_API_KEYS: KEYS[0] }).apiKeys).toEqual([KEYS[0]]);
    for (const host of ['127.0.0.1', 'localhost', '::1']) expect(loadConfig({ HOST: host }).apiKeys).toEqual([]);
  });

  it('refuses short keys without echoing them', () => {
    expect(() => loadConfig({ GATEWAY_API_KEYS: 'short-secret' })).toThrow(ConfigError);
    try {
      loadConfig({ GATEWAY_API_KEYS: 'short-secret' });
    } catch (error) {
      expect((error as ConfigError).variable).toBe('GATEWAY_API_KEYS');
      expect((error as Error).message).not.toContain('short-secret');
    }
  });
});
