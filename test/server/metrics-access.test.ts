// /metrics with API keys set needs a key or METRICS_TOKEN (a scraper's token opens nothing
// else); without keys it is open, unless METRICS_TOKEN is set. /healthz stays open.
import { beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.ts';
import { ConfigError, loadConfig } from '../../src/config.ts';
import { useTestDatabase } from '../fixtures/database.ts';
import { startServing } from '../fixtures/gateway.ts';

const KEY = 'metrics-api-key-0123456789';
const TOKEN = 'metrics-token-0123456789abcdef';

const db = useTestDatabase();
let keyed: App;
let tokenOnly: App;
let open: App;

beforeAll(async () => {
  keyed = await startServing(db, { GATEWAY_API_KEYS: KEY, METRICS_TOKEN: TOKEN });
  tokenOnly = await startServing(db, { METRICS_TOKEN: TOKEN });
  open = await startServing(db);
});

const metrics = (app: App, authorization?: string) => fetch(`${app.url}/metrics`, { headers: authorization ? { authorization } : {} });

async function expectRefused(res: Response) {
  expect(res.status).toBe(401);
  expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
  const text = await res.text();
  expect(text).not.toMatch(/bsg_/);
  expect(JSON.parse(text).errors[0].extensions.code).toBe('UNAUTHENTICATED');
}

async function expectMetrics(res: Response) {
  expect(res.status).toBe(200);
  expect(await res.text()).toMatch(/^bsg_websocket_connections \d/m);
}

describe('with API keys', () => {
  it('refuses /metrics without a key, or with a wrong one', async () => {
    await expectRefused(await metrics(keyed));
    await expectRefused(await metrics(keyed, 'Bearer wrong-key-0123456789abcdef'));
    await expectRefused(await metrics(keyed, TOKEN));
  });

  it('serves /metrics for an API key or METRICS_TOKEN', async () => {
    await expectMetrics(await metrics(keyed, `Bearer ${KEY}`));
    await expectMetrics(await metrics(keyed, `Bearer ${TOKEN}`));
  });

  it('does not let METRICS_TOKEN query the API', async () => {
    const res = await fetch(`${keyed.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
      body: JSON.stringify({ query: '{ syncStatus { state } }' }),
    });
    expect(res.status).toBe(401);
  });

  it('leaves /healthz open', async () => {
    expect((await fetch(`${keyed.url}/healthz`)).status).toBe(200);
  });
});

describe('without API keys', () => {
  it('serves /metrics to anyone on the machine', async () => {
    await expectMetrics(await metrics(open));
  });

  it('needs METRICS_TOKEN when it is set', async () => {
    await expectRefused(await metrics(tokenOnly));
    await expectMetrics(await metrics(tokenOnly, `Bearer ${TOKEN}`));
  });
});

it('refuses a short METRICS_TOKEN without echoing it', () => {
  expect(() => loadConfig({ METRICS_TOKEN: 'short-token' })).toThrow(ConfigError);
  expect(() => loadConfig({ METRICS_TOKEN: 'short-token' })).toThrow(/^METRICS_TOKEN: must be at least 16 characters long$/);
});
