// Paging through a 1,000-row connection, forwards (first/after) and backwards (last/before),
// visits every row exactly once in the connection's order: by Base id, and by a column with
// many equal values and NULLs (the id breaks ties). totalCount and pageInfo tell the truth.
import { beforeAll, describe, expect, it } from 'vitest';
import { withClient } from '../fixtures/mirror.ts';
import { useSyncedWorld } from './fixture.ts';

const LEADS = 1000;
const w = useSyncedWorld({ world: { counts: { user: 10, source: 8, lead: LEADS } }, seed: 7 });

const QUERY = /* GraphQL */ `
  query Leads($first: Int, $after: String, $last: Int, $before: String, $orderBy: [LeadOrder!]) {
    leads(first: $first, after: $after, last: $last, before: $before, orderBy: $orderBy) {
      totalCount
      edges { cursor node { baseId sourceId } }
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    }
  }
`;

interface Page {
  totalCount: number;
  edges: Array<{ cursor: string; node: { baseId: number; sourceId: number | null } }>;
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
}

const leads = async (variables: Record<string, unknown>): Promise<Page> => (await w.query<{ leads: Page }>(QUERY, variables)).leads;

/** Pages forward from the start; answers the ids in the order seen and every page. */
async function forward(pageSize: number, orderBy?: unknown) {
  const ids: number[] = [];
  const pages: Page[] = [];
  let after: string | null = null;
  for (let i = 0; i < 100; i++) {
    const page: Page = await leads({ first: pageSize, after, orderBy });
    pages.push(page);
    ids.push(...page.edges.map((e) => e.node.baseId));
    if (!page.pageInfo.hasNextPage) break;
    after = page.pageInfo.endCursor;
  }
  return { ids, pages };
}

/** Pages backward from the end; answers the ids in the connection's order and every page (last first). */
async function backward(pageSize: number, orderBy?: unknown) {
  let ids: number[] = [];
  const pages: Page[] = [];
  let before: string | null = null;
  for (let i = 0; i < 100; i++) {
    const page: Page = await leads({ last: pageSize, before, orderBy });
    pages.push(page);
    ids = [...page.edges.map((e) => e.node.baseId), ...ids];
    if (!page.pageInfo.hasPreviousPage) break;
    before = page.pageInfo.startCursor;
  }
  return { ids, pages };
}

let byId: number[];
let bySourceAsc: number[];
let bySourceDesc: number[];

beforeAll(async () => {
  await withClient(w.db.url, async (client) => {
    const ids = async (order: string) =>
      (await client.query<{ base_id: string }>(`SELECT id::text AS base_id FROM leads WHERE deleted_at IS NULL ORDER BY ${order}`)).rows.map((r) => Number(r.base_id));
    byId = await ids('id');
    // ASC puts rows without a value last, DESC first (each is the other reversed); the id breaks ties.
    bySourceAsc = await ids('source_id ASC NULLS LAST, id ASC');
    bySourceDesc = await ids('source_id DESC NULLS FIRST, id ASC');
    const { rows } = await client.query<{ nulls: number; distinct: number }>(
      'SELECT count(*) FILTER (WHERE source_id IS NULL)::int AS nulls, count(DISTINCT source_id)::int AS distinct FROM leads',
    );
    // The column is what this suite is about: many ties and many NULLs.
    expect(rows[0]!.nulls).toBeGreaterThan(100);
    expect(rows[0]!.distinct).toBeLessThanOrEqual(8);
  });
  expect(byId).toHaveLength(LEADS);
});

const ORDERS = [
  { name: 'default order (Base id)', orderBy: undefined, expected: () => byId },
  { name: 'sourceId ASC (ties, NULLs)', orderBy: [{ field: 'SOURCE_ID', direction: 'ASC' }], expected: () => bySourceAsc },
  { name: 'sourceId DESC (ties, NULLs)', orderBy: [{ field: 'SOURCE_ID', direction: 'DESC' }], expected: () => bySourceDesc },
];

describe.each(ORDERS)('$name', ({ orderBy, expected }) => {
  it('pages forward through every row once, in order', async () => {
    const { ids, pages } = await forward(100, orderBy);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual(expected());
    expect(pages).toHaveLength(10);
    for (const page of pages) expect(page.totalCount).toBe(LEADS);
    expect(pages.map((p) => p.pageInfo.hasNextPage)).toEqual([...Array(9).fill(true), false]);
    expect(pages[0]!.pageInfo.hasPreviousPage).toBe(false);
  });

  it('pages backward through every row once, in order', async () => {
    const { ids, pages } = await backward(100, orderBy);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual(expected());
    expect(pages).toHaveLength(10);
    for (const page of pages) expect(page.totalCount).toBe(LEADS);
    expect(pages.map((p) => p.pageInfo.hasPreviousPage)).toEqual([...Array(9).fill(true), false]);
    expect(pages[0]!.pageInfo.hasNextPage).toBe(false);
  });

  it('pages with an uneven page size (last page partial)', async () => {
    const fwd = await forward(37, orderBy);
    expect(fwd.ids).toEqual(expected());
    expect(fwd.pages).toHaveLength(Math.ceil(LEADS / 37));
    expect(fwd.pages.at(-1)!.edges).toHaveLength(LEADS % 37);
    const back = await backward(37, orderBy);
    expect(back.ids).toEqual(expected());
    expect(back.pages.at(-1)!.edges).toHaveLength(LEADS % 37);
  });
});

describe('pageInfo', () => {
  it('tells there is more after the first page and nothing before it', async () => {
    const page = await leads({ first: 10 });
    expect(page.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: false });
    expect(page.pageInfo.startCursor).toBe(page.edges[0]!.cursor);
    expect(page.pageInfo.endCursor).toBe(page.edges.at(-1)!.cursor);
  });

  it('tells there is nothing after the last page', async () => {
    const page = await leads({ last: 10 });
    expect(page.edges.map((e) => e.node.baseId)).toEqual(byId.slice(-10));
    expect(page.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: true });
  });

  it('pages forward from the middle: the next rows, with more after', async () => {
    const first = await leads({ first: 10 });
    const second = await leads({ first: 10, after: first.pageInfo.endCursor });
    expect(second.edges.map((e) => e.node.baseId)).toEqual(byId.slice(10, 20));
    expect(second.pageInfo.hasNextPage).toBe(true);
  });

  it('pages backward from the middle: the rows before, with more before', async () => {
    const last = await leads({ last: 10 });
    const previous = await leads({ last: 10, before: last.pageInfo.startCursor });
    expect(previous.edges.map((e) => e.node.baseId)).toEqual(byId.slice(-20, -10));
    expect(previous.pageInfo.hasPreviousPage).toBe(true);
  });

  it('answers an empty page, without next or previous, past the end', async () => {
    const end = await leads({ last: 1 });
    const page = await leads({ first: 10, after: end.pageInfo.endCursor });
    expect(page.edges).toEqual([]);
    expect(page.pageInfo.hasNextPage).toBe(false);
    expect(page.totalCount).toBe(LEADS);
  });

  it('serves the default page size of 20 when neither first nor last is given', async () => {
    const page = await leads({});
    expect(page.edges.map((e) => e.node.baseId)).toEqual(byId.slice(0, 20));
    expect(page.pageInfo.hasNextPage).toBe(true);
  });
});
