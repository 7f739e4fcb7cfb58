// Custom-field filters select exactly what the same condition written in plain SQL over `raw`
// selects: every operator on every type of field, absent fields and nulls, values of the wrong
// type, inside AND / OR / NOT and on relations.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/logger.ts';
import { createGraphQL, type GraphQLServer } from '../../src/server/graphql.ts';
import { useTestDatabase } from '../fixtures/database.ts';
import { startSyncFixture } from '../fixtures/sync.ts';
import { post } from './fixture.ts';

const db = useTestDatabase();
let sql: pg.Client;
let yoga: GraphQLServer;
let totals: Record<string, number>;

beforeAll(async () => {
  const f = await startSyncFixture(db, { world: { total: 4000 }, seed: 5 });
  // Values Base would rarely send, but might: nulls, numbers as JSON numbers, text in a number
  // field, a list that is not a list.
  f.sim.changes([
    { op: 'create', type: 'deal', data: { name: 'Odd 1', custom_fields: { Region: null, Budget: null, Renewal: null, Interests: null } } },
    { op: 'create', type: 'deal', data: { name: 'Odd 2', custom_fields: { Budget: 75000, Region: 'EMEA', Newsletter: 'true' } } },
    { op: 'create', type: 'deal', data: { name: 'Odd 3', custom_fields: { Budget: 'n/a', Renewal: 'soon', Interests: 'Mobile' } } },
    { op: 'create', type: 'deal', data: { name: 'Odd 4', custom_fields: { Budget: '50000.00', Renewal: '2024-06-30T12:00:00Z', Region: 'emea' } } },
    { op: 'create', type: 'deal', data: { name: 'Odd 5', custom_fields: ['not', 'an', 'object'] } },
    { op: 'create', type: 'deal', data: { name: 'Odd 6' } },
    { op: 'create', type: 'deal', data: { name: 'Odd 7', custom_fields: { "Owner's \\pick": 'yes', constructor: 'yes' } } },
  ]);
  const summary = await f.engine().runOnce();
  if (summary.interrupted) throw new Error('sync interrupted');
  yoga = createGraphQL({ prisma: f.prisma, apiKeys: [], logger: silentLogger() });
  sql = new pg.Client({ connectionString: db.url });
  await sql.connect();
  // Plain dates below read as midnight UTC, as the API reads them.
  await sql.query(`SET TIME ZONE 'UTC'`);
  const { rows } = await sql.query<{ type: string; n: string }>(
    `SELECT 'deal' AS type, count(*) AS n FROM deals WHERE deleted_at IS NULL UNION ALL SELECT 'note', count(*) FROM notes WHERE deleted_at IS NULL
     UNION ALL SELECT 'contact', count(*) FROM contacts WHERE deleted_at IS NULL`,
  );
  totals = Object.fromEntries(rows.map((r) => [r.type, Number(r.n)]));
});
afterAll(() => sql?.end());

/** Every base id a connection selects (paging through it) and its totalCount. */
async function apiIds(connection: 'deals' | 'notes' | 'contacts', where: unknown): Promise<{ ids: string[]; totalCount: number }> {
  const ids: string[] = [];
  let after: string | null = null;
  let totalCount = -1;
  for (;;) {
    const { status, body }: { status: number; body: any } = await post(
      yoga,
      `query ($where: ${connection === 'deals' ? 'DealWhere' : connection === 'notes' ? 'NoteWhere' : 'ContactWhere'}, $after: String) {
        ${connection}(first: 100, after: $after, where: $where) { totalCount edges { node { baseId } } pageInfo { hasNextPage endCursor } }
      }`,
      { where, after },
    );
    if (status !== 200 || body.errors) throw new Error(`query failed (${status}): ${JSON.stringify(body.errors)}`);
    const page: { totalCount: number; edges: Array<{ node: { baseId: number | string } }>; pageInfo: { hasNextPage: boolean; endCursor: string } } = body.data[connection];
    totalCount = page.totalCount;
    ids.push(...page.edges.map((e) => String(e.node.baseId)));
    if (!page.pageInfo.hasNextPage) return { ids, totalCount };
    after = page.pageInfo.endCursor;
  }
}

// The field's value, as plain SQL over the payload reads it.
const cf = (alias: string, name: string) => `${alias}.raw -> 'custom_fields' -> '${name}'`;
const text = (alias: string, name: string) => `(${cf(alias, name)} #>> '{}')`;
// A number or numeric string as numeric, else NULL (a user has to guard the cast too).
const num = (alias: string, name: string) =>
  `(CASE WHEN jsonb_typeof(${cf(alias, name)}) = 'number' OR (jsonb_typeof(${cf(alias, name)}) = 'string' AND ${cf(alias, name)} #>> '{}' ~ '^-?[0-9]+(\\.[0-9]+)?$') THEN (${cf(alias, name)} #>> '{}')::numeric END)`;
const time = (alias: string, name: string) =>
  `(CASE WHEN ${cf(alias, name)} #>> '{}' ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}(T[0-9:]+Z)?$' THEN (${cf(alias, name)} #>> '{}')::timestamptz END)`;

async function expectFilter(connection: 'deals' | 'notes' | 'contacts', where: unknown, condition: string, joins = '') {
  const table = connection;
  const { rows } = await sql.query<{ id: string }>(`SELECT x.id::text AS id FROM ${table} x ${joins} WHERE x.deleted_at IS NULL AND (${condition}) ORDER BY x.id`);
  const expected = rows.map((r) => r.id);
  const total = totals[connection.slice(0, -1)]!;
  expect(expected.length, 'the SQL selects some').toBeGreaterThan(0);
  expect(expected.length, 'the SQL leaves some out').toBeLessThan(total);
  const { ids, totalCount } = await apiIds(connection, where);
  expect(ids).toEqual(expected);
  expect(totalCount).toBe(expected.length);
}

const deals = (where: unknown, condition: string, joins?: string) => expectFilter('deals', where, condition, joins);
const region = text('x', 'Region');

describe('text and list fields', () => {
  it('eq (case-sensitive)', () => deals({ customFields: [{ name: 'Region', eq: 'EMEA' }] }, `${region} = 'EMEA'`));
  it('in', () => deals({ customFields: [{ name: 'Region', in: ['APAC', 'LATAM'] }] }, `${region} IN ('APAC', 'LATAM')`));
  it('contains, ignoring case', () => deals({ customFields: [{ name: 'Segment', contains: 'MID' }] }, `jsonb_typeof(${cf('x', 'Segment')}) = 'string' AND ${text('x', 'Segment')} ILIKE '%mid%'`));
  it('startsWith, ignoring case', () => deals({ customFields: [{ name: 'Known via', startsWith: 'trade' }] }, `${text('x', 'Known via')} ILIKE 'trade%'`));
  it('a name with an accent', () => deals({ customFields: [{ name: 'Priorité', eq: 'haute' }] }, `${text('x', 'Priorité')} = 'haute'`));
  it('names with quotes and backslashes, or named like object properties', async () => {
    expect((await apiIds('deals', { customFields: [{ name: "Owner's \\pick", eq: 'yes' }] })).ids).toHaveLength(1);
    expect((await apiIds('deals', { customFields: [{ name: 'constructor', isNull: false }] })).ids).toHaveLength(1);
    expect((await apiIds('deals', { customFields: [{ name: "Owner's", isNull: false }] })).ids).toHaveLength(0);
  });
  it('contains "%" is taken literally', async () => {
    expect((await apiIds('deals', { customFields: [{ name: 'Region', contains: '%' }] })).ids).toEqual([]);
  });
});

describe('number fields (numbers as strings)', () => {
  it('gte', () => deals({ customFields: [{ name: 'Budget', gte: '50000' }] }, `${num('x', 'Budget')} >= 50000`));
  it('gt and lt with a fraction', () => deals({ customFields: [{ name: 'Budget', gt: '9999.99', lt: '20000.5' }] }, `${num('x', 'Budget')} > 9999.99 AND ${num('x', 'Budget')} < 20000.5`));
  it('eq in value: "50000" is 50000 sent as a string or a number', () =>
    deals({ customFields: [{ name: 'Budget', eq: '75000' }] }, `(jsonb_typeof(${cf('x', 'Budget')}) = 'string' AND ${cf('x', 'Budget')} #>> '{}' = '75000') OR (jsonb_typeof(${cf('x', 'Budget')}) = 'number' AND (${cf('x', 'Budget')})::numeric = 75000)`));
  it('a bound that is neither a number nor a date is a 400 with a clear message', async () => {
    const { status, body }: { status: number; body: any } = await post(yoga, `{ deals(where: { customFields: [{ name: "Budget", gt: "lots" }] }) { totalCount } }`);
    expect(status).toBeLessThan(500);
    expect(body.errors?.[0]?.message).toMatch(/neither a number .* nor a date/);
    expect(JSON.stringify(body)).not.toMatch(/stack/);
  });
});

describe('date and date-time fields', () => {
  it('a date range', () =>
    deals({ customFields: [{ name: 'Renewal', gte: '2023-06-01', lt: '2024-01-01' }] }, `${time('x', 'Renewal')} >= '2023-06-01Z' AND ${time('x', 'Renewal')} < '2024-01-01Z'`));
  it('a date-time bound', () => deals({ customFields: [{ name: 'Last contacted', gt: '2024-03-01T12:30:00Z' }] }, `${time('x', 'Last contacted')} > '2024-03-01T12:30:00Z'`));
  it('dates and date-times compare as points in time', () => deals({ customFields: [{ name: 'Renewal', gte: '2024-06-30T06:00:00+02:00' }] }, `${time('x', 'Renewal')} >= '2024-06-30T04:00:00Z'`));
});

describe('booleans and multi-select lists', () => {
  it('eq "true" and "false"', async () => {
    await deals({ customFields: [{ name: 'Newsletter', eq: 'true' }] }, `${cf('x', 'Newsletter')} IN ('true'::jsonb, '"true"'::jsonb)`);
    await deals({ customFields: [{ name: 'Newsletter', eq: 'false' }] }, `${cf('x', 'Newsletter')} = 'false'::jsonb`);
  });
  it('has, hasSome, hasEvery', async () => {
    const interests = cf('x', 'Interests');
    await deals({ customFields: [{ name: 'Interests', has: 'Mobile' }] }, `jsonb_typeof(${interests}) = 'array' AND ${interests} ? 'Mobile'`);
    await deals({ customFields: [{ name: 'Interests', hasSome: ['Mobile', 'Support'] }] }, `jsonb_typeof(${interests}) = 'array' AND ${interests} ?| ARRAY['Mobile', 'Support']`);
    await deals({ customFields: [{ name: 'Interests', hasEvery: ['Mobile', 'Support'] }] }, `jsonb_typeof(${interests}) = 'array' AND ${interests} ?& ARRAY['Mobile', 'Support']`);
  });
});

describe('absent fields and nulls', () => {
  it('isNull true: absent or null; false: a value', async () => {
    await deals({ customFields: [{ name: 'Budget', isNull: true }] }, `${cf('x', 'Budget')} IS NULL OR ${cf('x', 'Budget')} = 'null'::jsonb`);
    await deals({ customFields: [{ name: 'Budget', isNull: false }] }, `${cf('x', 'Budget')} IS NOT NULL AND ${cf('x', 'Budget')} <> 'null'::jsonb`);
  });
  it('NOT leaves out objects without the field, as NOT does for any NULL: text', () => deals({ NOT: { customFields: [{ name: 'Region', eq: 'EMEA' }] } }, `NOT (${region} = 'EMEA')`));
  it('NOT: numbers', () => deals({ NOT: { customFields: [{ name: 'Budget', gte: '50000' }] } }, `NOT (${num('x', 'Budget')} >= 50000)`));
  it('NOT: multi-select (a JSON null is no value)', () => {
    const interests = `NULLIF(${cf('x', 'Interests')}, 'null')`;
    return deals({ NOT: { customFields: [{ name: 'Interests', has: 'Mobile' }] } }, `NOT (jsonb_typeof(${interests}) = 'array' AND ${interests} ? 'Mobile')`);
  });
  it('NOT NOT', () => deals({ NOT: { NOT: { customFields: [{ name: 'Region', eq: 'EMEA' }] } } }, `${region} = 'EMEA'`));
});

describe('with other conditions', () => {
  it('several fields, AND', () =>
    deals({ customFields: [{ name: 'Region', eq: 'EMEA' }, { name: 'Budget', gte: '50000' }] }, `${region} = 'EMEA' AND ${num('x', 'Budget')} >= 50000`));
  it('OR and NOT with columns', () =>
    deals(
      { OR: [{ hot: { eq: true } }, { customFields: [{ name: 'Budget', gt: '90000' }] }], NOT: { customFields: [{ name: 'Region', in: ['APAC'] }] }, value: { gte: '5000' } },
      `(x.hot OR ${num('x', 'Budget')} > 90000) AND NOT (${region} IN ('APAC')) AND x.value >= 5000`,
    ));
  it('on a relation: deals whose contact is in EMEA, with their stage', () =>
    deals(
      { contact: { customFields: [{ name: 'Region', eq: 'EMEA' }] }, stage: { category: { eq: 'in_progress' } } },
      `${text('c', 'Region')} = 'EMEA' AND s.category = 'in_progress'`,
      'JOIN contacts c ON c.id = x.contact_id JOIN stages s ON s.id = x.stage_id',
    ));
  it('on a polymorphic relation: notes on deals with a big budget', () =>
    expectFilter('notes', { deal: { customFields: [{ name: 'Budget', gte: '80000' }] } }, `x.resource_type = 'deal' AND ${num('d', 'Budget')} >= 80000`, 'JOIN deals d ON d.id = x.resource_id'));
  it('NOT over a relation with a custom field', () =>
    deals({ NOT: { contact: { customFields: [{ name: 'Region', eq: 'EMEA' }] } } }, `NOT (${text('c', 'Region')} = 'EMEA' AND c.id IS NOT NULL)`, 'LEFT JOIN contacts c ON c.id = x.contact_id'));
  it('contacts by their own fields', () => expectFilter('contacts', { customFields: [{ name: 'Größe', gte: '50000' }] }, `${num('x', 'Größe')} >= 50000`));
});
