// Ordering by a custom field: numbers as numbers, dates as dates, text as text, objects without
// the field as NULL (last ascending, first descending), the Base id breaking ties; paging through
// more than 1,000 deals forwards and backwards neither skips nor repeats one.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useSyncedWorld } from './fixture.ts';

const w = useSyncedWorld({ world: { counts: { user: 4, pipeline: 1, stage: 7, source: 3, contact: 200, deal: 1150 } }, seed: 6 });
let sql: pg.Client;

beforeAll(async () => {
  sql = new pg.Client({ connectionString: w.db.url });
  await sql.connect();
});
afterAll(() => sql?.end());

const QUERY = /* GraphQL */ `
  query ($first: Int, $after: String, $last: Int, $before: String, $orderBy: [DealOrder!], $where: DealWhere) {
    deals(first: $first, after: $after, last: $last, before: $before, orderBy: $orderBy, where: $where) {
      totalCount
      edges { node { baseId } }
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    }
  }
`;

interface Page {
  totalCount: number;
  edges: Array<{ node: { baseId: number | string } }>;
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
}

/** Every deal in the API's order, paging forwards (first/after) and backwards (last/before), 100 at a time. */
async function pageBothWays(orderBy: unknown, where?: unknown): Promise<{ forward: string[]; backward: string[]; pages: number }> {
  const ids = (page: Page) => page.edges.map((e) => String(e.node.baseId));
  const forward: string[] = [];
  let after: string | null = null;
  let pages = 0;
  for (;;) {
    const page: Page = (await w.query(QUERY, { first: 100, after, orderBy, where })).deals;
    forward.push(...ids(page));
    pages++;
    if (!page.pageInfo.hasNextPage) break;
    after = page.pageInfo.endCursor;
  }
  const backward: string[] = [];
  let before: string | null = null;
  for (;;) {
    const page: Page = (await w.query(QUERY, { last: 100, before, orderBy, where })).deals;
    backward.unshift(...ids(page));
    if (!page.pageInfo.hasPreviousPage) break;
    before = page.pageInfo.startCursor;
  }
  return { forward, backward, pages };
}

const cf = (name: string) => `d.raw -> 'custom_fields' -> '${name}'`;

async function expectOrder(orderBy: unknown, sqlOrder: string, where?: unknown, sqlWhere = 'true') {
  const { rows } = await sql.query<{ id: string }>(`SELECT d.id::text AS id FROM deals d WHERE d.deleted_at IS NULL AND ${sqlWhere} ORDER BY ${sqlOrder}`);
  const expected = rows.map((r) => r.id);
  const { forward, backward } = await pageBothWays(orderBy, where);
  expect(new Set(forward).size, 'no deal twice').toBe(forward.length);
  expect(forward).toEqual(expected);
  expect(backward).toEqual(expected);
  return expected;
}

describe('ordering by a custom field', () => {
  it('the world has more than 1,000 deals, with ties and deals lacking the fields', async () => {
    const { rows } = await sql.query(
      `SELECT count(*) AS deals, count(*) - count(DISTINCT ${cf('Budget')}) AS budget_ties, count(*) FILTER (WHERE ${cf('Budget')} IS NULL) AS no_budget,
              count(*) FILTER (WHERE ${cf('Renewal')} IS NULL) AS no_renewal FROM deals d WHERE deleted_at IS NULL`,
    );
    expect(Number(rows[0].deals)).toBeGreaterThan(1000);
    expect(Number(rows[0].budget_ties)).toBeGreaterThan(100);
    expect(Number(rows[0].no_budget)).toBeGreaterThan(50);
    expect(Number(rows[0].no_renewal)).toBeGreaterThan(50);
  });

  it('a number field DESC: by value (not as text), no skip, no repeat, both ways', async () => {
    const order = await expectOrder([{ customField: 'Budget', direction: 'DESC' }], `(${cf('Budget')} #>> '{}')::numeric DESC NULLS FIRST, d.id`);
    expect(order.length).toBeGreaterThan(1000);
  });

  it('a date field ASC, then a number', () =>
    expectOrder(
      [{ customField: 'Renewal', direction: 'ASC' }, { customField: 'Budget', direction: 'ASC' }],
      `(${cf('Renewal')} #>> '{}')::date ASC NULLS LAST, (${cf('Budget')} #>> '{}')::numeric ASC NULLS LAST, d.id`,
    ));

  it('a date-time field DESC after a column', () =>
    expectOrder(
      [{ field: 'STAGE_ID', direction: 'ASC' }, { customField: 'Last contacted', direction: 'DESC' }],
      `d.stage_id ASC NULLS LAST, (${cf('Last contacted')} #>> '{}')::timestamptz DESC NULLS FIRST, d.id`,
    ));

  it('a text field, filtered on another', () =>
    expectOrder(
      [{ customField: 'Region', direction: 'ASC' }],
      `${cf('Region')} #>> '{}' ASC NULLS LAST, d.id`,
      { customFields: [{ name: 'Budget', gte: '30000' }] },
      `(${cf('Budget')} #>> '{}')::numeric >= 30000`,
    ));

  it('"hot deals in EMEA with a budget over 50,000, newest renewal first"', async () => {
    const where = { hot: { eq: true }, customFields: [{ name: 'Region', eq: 'EMEA' }, { name: 'Budget', gt: '50000' }] };
    const expected = await expectOrder(
      [{ customField: 'Renewal', direction: 'DESC' }],
      `(${cf('Renewal')} #>> '{}')::date DESC NULLS FIRST, d.id`,
      where,
      `d.hot AND ${cf('Region')} #>> '{}' = 'EMEA' AND (${cf('Budget')} #>> '{}')::numeric > 50000`,
    );
    expect(expected.length).toBeGreaterThan(3);
  });

  it('an orderBy entry with both field and customField, or neither, is a 400', async () => {
    for (const orderBy of [[{ field: 'NAME', customField: 'Budget', direction: 'ASC' }], [{ direction: 'ASC' }]]) {
      const { status, body } = await w.request(QUERY, { first: 1, orderBy });
      expect(status).toBeLessThan(500);
      expect(body.errors?.[0]?.message).toMatch(/either field or customField/);
    }
  });
});
