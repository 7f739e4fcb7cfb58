// On a mirror of 100,000 deals, a filter on one custom field, its count and an ordering by one
// read an index (GIN on custom_fields, or the expression index discovery gives a number or date
// field), never the whole table: the plans of the very statements the API runs, by EXPLAIN.
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PrismaClient } from '../../src/db/generated/prisma/client.ts';
import { silentLogger } from '../../src/logger.ts';
import { createGraphQL, type GraphQLServer } from '../../src/server/graphql.ts';
import { discoverCustomFields, reconcileCustomFieldIndexes } from '../../src/store/custom-fields.ts';
import { useTestDatabase } from '../fixtures/database.ts';
import { post } from './fixture.ts';

const DEALS = 100_000;
const db = useTestDatabase();
let prisma: PrismaClient;
let yoga: GraphQLServer;
let sql: pg.Client;
let statements: Array<{ query: string; params: unknown[] }> = [];

beforeAll(async () => {
  sql = new pg.Client({ connectionString: db.url });
  await sql.connect();
  // 100,000 deals, as the sync would store them: a region on each (a rare one on one in a
  // thousand), a budget (a string of digits) on six in seven, a renewal date on four in five.
  await sql.query(`
    INSERT INTO deals (id, name, tags, raw, revision, custom_fields)
    SELECT i, 'Deal ' || i, '{}', '{}', 1, jsonb_strip_nulls(jsonb_build_object(
      'Region', CASE WHEN i % 1000 = 0 THEN 'Antarctica' ELSE (ARRAY['EMEA', 'North America', 'APAC', 'LATAM'])[1 + i % 4] END,
      'Budget', CASE WHEN i % 7 <> 0 THEN ((i * 7919) % 100000)::text END,
      'Renewal', CASE WHEN i % 5 <> 0 THEN (date '2023-01-01' + (i * 31) % 900)::text END))
    FROM generate_series(1, ${DEALS}) i`);
  const client = new PrismaClient({ adapter: new PrismaPg({ connectionString: db.url, max: 2 }), log: [{ emit: 'event', level: 'query' }] });
  client.$on('query', (e) => statements.push({ query: e.query, params: JSON.parse(e.params) as unknown[] }));
  prisma = client;
  const fields = await discoverCustomFields(prisma, 'deal', 'unreadable');
  expect(fields.map((f) => [f.name, f.type, f.objects])).toEqual([
    ['Budget', 'number', DEALS - Math.floor(DEALS / 7)],
    ['Region', 'string', DEALS],
    ['Renewal', 'date', DEALS - DEALS / 5],
  ]);
  await reconcileCustomFieldIndexes(prisma, 'deal', fields);
  await sql.query('VACUUM ANALYZE deals');
  yoga = createGraphQL({ prisma, apiKeys: [], logger: silentLogger() });
}, 120_000);
afterAll(async () => {
  await prisma?.$disconnect();
  await sql?.end();
});

/** The plans of the statements a query makes that read deals. */
async function plansOf(query: string): Promise<string[]> {
  statements = [];
  const { status, body } = await post(yoga, query);
  expect(body.errors, JSON.stringify(body.errors)).toBeUndefined();
  expect(status).toBe(200);
  const reading = statements.filter((s) => /FROM "deals"/.test(s.query));
  expect(reading.length).toBeGreaterThan(0);
  const plans: string[] = [];
  for (const s of reading) {
    const { rows } = await sql.query<{ 'QUERY PLAN': unknown }>(`EXPLAIN (FORMAT JSON) ${s.query}`, s.params);
    plans.push(JSON.stringify(rows[0]!['QUERY PLAN']));
  }
  return plans;
}

/** Whether a plan reads the whole deals table. */
const scansDeals = (plan: string) => /"Node Type":"Seq Scan"[^}]*"Relation Name":"deals"/.test(plan);

describe(`a mirror of ${DEALS.toLocaleString('en')} deals`, () => {
  it('a text field: eq reads the GIN index (the page counts the selection too)', async () => {
    const plans = await plansOf(`{ deals(first: 20, where: { customFields: [{ name: "Region", eq: "Antarctica" }] }) { totalCount edges { node { baseId } } } }`);
    expect(plans).toHaveLength(1);
    for (const plan of plans) {
      expect(plan).toContain('deals_custom_fields_idx');
      expect(scansDeals(plan), plan).toBe(false);
    }
  });

  it('a number field: a range reads its expression index', async () => {
    const plans = await plansOf(`{ deals(first: 20, where: { customFields: [{ name: "Budget", gte: "99900" }] }) { totalCount edges { node { baseId customNumber(name: "Budget") } } } }`);
    for (const plan of plans) {
      expect(plan).toMatch(/deals_cf_n_[0-9a-f]{16}/);
      expect(scansDeals(plan), plan).toBe(false);
    }
  });

  it('a date field: newest renewal first reads its expression index backwards', async () => {
    const [plan] = await plansOf(`{ deals(first: 20, orderBy: [{ customField: "Renewal", direction: DESC }]) { edges { node { baseId customDate(name: "Renewal") } } } }`);
    expect(plan).toMatch(/deals_cf_t_[0-9a-f]{16}/);
    expect(plan).toContain('"Scan Direction":"Backward"');
    expect(scansDeals(plan!), plan).toBe(false);
  });

  it('and answers as the data says', async () => {
    const { body } = await post(yoga, `{ deals(first: 3, where: { customFields: [{ name: "Region", eq: "Antarctica" }] }) { totalCount edges { node { baseId customString(name: "Region") } } } }`);
    expect(body.data.deals).toEqual({
      totalCount: DEALS / 1000,
      edges: [1000, 2000, 3000].map((id) => ({ node: { baseId: id, customString: 'Antarctica' } })),
    });
  });
});
