// Hostile and broken HTTP requests to /graphql: each gets a clear 4xx with a GraphQL error and no
// stack trace, nothing of it runs, and the gateway answers a normal query right after.
import { beforeAll, expect, it } from 'vitest';
import type { App } from '../../src/app.ts';
import { useTestDatabase } from '../fixtures/database.ts';
import { startServing } from '../fixtures/gateway.ts';
import { rawRequest, type RawResponse } from '../fixtures/http.ts';

const db = useTestDatabase();
let app: App;

beforeAll(async () => {
  app = await startServing(db);
});

const JSON_HEADERS = { 'content-type': 'application/json', accept: 'application/graphql-response+json' };

const send = (body: string | Buffer, headers: Record<string, string> = {}) =>
  rawRequest(`${app.url}/graphql`, { method: 'POST', headers: { ...JSON_HEADERS, ...headers }, body });

/** A clear refusal: the status, a GraphQL error with a message and a code, no data, nothing internal. */
function expectRefused(res: RawResponse, status: number, message: RegExp) {
  expect(res.status, res.text.slice(0, 300)).toBe(status);
  expect(res.json).toBeDefined();
  expect(res.json.data ?? undefined).toBeUndefined();
  expect(res.json.errors.length).toBeGreaterThanOrEqual(1);
  expect(res.json.errors[0].message).toMatch(message);
  expect(res.json.errors[0].extensions?.code).toEqual(expect.any(String));
  expect(res.text).not.toMatch(/"stack"|\\n\s+at |node_modules|\.ts:\d+|prisma/i);
}

/** The gateway still answers. */
async function expectServing() {
  const res = await send(JSON.stringify({ query: '{ syncStatus { state } }' }));
  expect(res.status).toBe(200);
  expect(res.json.data.syncStatus.state).toBe('NEVER_SYNCED');
}

const aliases = (n: number) => `{ ${Array.from({ length: n }, (_, i) => `a${i}: syncStatus { state }`).join(' ')} }`;
const nested = (depth: number) => `{ users(first: 1) { edges { node { ${'manager { '.repeat(depth)}name${' }'.repeat(depth)} } } } }`;

it.each<[string, () => Promise<RawResponse>, number, RegExp]>([
  ['malformed JSON', () => send('{"query": "{ syncStatus { state } }"'), 400, /JSON/i],
  ['a JSON array of garbage', () => send('[1, 2, 3]'), 400, /./],
  ['a query that is not a string', () => send(JSON.stringify({ query: { evil: true } })), 400, /query/i],
  ['variables that are not an object', () => send(JSON.stringify({ query: '{ syncStatus { state } }', variables: [1] })), 400, /variables/i],
  ['a 50 MB body', () => send(Buffer.alloc(50 * 1024 * 1024, ' ')), 413, /too large/i],
  ['a 50 MB body without a length (chunked)', () => send(Buffer.alloc(50 * 1024 * 1024, ' '), { 'transfer-encoding': 'chunked' }), 413, /too large/i],
  ['10,000 aliases', () => send(JSON.stringify({ query: aliases(10_000) })), 400, /Token limit/],
  ['16 aliases', () => send(JSON.stringify({ query: aliases(16) })), 400, /MAX_QUERY_ALIASES/],
  ['1,000-deep nesting', () => send(JSON.stringify({ query: nested(1000) })), 400, /Token limit/],
  ['40-deep nesting', () => send(JSON.stringify({ query: nested(40) })), 400, /MAX_QUERY_DEPTH/],
  ['1,000-deep JSON variables', () => send(`{"query":"query ($w: DealWhere) { deals(where: $w) { totalCount } }","variables":{"w":${'{"AND":['.repeat(1000)}{}${']}'.repeat(1000)}}}`), 400, /nest deeper than 64 levels/],
  ['an unknown operation name', () => send(JSON.stringify({ query: 'query A { syncStatus { state } }', operationName: 'B' })), 400, /operation/i],
  ['two operations and no name', () => send(JSON.stringify({ query: 'query A { syncStatus { state } } query B { syncStatus { state } }' })), 400, /operation/i],
  ['a mutation', () => send(JSON.stringify({ query: 'mutation { nope }' })), 400, /mutation/i],
  ['70,000 values in the variables', () => send(JSON.stringify({ query: 'query ($ids: [BigInt!]) { deals(where: { baseId: { in: $ids } }) { totalCount } }', variables: { ids: Array.from({ length: 70_000 }, (_, i) => i) } })), 400, /more than 10,000 values/],
  ['a syntax error', () => send(JSON.stringify({ query: '{ syncStatus { ' })), 400, /Syntax Error/],
])('%s: a clear 4xx, and the gateway keeps serving', async (_what, request, status, message) => {
  expectRefused(await request(), status, message);
  await expectServing();
});
