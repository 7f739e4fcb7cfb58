// Filters and ordering of connections select and sort exactly what the equivalent SQL does
// on the same data: every page, every id, in order (paging through the whole result).
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allNodes, useSyncedWorld } from './fixture.ts';

const w = useSyncedWorld({ world: { total: 5000 }, seed: 3 });
let sql: pg.Client;
let totalDeals: number;

beforeAll(async () => {
  sql = new pg.Client({ connectionString: w.db.url });
  await sql.connect();
  totalDeals = Number((await sql.query('SELECT count(*) FROM deals WHERE deleted_at IS NULL')).rows[0].count);
});
afterAll(() => sql?.end());

/** Base ids of a SQL query selecting `base_id`. */
async function sqlIds(text: string, values: unknown[] = []): Promise<string[]> {
  return (await sql.query<{ base_id: string }>(text, values)).rows.map((r) => r.base_id);
}

const DEALS = /* GraphQL */ `
  query Deals($first: Int, $after: String, $where: DealWhere, $orderBy: [DealOrder!]) {
    deals(first: $first, after: $after, where: $where, orderBy: $orderBy) {
      totalCount
      edges { node { baseId } }
      pageInfo { hasNextPage endCursor }
    }
  }
`;

/** Base ids of every deal the API selects, in its order (as strings, like pg's bigints). */
async function apiDealIds(where: unknown, orderBy?: unknown): Promise<{ ids: string[]; totalCount: number }> {
  const first = await w.query(DEALS, { first: 1, where, orderBy });
  const nodes = await allNodes<{ baseId: number | string }>(w, DEALS, (d) => d.deals, { where, orderBy });
  return { ids: nodes.map((n) => String(n.baseId)), totalCount: first.deals.totalCount };
}

/** The API's deals for `where` equal the SQL's (ordered by id), and the filter does select something but not everything. */
async function expectDealsFilter(where: unknown, condition: string, values: unknown[] = [], joins = '') {
  const expected = await sqlIds(
    `SELECT d.id::text AS base_id FROM deals d ${joins} WHERE d.deleted_at IS NULL AND (${condition}) ORDER BY d.id`,
    values,
  );
  expect(expected.length, 'the SQL selects some deals').toBeGreaterThan(0);
  expect(expected.length, 'the SQL leaves some deals out').toBeLessThan(totalDeals);
  const { ids, totalCount } = await apiDealIds(where);
  expect(ids).toEqual(expected);
  expect(totalCount).toBe(expected.length);
}

describe('filters', () => {
  it('value gt and currency in', () =>
    expectDealsFilter({ value: { gt: '20000' }, currency: { in: ['USD', 'EUR'] } }, `d.value > 20000 AND d.currency IN ('USD', 'EUR')`));

  it('value range with an exact decimal bound', () =>
    expectDealsFilter({ value: { gte: '10000.5', lte: '12000' } }, 'd.value >= 10000.5 AND d.value <= 12000'));

  it('name contains, ignoring case', () => expectDealsFilter({ name: { contains: 'cOnCrEtE' } }, `d.name ILIKE '%concrete%'`));

  it('name startsWith, ignoring case', () => expectDealsFilter({ name: { startsWith: 'k' } }, `d.name ILIKE 'k%'`));

  it('name eq is case-sensitive', async () => {
    const { rows } = await sql.query<{ name: string }>('SELECT name FROM deals WHERE deleted_at IS NULL ORDER BY id LIMIT 1');
    const name = rows[0]!.name;
    await expectDealsFilter({ name: { eq: name } }, 'd.name = $1', [name]);
    expect((await apiDealIds({ name: { eq: name.toUpperCase() } })).ids).toEqual([]);
  });

  it('isNull true and false', async () => {
    await expectDealsFilter({ customizedWinLikelihood: { isNull: true } }, 'd.customized_win_likelihood IS NULL');
    await expectDealsFilter({ customizedWinLikelihood: { isNull: false } }, 'd.customized_win_likelihood IS NOT NULL');
    await expectDealsFilter({ lastActivityAt: { isNull: true } }, 'd.last_activity_at IS NULL');
  });

  it('tags has, hasSome, hasEvery, isEmpty', async () => {
    await expectDealsFilter({ tags: { has: 'referral' } }, `'referral' = ANY (d.tags)`);
    await expectDealsFilter({ tags: { hasSome: ['hot', 'vip'] } }, `d.tags && ARRAY['hot', 'vip']`);
    // A pair of tags that some deals have together.
    const { rows } = await sql.query<{ pair: string[] }>('SELECT tags AS pair FROM deals WHERE cardinality(tags) = 2 ORDER BY id LIMIT 1');
    const pair = rows[0]!.pair;
    await expectDealsFilter({ tags: { hasEvery: pair } }, `d.tags @> $1::text[]`, [pair]);
    await expectDealsFilter({ tags: { isEmpty: true } }, `cardinality(d.tags) = 0`);
  });

  it('createdAt range', () =>
    expectDealsFilter(
      { createdAt: { gte: '2018-01-01T00:00:00Z', lt: '2020-07-01T00:00:00Z' } },
      `d.created_at >= '2018-01-01T00:00:00Z' AND d.created_at < '2020-07-01T00:00:00Z'`,
    ));

  it('estimatedCloseDate (a date) range', () =>
    expectDealsFilter({ estimatedCloseDate: { gte: '2019-01-01', lte: '2019-12-31' } }, `d.estimated_close_date BETWEEN '2019-01-01' AND '2019-12-31'`));

  it('stage.category eq "won" (a relation filter)', () =>
    expectDealsFilter({ stage: { category: { eq: 'won' } } }, `s.category = 'won'`, [], 'JOIN stages s ON s.id = d.stage_id'));

  it('stage.pipeline (two relations deep) and owner.baseId', async () => {
    const { rows } = await sql.query<{ owner_id: string }>('SELECT owner_id::text FROM deals GROUP BY owner_id ORDER BY count(*) DESC LIMIT 1');
    const owner = rows[0]!.owner_id;
    await expectDealsFilter({ owner: { baseId: { eq: owner } } }, 'd.owner_id = $1', [owner]);
    await expectDealsFilter(
      { owner: { baseId: { eq: owner } }, stage: { pipeline: { name: { eq: 'Sales Pipeline' } }, category: { in: ['won', 'lost'] } } },
      `d.owner_id = $1 AND p.name = 'Sales Pipeline' AND s.category IN ('won', 'lost')`,
      [owner],
      'JOIN stages s ON s.id = d.stage_id JOIN pipelines p ON p.id = s.pipeline_id',
    );
  });

  it('AND, OR and NOT', async () => {
    await expectDealsFilter(
      { OR: [{ hot: { eq: true } }, { value: { lt: '2000' } }], NOT: { currency: { eq: 'USD' } } },
      `(d.hot OR d.value < 2000) AND NOT (d.currency = 'USD')`,
    );
    await expectDealsFilter(
      { AND: [{ value: { gt: '5000' } }, { value: { lt: '15000' } }], OR: [{ stage: { category: { eq: 'won' } } }, { tags: { has: 'vip' } }] },
      `d.value > 5000 AND d.value < 15000 AND (s.category = 'won' OR 'vip' = ANY (d.tags))`,
      [],
      'JOIN stages s ON s.id = d.stage_id',
    );
    await expectDealsFilter({ NOT: { OR: [{ hot: { eq: true } }, { currency: { in: ['USD', 'EUR'] } }] } }, `NOT (d.hot OR d.currency IN ('USD', 'EUR'))`);
  });

  it('a filter on the polymorphic resource of notes selects only notes on that type', async () => {
    const expected = await sqlIds(
      `SELECT n.id::text AS base_id FROM notes n JOIN deals d ON d.id = n.resource_id
       WHERE n.deleted_at IS NULL AND n.resource_type = 'deal' AND d.hot ORDER BY n.id`,
    );
    expect(expected.length).toBeGreaterThan(0);
    const query = /* GraphQL */ `
      query ($first: Int, $after: String) {
        notes(first: $first, after: $after, where: { deal: { hot: { eq: true } } }) { edges { node { baseId resourceType } } pageInfo { hasNextPage endCursor } }
      }
    `;
    const nodes = await allNodes<{ baseId: number; resourceType: string }>(w, query, (d) => d.notes);
    expect(nodes.map((n) => String(n.baseId))).toEqual(expected);
    expect(new Set(nodes.map((n) => n.resourceType))).toEqual(new Set(['deal']));
  });

  it('contacts by their organization', async () => {
    const expected = await sqlIds(
      `SELECT c.id::text AS base_id FROM contacts c JOIN contacts o ON o.id = c.contact_id
       WHERE c.deleted_at IS NULL AND o.name ILIKE 'b%' ORDER BY c.id`,
    );
    expect(expected.length).toBeGreaterThan(0);
    const query = /* GraphQL */ `
      query ($first: Int, $after: String) {
        contacts(first: $first, after: $after, where: { organization: { name: { startsWith: "B" } } }) { edges { node { baseId } } pageInfo { hasNextPage endCursor } }
      }
    `;
    const nodes = await allNodes<{ baseId: number }>(w, query, (d) => d.contacts);
    expect(nodes.map((n) => String(n.baseId))).toEqual(expected);
  });
});

describe('ordering', () => {
  // ASC puts rows without a value last and DESC first (one is the other reversed); the Base id breaks ties.
  const cases = [
    { name: 'value DESC', orderBy: [{ field: 'VALUE', direction: 'DESC' }], sql: 'd.value DESC NULLS FIRST, d.id' },
    { name: 'name ASC', orderBy: [{ field: 'NAME', direction: 'ASC' }], sql: 'd.name ASC NULLS LAST, d.id' },
    { name: 'createdAt ASC', orderBy: [{ field: 'CREATED_AT', direction: 'ASC' }], sql: 'd.created_at ASC NULLS LAST, d.id' },
    {
      name: 'currency ASC then createdAt DESC (many ties)',
      orderBy: [{ field: 'CURRENCY', direction: 'ASC' }, { field: 'CREATED_AT', direction: 'DESC' }],
      sql: 'd.currency ASC NULLS LAST, d.created_at DESC NULLS FIRST, d.id',
    },
    { name: 'stageId DESC (many ties)', orderBy: [{ field: 'STAGE_ID', direction: 'DESC' }], sql: 'd.stage_id DESC NULLS FIRST, d.id' },
    {
      name: 'customizedWinLikelihood ASC (NULLs, ties)',
      orderBy: [{ field: 'CUSTOMIZED_WIN_LIKELIHOOD', direction: 'ASC' }],
      sql: 'd.customized_win_likelihood ASC NULLS LAST, d.id',
    },
    {
      name: 'customizedWinLikelihood DESC (NULLs, ties)',
      orderBy: [{ field: 'CUSTOMIZED_WIN_LIKELIHOOD', direction: 'DESC' }],
      sql: 'd.customized_win_likelihood DESC NULLS FIRST, d.id',
    },
    // Columns that are never NULL.
    { name: 'baseId DESC', orderBy: [{ field: 'BASE_ID', direction: 'DESC' }], sql: 'd.id DESC' },
    { name: 'revision DESC (all equal)', orderBy: [{ field: 'REVISION', direction: 'DESC' }], sql: 'd.revision DESC, d.id' },
    { name: 'syncedAt ASC (one value per page synced)', orderBy: [{ field: 'SYNCED_AT', direction: 'ASC' }], sql: 'd.synced_at, d.id' },
  ];

  it.each(cases)('$name', async ({ orderBy, sql: order }) => {
    const expected = await sqlIds(`SELECT d.id::text AS base_id FROM deals d WHERE d.deleted_at IS NULL ORDER BY ${order}`);
    const { ids } = await apiDealIds(undefined, orderBy);
    expect(ids).toEqual(expected);
  });

  it.each([
    { name: 'role ASC', orderBy: [{ field: 'ROLE', direction: 'ASC' }], sql: 'role ASC NULLS LAST, id' },
    { name: 'dealId DESC', orderBy: [{ field: 'DEAL_ID', direction: 'DESC' }], sql: 'deal_id DESC NULLS FIRST, id' },
  ])('associated contacts (keyed by their id, like every type): $name', async ({ orderBy, sql: order }) => {
    const { rows } = await sql.query<{ row: string }>(
      `SELECT id || ':' || deal_id || ':' || contact_id AS row FROM associated_contacts WHERE deleted_at IS NULL ORDER BY ${order}`,
    );
    expect(rows.length).toBeGreaterThan(100);
    const query = /* GraphQL */ `
      query ($first: Int, $after: String, $orderBy: [AssociatedContactOrder!]) {
        associatedContacts(first: $first, after: $after, orderBy: $orderBy) { edges { node { baseId dealId contactId } } pageInfo { hasNextPage endCursor } }
      }
    `;
    const nodes = await allNodes<{ baseId: number; dealId: number; contactId: number }>(w, query, (d) => d.associatedContacts, { orderBy }, 50);
    expect(nodes.map((n) => `${n.baseId}:${n.dealId}:${n.contactId}`)).toEqual(rows.map((r) => r.row));
  });

  it('orders a filtered selection', async () => {
    const expected = await sqlIds(
      `SELECT d.id::text AS base_id FROM deals d JOIN stages s ON s.id = d.stage_id
       WHERE d.deleted_at IS NULL AND s.category IN ('won', 'in_progress') AND d.hot = false ORDER BY d.value DESC NULLS FIRST, d.id`,
    );
    const { ids } = await apiDealIds({ stage: { category: { in: ['won', 'in_progress'] } }, hot: { eq: false } }, [{ field: 'VALUE', direction: 'DESC' }]);
    expect(ids).toEqual(expected);
  });

  it('the ordering columns really have ties and NULLs', async () => {
    const { rows } = await sql.query(
      `SELECT count(*) - count(DISTINCT value) AS value_ties, count(*) FILTER (WHERE customized_win_likelihood IS NULL) AS likelihood_nulls,
              count(DISTINCT currency) AS currencies FROM deals`,
    );
    expect(Number(rows[0].value_ties)).toBeGreaterThan(0);
    expect(Number(rows[0].likelihood_nulls)).toBeGreaterThan(100);
    expect(Number(rows[0].currencies)).toBeLessThan(10);
  });
});
