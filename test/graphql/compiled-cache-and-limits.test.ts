// The compiled path sits where the resolvers did: the response cache wraps it (a repeat is a hit,
// not a second execution, and answers the same bytes), and the query limits refuse an operation
// before either path runs. Executions are counted by path on the gateway's registry.
import { Registry } from 'prom-client';
import { beforeAll, expect, it } from 'vitest';
import { silentLogger } from '../../src/logger.ts';
import { createGraphQL, type GraphQLServer } from '../../src/server/graphql.ts';
import { post, useSyncedWorld } from './fixture.ts';

const w = useSyncedWorld({ world: { total: 500 }, seed: 2 });
const registry = new Registry();
let yoga: GraphQLServer;

beforeAll(() => {
  yoga = createGraphQL({ prisma: w.f.prisma, apiKeys: [], logger: silentLogger(), metrics: registry, responseCacheBytes: 1024 * 1024 });
});

/** A counter's value by one label. */
async function count(name: string, label: string, value: string): Promise<number> {
  const metric = await registry.getSingleMetric(name)?.get();
  return metric?.values.find((v) => v.labels[label] === value)?.value ?? 0;
}

const text = async (query: string) => {
  const res = await yoga.fetch('http://localhost/graphql', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) });
  return { status: res.status, body: await res.text() };
};

it('runs a covered query compiled once, then answers it from the cache with the same bytes', async () => {
  const query = '{ deals(first: 10) { totalCount edges { cursor node { __typename id baseId name value stage { name pipeline { name } } notes(first: 2) { edges { node { content } } } } } } }';
  const compiled = await count('bsg_graphql_executions_total', 'path', 'compiled');
  const hits = await count('bsg_graphql_response_cache_lookups_total', 'result', 'hit');
  const first = await text(query);
  expect(first.status).toBe(200);
  expect(await count('bsg_graphql_executions_total', 'path', 'compiled')).toBe(compiled + 1);
  const second = await text(query);
  expect(second).toEqual(first);
  expect(await count('bsg_graphql_executions_total', 'path', 'compiled')).toBe(compiled + 1);
  expect(await count('bsg_graphql_response_cache_lookups_total', 'result', 'hit')).toBe(hits + 1);
  // No metadata of the cache's own (the typenames it asks for) left in the answer.
  expect(first.body).not.toContain('__responseCache');
});

it('counts what the compiler does not cover as run by the resolvers', async () => {
  const resolvers = await count('bsg_graphql_executions_total', 'path', 'resolvers');
  const { status } = await text('{ syncStatus { state } }');
  expect(status).toBe(200);
  expect(await count('bsg_graphql_executions_total', 'path', 'resolvers')).toBe(resolvers + 1);
});

it('refuses a query over the limits before any path runs', async () => {
  const before = [await count('bsg_graphql_executions_total', 'path', 'compiled'), await count('bsg_graphql_executions_total', 'path', 'resolvers')];
  const result = await post(yoga, '{ deals(first: 100) { edges { node { name notes(first: 100) { edges { node { content creator { name email } } } } } } } }');
  expect(result.status).toBe(400);
  expect(result.body.errors?.[0]?.message).toMatch(/MAX_QUERY_COST/);
  expect([await count('bsg_graphql_executions_total', 'path', 'compiled'), await count('bsg_graphql_executions_total', 'path', 'resolvers')]).toEqual(before);
});
