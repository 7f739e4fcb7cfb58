// A GraphQL request costs a fixed number of SQL statements, whatever the page size: the
// relations of a page of deals (and their notes) are loaded in batches, not one query per deal.
import { expect, it } from 'vitest';
import { useRecordingGraphQL, useSyncedWorld } from './fixture.ts';

const w = useSyncedWorld({ world: { total: 5000 }, seed: 1 });

const QUERY = /* GraphQL */ `
  query Deals($first: Int!) {
    deals(first: $first) {
      edges {
        node {
          baseId
          contact { name }
          stage { name pipeline { name } }
          owner { name }
          notes(first: 5) { edges { node { content } } }
        }
      }
    }
  }
`;

const g = useRecordingGraphQL(w);

/** Runs the query for a page of `n` deals; answers the statements it cost and the deals. */
async function run(n: number) {
  const { data, statements } = await g.query(QUERY, { first: n });
  return { statements, deals: data.deals.edges.map((e: any) => e.node) };
}

it('costs the same number of statements for 5, 20 and 100 deals', async () => {
  const counts: Record<number, number> = {};
  for (const n of [5, 20, 100]) {
    const { statements: sql, deals } = await run(n);
    expect(deals).toHaveLength(n);
    counts[n] = sql.length;
    if (n === 100) console.log(`deals(first: N) with contact, stage → pipeline, owner, notes(first: 5): ${sql.length} SQL statements for any N\n${sql.map((s) => `  ${s}`).join('\n')}`);
  }
  console.log(`statements per request: ${JSON.stringify(counts)}`);
  expect(counts[20]).toBe(counts[5]);
  expect(counts[100]).toBe(counts[5]);
  // One per level of the query at most: deals, contacts, stages, pipelines, users, notes.
  expect(counts[5]).toBeLessThanOrEqual(6);
});

it('really loads the relations it batches', async () => {
  const { deals } = await run(100);
  expect(deals.every((d: any) => d.stage?.pipeline?.name)).toBe(true);
  expect(deals.every((d: any) => d.owner?.name)).toBe(true);
  expect(deals.filter((d: any) => d.contact?.name).length).toBeGreaterThan(90);
  const withNotes = deals.filter((d: any) => d.notes.edges.length > 0);
  expect(withNotes.length).toBeGreaterThan(5);
  expect(deals.every((d: any) => d.notes.edges.length <= 5)).toBe(true);
});
