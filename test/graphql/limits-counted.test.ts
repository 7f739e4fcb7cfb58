// The query limits count what would run: the cost is computed with the request's variables and
// the arguments' defaults (a missing `first` counts as the default page size), per alias and
// through fragments, for queries and subscriptions alike. A query over a limit is refused with
// 400, GRAPHQL_VALIDATION_FAILED and a message naming the limit and the figure, before a single
// SQL statement runs.
import { expect, it } from 'vitest';
import { useRecordingGraphQL, useSyncedWorld, type GraphQLResult } from './fixture.ts';

const w = useSyncedWorld({ world: { total: 1000 }, seed: 1 });
const g = useRecordingGraphQL(w);

/** Users, their deals, the deals' notes: `n` of each, three levels of pages. */
const PAGES_OF_PAGES = `query Pages($n: Int) {
  users(first: $n) { edges { node { name deals(first: $n) { edges { node { name notes(first: $n) { edges { node { content } } } } } } } } }
}`;
const literal = (n: number) => PAGES_OF_PAGES.replace('query Pages($n: Int)', 'query Pages').replaceAll('$n', String(n));

/** Refused before anything ran: 400, one validation error naming the limit, and not one SQL statement. */
function expectRefused(result: GraphQLResult & { statements: string[] }, limit: string): number {
  expect(result.status).toBe(400);
  expect(result.body.data).toBeUndefined();
  expect(result.body.errors).toHaveLength(1);
  const [error] = result.body.errors!;
  expect(error!.extensions).toMatchObject({ code: 'GRAPHQL_VALIDATION_FAILED', limit: { name: limit } });
  expect(error!.message).toContain(limit);
  expect(error!.message).not.toMatch(/syntax/i);
  expect(result.statements).toEqual([]);
  const { max, actual } = error!.extensions!.limit as { max: number; actual: number };
  // The message gives the figure and the limit.
  expect(error!.message).toContain(actual.toLocaleString('en-US'));
  expect(error!.message).toContain(max.toLocaleString('en-US'));
  expect(actual).toBeGreaterThan(max);
  return actual;
}

it('refuses pages of pages of pages, whether the sizes are literals, variables or defaulted variables', async () => {
  const cost = expectRefused(await g.request(literal(100)), 'MAX_QUERY_COST');
  expect(expectRefused(await g.request(PAGES_OF_PAGES, { n: 100 }), 'MAX_QUERY_COST')).toBe(cost);
  const defaulted = PAGES_OF_PAGES.replace('$n: Int)', '$n: Int = 100)');
  expect(expectRefused(await g.request(defaulted), 'MAX_QUERY_COST')).toBe(cost);
  expect(expectRefused(await g.request(defaulted, { n: null }), 'MAX_QUERY_COST')).toBeLessThan(cost);
  // The same documents with small pages run.
  expect((await g.query(literal(2))).data.users.edges).toHaveLength(2);
  expect((await g.query(PAGES_OF_PAGES, { n: 2 })).data.users.edges).toHaveLength(2);
  expect((await g.query(defaulted, { n: 2 })).data.users.edges).toHaveLength(2);
});

it('counts a missing first (or a null one) as the default page size of 20', async () => {
  const twenty = expectRefused(await g.request(literal(20)), 'MAX_QUERY_COST');
  const unsized = literal(20).replaceAll('(first: 20)', '');
  expect(expectRefused(await g.request(unsized), 'MAX_QUERY_COST')).toBe(twenty);
  expect(expectRefused(await g.request(PAGES_OF_PAGES, {}), 'MAX_QUERY_COST')).toBe(twenty);
  expect(expectRefused(await g.request(PAGES_OF_PAGES, { n: null }), 'MAX_QUERY_COST')).toBe(twenty);
});

it('answers the same document by its variables each time (no result of another request reused)', async () => {
  for (const n of [2, 100, 2, 100]) {
    const result = await g.request(PAGES_OF_PAGES, { n });
    expect(result.status, `n = ${n}`).toBe(n === 2 ? 200 : 400);
  }
});

it('counts the operation that runs, of a document with several', async () => {
  const document = `${literal(2).replace('query Pages', 'query Small')}\n${literal(100).replace('query Pages', 'query Big')}`;
  const run = (operationName: string) =>
    g.recording(async () => {
      const res = await g.yoga.fetch('http://localhost/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
        body: JSON.stringify({ query: document, operationName }),
      });
      return { status: res.status, body: await res.json() };
    });
  for (const name of ['Small', 'Big', 'Small', 'Big']) {
    const { value, statements } = await run(name);
    expect(value.status, name).toBe(name === 'Small' ? 200 : 400);
    if (name === 'Big') {
      expect(value.body.errors[0].extensions.limit.name).toBe('MAX_QUERY_COST');
      expect(statements).toEqual([]);
    }
  }
});

it('counts every alias', async () => {
  const aliased = (k: number) =>
    `query Aliased($n: Int) { ${Array.from({ length: k }, (_, i) => `a${i}: ${PAGES_OF_PAGES.slice(PAGES_OF_PAGES.indexOf('users'), PAGES_OF_PAGES.lastIndexOf('}'))}`).join(' ')} }`;
  const one = expectRefused(await g.request(aliased(1), { n: 30 }), 'MAX_QUERY_COST');
  expect(expectRefused(await g.request(aliased(3), { n: 30 }), 'MAX_QUERY_COST')).toBe(3 * one);
  // Each alias small enough alone, eight of them too much together.
  const small = await g.request(aliased(1), { n: 10 });
  expect(small.status).toBe(200);
  expectRefused(await g.request(aliased(8), { n: 10 }), 'MAX_QUERY_COST');
});

it('counts through fragments, named and inline, with the fragments taking the variables', async () => {
  const fragments = `query Pages($n: Int) { users(first: $n) { edges { node { ...UserDeals } } } }
fragment UserDeals on User { name deals(first: $n) { edges { node { ... on Deal { name notes(first: $n) { edges { node { ...NoteText } } } } } } } }
fragment NoteText on Note { content }`;
  const cost = expectRefused(await g.request(PAGES_OF_PAGES, { n: 100 }), 'MAX_QUERY_COST');
  expect(expectRefused(await g.request(fragments, { n: 100 }), 'MAX_QUERY_COST')).toBe(cost);
  expect((await g.query(fragments, { n: 2 })).data.users.edges).toHaveLength(2);
});

it('counts the depth through fragments', async () => {
  const chain = (depth: number) =>
    `query Managers { users(first: 1) { edges { node { ...M1 } } } }\n` +
    Array.from({ length: depth }, (_, i) => `fragment M${i + 1} on User { manager { ${i + 1 < depth ? `...M${i + 2}` : 'name'} } }`).join('\n');
  // users → edges → node (3), a manager each fragment, the name: 3 + 8 + 1 = 12.
  expect((await g.request(chain(8))).status).toBe(200);
  expect(expectRefused(await g.request(chain(9)), 'MAX_QUERY_DEPTH')).toBe(13);
});

it('counts aliases through fragments', async () => {
  const fragment = `fragment Twice on Query { x: syncStatus { state } y: syncStatus { state } }`;
  const spread = (k: number) => `query Spread { ${Array.from({ length: k }, () => '...Twice').join(' ')} }\n${fragment}`;
  // Spread 7 times: 14 aliases; 8 times: 16, over 15.
  expect((await g.request(spread(7))).status).toBe(200);
  expect(expectRefused(await g.request(spread(8)), 'MAX_QUERY_ALIASES')).toBe(16);
});

it('refuses a subscription whose selection costs too much, over SSE, with variables', async () => {
  const subscription = `subscription DealNotes($n: Int) {
    dealChanged { node { notes(first: $n) { edges { node { content creator { deals(first: $n) { edges { node { name } } } } } } } } }
  }`;
  const subscribe = (n: number) =>
    g.recording(async () => {
      const res = await g.yoga.fetch('http://localhost/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
        body: JSON.stringify({ query: subscription, variables: { n } }),
      });
      // A refused subscription's stream holds the error and ends.
      return { status: res.status, text: await res.text() };
    });
  const { value, statements } = await subscribe(100);
  expect(value.status).toBe(400);
  expect(value.text).toMatch(/"code":"GRAPHQL_VALIDATION_FAILED"/);
  expect(value.text).toMatch(/Query cost 30,503 is over the limit of 25,000 \(MAX_QUERY_COST\)/);
  expect(statements).toEqual([]);
});
