// GET /graphql from a browser serves GraphiQL, opened on the example query; that query runs
// without errors on a synced mirror and shows what it promises (hot deals, biggest first, their
// values exactly as Base sent them).
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startApp, type App } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { silentLogger } from '../../src/logger.ts';
import { EXAMPLE_QUERY } from '../../src/server/graphql.ts';
import { useSyncedWorld } from './fixture.ts';

const w = useSyncedWorld({ world: { total: 2000 }, seed: 1 });
let app: App;

beforeAll(async () => {
  app = await startApp({ config: loadConfig({ DATABASE_URL: w.db.url, PORT: '0' }), logger: silentLogger(), sync: false });
});
afterAll(() => app?.close());

it('serves GraphiQL to a browser, opened on the example query', async () => {
  const res = await fetch(`${app.url}/graphql`, { headers: { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' } });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/html/);
  const html = await res.text();
  expect(html).toMatch(/<title>base-sync-gateway<\/title>/);
  expect(html).toMatch(/graphiql/i);
  // The query is embedded as a JSON string in the page's options.
  expect(html).toContain(JSON.stringify(EXAMPLE_QUERY).slice(1, -1));
});

it('runs the example query without errors, showing hot deals biggest first', async () => {
  const res = await fetch(`${app.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
    body: JSON.stringify({ query: EXAMPLE_QUERY }),
  });
  expect(res.status).toBe(200);
  const body = await res.json();
  expect(body.errors).toBeUndefined();
  const { deals, syncStatus } = body.data;

  const hot = (await w.query('{ deals(where: { hot: { eq: true } }) { totalCount } }')).deals.totalCount;
  expect(hot).toBeGreaterThan(10);
  expect(deals.totalCount).toBe(hot);
  expect(deals.edges).toHaveLength(10);
  expect(deals.pageInfo).toMatchObject({ hasNextPage: true, endCursor: expect.any(String) });
  // Each value exactly as the upstream sent it ("24048.00" stays "24048.00"), biggest first.
  const sent = [...w.f.sim.objects('deal')]
    .filter((d) => d.data.hot === true)
    .sort((a, b) => Number(b.data.value) - Number(a.data.value) || a.id - b.id)
    .slice(0, 10)
    .map((d) => String(d.data.value));
  expect(sent.some((v) => /\.\d*0$/.test(v))).toBe(true);
  expect(deals.edges.map((e: any) => e.node.value)).toEqual(sent);
  for (const { node } of deals.edges) {
    expect(node.name).toEqual(expect.any(String));
    expect(node.currency).toMatch(/^[A-Z]{3}$/);
    expect(node.stage).toMatchObject({ name: expect.any(String), category: expect.any(String), pipeline: { name: expect.any(String) } });
    expect(node.owner).toMatchObject({ name: expect.any(String), email: expect.stringContaining('@') });
    expect(node.notes.edges.length).toBeLessThanOrEqual(3);
  }
  expect(syncStatus).toMatchObject({ state: 'IDLE', itemsSynced: 2000, lastSuccessAt: expect.any(String) });
});
