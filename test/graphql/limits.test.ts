// Limits and errors: a query too deep, too costly, with too many aliases, directives or tokens
// is refused as invalid (400, whatever the client accepts) before it runs; pages are at most 100; a malformed body or an
// unknown field is a 400 GraphQL error; and no error ever carries a stack trace, while an
// unexpected one is masked as "Unexpected error.".
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPrismaClient, type PrismaClient } from '../../src/db/client.ts';
import { silentLogger } from '../../src/logger.ts';
import { createGraphQL, type GraphQLServer } from '../../src/server/graphql.ts';
import { withDatabaseName } from '../fixtures/postgres-admin.ts';
import { post, useSyncedWorld, type GraphQLResult } from './fixture.ts';

const w = useSyncedWorld({ world: { total: 1000 }, seed: 1 });

/** No stack trace or internal detail anywhere in the body. */
function expectNoInternals(body: unknown) {
  const text = JSON.stringify(body);
  expect(text).not.toMatch(/"stack"|stacktrace|\bat [\w.<>]+ \(|node_modules|\.ts:\d+|prisma/i);
}

/** Refused before execution: 400, one or more errors with `code`, no data at all. */
function expectInvalid(result: GraphQLResult, message: RegExp) {
  expect(result.status).toBe(400);
  expect(result.body.data).toBeUndefined();
  expect(result.body.errors!.map((e) => e.message)).toEqual(expect.arrayContaining([expect.stringMatching(message)]));
  for (const error of result.body.errors!) expect(error.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
  expectNoInternals(result.body);
}

const managers = (depth: number) => `{ users(first: 1) { edges { node { ${'manager { '.repeat(depth)}name${' }'.repeat(depth)} } } } }`;

describe('query limits', () => {
  it('refuses a query deeper than 12', async () => {
    // users → edges → node is 3 deep; each manager adds one, the name one more.
    expect((await w.request(managers(8))).status).toBe(200);
    expectInvalid(await w.request(managers(9)), /^Query depth 13 is over the limit of 12 \(MAX_QUERY_DEPTH\)$/);
  });

  it('refuses a query too costly, even when shallow', async () => {
    const query = '{ deals(first: 100) { edges { node { name notes(first: 100) { edges { node { content creator { name email } } } } } } } }';
    expectInvalid(await w.request(query), /^Query cost 60,401 is over the limit of 25,000 \(MAX_QUERY_COST\)/);
    // The same shape with small pages is fine.
    expect((await w.request(query.replaceAll('100', '10'))).status).toBe(200);
  });

  it('refuses more than 15 aliases', async () => {
    const aliases = (n: number) => `{ ${Array.from({ length: n }, (_, i) => `a${i}: syncStatus { state }`).join(' ')} }`;
    expect((await w.request(aliases(15))).status).toBe(200);
    expectInvalid(await w.request(aliases(16)), /^Aliases limit of 15 exceeded, found 16 \(MAX_QUERY_ALIASES\)$/);
  });

  it('refuses more than 20 directives', async () => {
    const fields = Array.from({ length: 21 }, (_, i) => `f${i % 10}: syncStatus @include(if: true) { state }`);
    const result = await w.request(`{ ${fields.slice(0, 10).join(' ')} x: syncStatus { ${Array.from({ length: 11 }, () => 'state @skip(if: false)').join(' ')} } }`);
    expectInvalid(result, /^Directives limit of 20 exceeded, found 21/);
  });

  it('answers a refusal with 400 to a client accepting application/json too', async () => {
    const result = await w.request(managers(9), undefined, { accept: 'application/json' });
    expectInvalid(result, /MAX_QUERY_DEPTH/);
  });

  it('refuses a query of more than 2,000 tokens as a parse error', async () => {
    const result = await w.request(`{ ${Array.from({ length: 700 }, () => 'syncStatus { state }').join(' ')} }`);
    expect(result.status).toBe(400);
    expect(result.body.data).toBeUndefined();
    expect(result.body.errors![0]!.message).toMatch(/Token limit of 2000 exceeded/);
    expect(result.body.errors![0]!.extensions?.code).toBe('GRAPHQL_PARSE_FAILED');
  });
});

describe('page size', () => {
  it.each(['first', 'last'])('refuses %s: 1000 with an error saying at most 100, and no data', async (arg) => {
    const result = await w.request(`{ deals(${arg}: 1000) { totalCount edges { node { name value } } } }`);
    expect(result.body.data ?? null).toBeNull();
    expect(result.body.errors).toHaveLength(1);
    expect(result.body.errors![0]).toMatchObject({ path: ['deals'], extensions: { code: 'BAD_USER_INPUT' } });
    expect(result.body.errors![0]!.message).toMatch(/at most 100/);
    expectNoInternals(result.body);
  });

  it('refuses an oversized page of a nested connection too', async () => {
    const result = await w.request('{ deals(first: 2) { edges { node { notes(first: 101) { totalCount } } } } }');
    expect(result.body.errors![0]!.message).toMatch(/at most 100/);
    expect(JSON.stringify(result.body.data ?? null)).not.toMatch(/totalCount/);
  });

  it('serves exactly 100', async () => {
    const data = await w.query('{ deals(first: 100) { edges { node { baseId } } } }');
    expect(data.deals.edges).toHaveLength(100);
  });
});

describe('bad requests', () => {
  it('answers a malformed JSON body with 400 and a GraphQL error', async () => {
    const res = await w.yoga.fetch('http://localhost/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
      body: '{"query": "{ syncStatus { state } }"',
    });
    expect(res.status).toBe(400);
    const body = await res.json();
    expect(body.data).toBeUndefined();
    expect(body.errors).toHaveLength(1);
    expect(body.errors[0].message).toMatch(/invalid JSON/i);
    expect(body.errors[0].extensions.code).toBe('BAD_REQUEST');
    expect(JSON.stringify(body)).not.toMatch(/"stack"|\bat [\w.<>]+ \(|node_modules/);
  });

  it('answers a body without a query with 400', async () => {
    const res = await w.yoga.fetch('http://localhost/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
      body: JSON.stringify({ variables: {} }),
    });
    expect(res.status).toBe(400);
    expect((await res.json()).errors[0].message).toMatch(/query/i);
  });

  it('answers an unknown field with 400 naming it', async () => {
    const result = await w.request('{ deals(first: 1) { edges { node { nope } } } }');
    expectInvalid(result, /Cannot query field "nope" on type "Deal"/);
  });

  it('answers a syntax error with 400', async () => {
    const result = await w.request('{ deals(first: 1) { edges ');
    expect(result.status).toBe(400);
    expect(result.body.errors![0]!.extensions?.code).toBe('GRAPHQL_PARSE_FAILED');
  });

  it('answers a bad variable with 400', async () => {
    const result = await w.request('query ($n: Int) { deals(first: $n) { totalCount } }', { n: 'many' });
    expect(result.status).toBe(400);
    expect(result.body.errors![0]!.message).toMatch(/\$n/);
    expectNoInternals(result.body);
  });

  it('answers a bad Decimal in a filter with an error saying what a Decimal is', async () => {
    const result = await w.request('{ deals(first: 1, where: { value: { gt: "lots" } }) { totalCount } }');
    expect(result.status).toBe(400);
    expect(result.body.errors![0]!.message).toMatch(/Decimal/);
  });
});

describe('unexpected errors', () => {
  let broken: PrismaClient;
  let yoga: GraphQLServer;
  beforeAll(() => {
    // A client of a database that does not exist: every read fails inside Prisma.
    broken = createPrismaClient({ databaseUrl: withDatabaseName(w.db.url, 'bsg_no_such_database'), poolSize: 1 });
    yoga = createGraphQL({ prisma: broken, apiKeys: [], logger: silentLogger() });
  });
  afterAll(() => broken?.$disconnect());

  it('masks a database failure as "Unexpected error." without a stack or details', async () => {
    for (const query of ['{ deals(first: 1) { totalCount } }', '{ mirrorCounts { type live } }', '{ deal(baseId: 1) { name } }']) {
      const result = await post(yoga, query);
      expect(result.body.errors, query).toHaveLength(1);
      const [error] = result.body.errors!;
      expect(error!.message).toBe('Unexpected error.');
      expect(error!.extensions).toEqual({ code: 'INTERNAL_SERVER_ERROR' });
      expect(JSON.stringify(result.body)).not.toMatch(/bsg_no_such_database|does not exist|"stack"|prisma/i);
    }
  });

  it('answers syncStatus all the same, saying the database cannot be reached, in its own words', async () => {
    const result = await post(yoga, '{ syncStatus { state lastError } }');
    expect(result.body).toEqual({ data: { syncStatus: { state: 'NEVER_SYNCED', lastError: 'this process cannot reach the database' } } });
  });

  it('keeps the data of the fields that did not fail', async () => {
    const result = await post(yoga, '{ __typename deal(baseId: 1) { name } }');
    expect(result.body.data).toEqual({ __typename: 'Query', deal: null });
    expect(result.body.errors![0]!.message).toBe('Unexpected error.');
  });
});
