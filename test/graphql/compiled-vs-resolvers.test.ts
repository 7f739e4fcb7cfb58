// The compiled path (one SQL statement building the JSON) answers byte for byte what the Pothos
// resolvers answer: every query fixture, and queries made to hit what is easy to get wrong (ids
// past 2^53, money's scale, NULLs, deleted rows, custom fields, cursors and pages, aliases,
// fragments, directives). Each runs through a gateway with the compiler and one without; the
// ones the compiler covers are checked to have run compiled (bsg_graphql_executions_total).
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Registry } from 'prom-client';
import { beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/logger.ts';
import { createGraphQL, type GraphQLServer } from '../../src/server/graphql.ts';
import { useSyncedWorld } from './fixture.ts';

const DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'queries');
const FIXTURES = readdirSync(DIR).filter((f) => f.endsWith('.graphql')).sort();

const w = useSyncedWorld({ world: { total: 1500 }, seed: 3 });

const ID_PAST_2_53 = '9007199254740993';
const INT8_MAX = '9223372036854775807';
const NOTE_ID = '9007199254740995';
const globalId = (type: string, id: string | number) => Buffer.from(`${type}:${id}`).toString('base64');

let compiled: GraphQLServer;
let resolvers: GraphQLServer;
const registry = new Registry();
let deletedDeal: number;
let deletedNoteDeal: number;

/** The exact response text of `yoga` to a query. */
async function answer(yoga: GraphQLServer, query: string, variables?: Record<string, unknown>): Promise<{ status: number; text: string }> {
  const res = await yoga.fetch('http://localhost/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
    body: JSON.stringify({ query, variables }),
  });
  return { status: res.status, text: await res.text() };
}

async function compiledCount(): Promise<number> {
  const metric = await registry.getSingleMetric('bsg_graphql_executions_total')?.get();
  return metric?.values.find((v) => v.labels.path === 'compiled')?.value ?? 0;
}

const firstDifference = (a: string, b: string) => {
  let i = 0;
  while (i < a.length && a[i] === b[i]) i++;
  return `${i}: ${JSON.stringify(a.slice(i - 40, i + 80))} vs ${JSON.stringify(b.slice(i - 40, i + 80))}`;
};

/** Both answers, asserted identical; whether the compiled gateway ran it compiled. */
async function same(query: string, variables?: Record<string, unknown>): Promise<{ text: string; ranCompiled: boolean }> {
  const before = await compiledCount();
  const fast = await answer(compiled, query, variables);
  const ranCompiled = (await compiledCount()) > before;
  const slow = await answer(resolvers, query, variables);
  expect(fast.status).toBe(slow.status);
  expect(fast.text, `compiled and resolvers differ from character ${firstDifference(fast.text, slow.text)}`).toBe(slow.text);
  return { text: fast.text, ranCompiled };
}

beforeAll(async () => {
  const text = (type: string, id: string, data: string) =>
    `{"data":{"id":${id},${data}},"meta":{"type":"${type}","sync":{"event_type":"created","ack_key":"${type}-${id}-1","revision":1}}}`;
  w.f.sim.injectItems([
    text('deal', ID_PAST_2_53, `"name":"past 2^53","value":1200.00,"owner_id":${INT8_MAX},"stage_id":1,"custom_fields":{"Region":"EMEA","Budget":"75000.50"}`),
    text('deal', INT8_MAX, '"name":"int8 max","value":-0.50,"hot":null,"tags":["a","b\\"c"]'),
    text('note', NOTE_ID, `"resource_type":"deal","resource_id":${ID_PAST_2_53},"content":"on 2^53 + 1\\nwith a line break and \\u0001"`),
  ]);
  const deals = [...w.f.sim.objects('deal')];
  deletedDeal = deals[0]!.id;
  const notes = [...w.f.sim.objects('note')].filter((n) => n.data.resource_type === 'deal');
  deletedNoteDeal = Number(notes[0]!.data.resource_id);
  w.f.sim.changes([
    { op: 'delete', type: 'deal', id: deletedDeal },
    { op: 'delete', type: 'note', id: notes[0]!.id },
  ]);
  const engine = w.f.engine();
  expect((await engine.runOnce()).started).toBe(true);
  // customFieldDefinitions counts what discovery found: settled before any answer is compared.
  await engine.customFieldsDiscovered();
  compiled = createGraphQL({ prisma: w.f.prisma, apiKeys: [], logger: silentLogger(), metrics: registry });
  resolvers = createGraphQL({ prisma: w.f.prisma, apiKeys: [], logger: silentLogger(), compiledQueries: false });
});

/**
 * The fixtures the compiler answers; the others ask for what it leaves to the resolvers (status
 * fields, unions, nested objects, customFieldDefinitions). Both kinds must answer the same bytes.
 */
const COMPILED_FIXTURES = ['deal-with-relations.graphql', 'deals-filtered.graphql'];
const ranCompiled = new Map<string, boolean>();

describe('query fixtures', () => {
  it.each(FIXTURES)('%s answers the same bytes', async (file) => {
    ranCompiled.set(file, (await same(readFileSync(path.join(DIR, file), 'utf8'))).ranCompiled);
  });

  it('runs compiled the fixtures the compiler covers, and only those', () => {
    expect(ranCompiled.size).toBe(FIXTURES.length);
    expect([...ranCompiled].filter(([, compiled]) => compiled).map(([file]) => file).sort()).toEqual(COMPILED_FIXTURES);
  });
});

/** Queries the compiler covers: each must run compiled and answer the same bytes. */
const COVERED: Record<string, [string, Record<string, unknown>?]> = {
  'every kind of column, tombstones included, with page info and cursors': [`{
    deals(first: 40, includeDeleted: true, orderBy: [{ field: VALUE, direction: DESC }, { field: NAME, direction: ASC }]) {
      __typename totalCount
      pageInfo { __typename hasNextPage hasPreviousPage startCursor endCursor }
      edges { __typename cursor node { __typename id baseId name value currency hot tags estimatedCloseDate createdAt updatedAt deletedAt revision ownerId stageId customizedWinLikelihood lastStageChangeAt } }
    }
  }`],
  'ids past 2^53, money scale, NULLs and text escapes': [`query ($a: BigInt!, $b: BigInt!) {
    a: deal(baseId: $a) { baseId value ownerId stageId hot customNumber(name: "Budget") region: customString(name: "Region") notes(first: 5) { totalCount edges { node { baseId resourceId content } } } owner { name } }
    b: deal(baseId: $b) { baseId value hot tags }
    found: deals(where: { ownerId: { eq: "${INT8_MAX}" } }) { edges { node { baseId } } }
    note: node(id: "${globalId('Note', NOTE_ID)}") { id ... on Note { baseId resourceId content } }
  }`, { a: ID_PAST_2_53, b: INT8_MAX }],
  'deleted objects hidden unless asked': [`query ($id: BigInt!, $deal: BigInt!) {
    hidden: deal(baseId: $id) { baseId }
    shown: deal(baseId: $id, includeDeleted: true) { baseId deletedAt }
    live: deals(first: 5, where: { baseId: { eq: $id } }) { totalCount edges { node { baseId } } }
    all: deals(first: 5, where: { baseId: { eq: $id } }, includeDeleted: true) { totalCount edges { node { baseId } } }
    withNotes: deal(baseId: $deal) { notes { totalCount edges { node { baseId } } } allNotes: notes(includeDeleted: true) { totalCount edges { node { baseId deletedAt } } } }
    node(id: "${globalId('Deal', 0)}") { id }
  }`, { id: 0, deal: 0 }],
  'custom fields: filters, order by a custom field, every accessor': [`{
    deals(first: 10, where: { customFields: [{ name: "Region", eq: "EMEA" }] }, orderBy: [{ customField: "Renewal", direction: DESC }]) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges { node { baseId region: customString(name: "Region") budget: customNumber(name: "Budget") renewal: customDate(name: "Renewal") at: customDateTime(name: "Last contacted") newsletter: customBoolean(name: "Newsletter") interests: customList(name: "Interests") priority: customField(name: "Priorité") missing: customNumber(name: "No such field") contact { name region: customString(name: "Region") } } }
    }
  }`],
  'filters: contains, startsWith, in, isNull, OR, NOT, relations': [`{
    a: contacts(first: 15, where: { name: { contains: "an" }, isOrganization: { eq: false } }, orderBy: [{ field: CREATED_AT, direction: DESC }]) { totalCount edges { node { baseId name email owner { name } } } }
    b: contacts(first: 15, where: { OR: [{ name: { startsWith: "A" } }, { email: { isNull: true } }], NOT: { isOrganization: { eq: true } } }) { totalCount edges { node { baseId name } } }
    c: deals(first: 15, where: { stage: { category: { in: ["won", "lost"] } }, owner: { baseId: { in: [2, 3, 4] } } }, orderBy: [{ field: ESTIMATED_CLOSE_DATE, direction: ASC }]) { totalCount edges { node { baseId estimatedCloseDate stage { category } } } }
  }`],
  'aliases, fragments, inline fragments, @skip and @include, __typename': [`query ($yes: Boolean!, $no: Boolean!) {
    __typename
    first: deals(first: 3) { edges { node { ...DealFields ... on Deal { again: name } ... @include(if: $yes) { hot } ... @skip(if: $yes) { currency } } } }
    second: deals(first: 2) { edges { node { name @skip(if: $yes) value @include(if: $no) stage @include(if: $yes) { __typename name } ...DealFields } } }
  }
  fragment DealFields on Deal { __typename baseId name stage { name pipeline { name } } }`, { yes: true, no: false }],
  'node and nodes of many types, unknown and deleted ids': [`query ($ids: [ID!]!) {
    nodes(ids: $ids) { __typename id ... on Deal { baseId name } ... on Contact { name } ... on Stage { name category } ... on Note { content } }
    withDeleted: nodes(ids: $ids, includeDeleted: true) { id }
  }`, { ids: [] }],
  'related connections: default size, first 0, people, stages of users': [`{
    users(first: 5) { edges { node { name deals { totalCount pageInfo { hasNextPage } } leads(first: 0) { totalCount pageInfo { hasNextPage startCursor endCursor } edges { cursor } } contacts(first: 2) { edges { cursor node { name } } } } } }
    orgs: contacts(first: 5, where: { isOrganization: { eq: true } }) { edges { node { name people(first: 3) { totalCount edges { node { name organization { name } } } } } } }
  }`],
};

describe('covered queries', () => {
  it.each(Object.keys(COVERED))('%s', async (name) => {
    let [query, variables] = COVERED[name]!;
    if (name === 'deleted objects hidden unless asked') variables = { id: deletedDeal, deal: deletedNoteDeal };
    if (name === 'node and nodes of many types, unknown and deleted ids') {
      const pick = (type: string) => [...w.f.sim.objects(type)][3]!.id;
      variables = { ids: [globalId('Deal', pick('deal')), globalId('Contact', pick('contact')), globalId('Stage', pick('stage')), globalId('Note', pick('note')), globalId('Deal', 1), globalId('Deal', deletedDeal)] };
    }
    if (name.startsWith('deleted')) query = query.replace(globalId('Deal', 0), globalId('Deal', deletedDeal));
    const { text, ranCompiled } = await same(query, variables);
    expect(JSON.parse(text).errors).toBeUndefined();
    expect(ranCompiled).toBe(true);
  });

  it('pages through a connection with after, cursors as the resolvers make them', async () => {
    const query = 'query ($after: String) { deals(first: 25, after: $after, orderBy: [{ field: HOT, direction: DESC }]) { totalCount pageInfo { hasNextPage hasPreviousPage endCursor } edges { cursor node { baseId hot } } } }';
    let after: string | null = null;
    let pages = 0;
    for (;;) {
      const { text, ranCompiled } = await same(query, { after });
      expect(ranCompiled).toBe(true);
      const deals = JSON.parse(text).data.deals;
      pages++;
      if (!deals.pageInfo.hasNextPage) break;
      after = deals.pageInfo.endCursor;
    }
    expect(pages).toBeGreaterThan(3);
  });
});

describe('what the resolvers answer', () => {
  it.each([
    ['a page too large', '{ deals(first: 101) { edges { node { name } } } }'],
    ['a negative page', '{ deals(first: -1) { edges { node { name } } } }'],
    ['a cursor that is not one', '{ deals(first: 2, after: "nope") { edges { node { name } } } }'],
    ['an id that is not one', '{ node(id: "not-an-id") { id } }'],
    ['a backward page', '{ deals(last: 3) { edges { cursor node { name } } } }'],
    ['an orderBy entry with neither key', '{ deals(orderBy: [{ direction: ASC }]) { edges { node { name } } } }'],
    ['a bad date in a filter', '{ deals(where: { createdAt: { gt: "yesterday" } }) { totalCount } }'],
    ['payload JSON', '{ deals(first: 2) { edges { node { raw customFields } } } }'],
  ])('%s: the same answer, from the resolvers', async (_name, query) => {
    const { ranCompiled } = await same(query);
    expect(ranCompiled).toBe(false);
  });
});
