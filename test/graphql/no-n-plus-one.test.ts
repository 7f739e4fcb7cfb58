// A GraphQL request costs a fixed number of SQL statements, whatever the page size: the
// relations of a page of deals (and their notes) are loaded in batches, not one query per deal.
import { PrismaPg } from '@prisma/adapter-pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { PrismaClient } from '../../src/db/generated/prisma/client.ts';
import { silentLogger } from '../../src/logger.ts';
import { createGraphQL, type GraphQLServer } from '../../src/server/graphql.ts';
import { post, useSyncedWorld } from './fixture.ts';

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

/** Every SQL statement the recording client runs. */
let statements: string[] = [];
let prisma: PrismaClient;
let yoga: GraphQLServer;

beforeAll(() => {
  const client = new PrismaClient({ adapter: new PrismaPg({ connectionString: w.db.url, max: 4 }), log: [{ emit: 'event', level: 'query' }] });
  client.$on('query', (event) => statements.push(event.query));
  prisma = client;
  yoga = createGraphQL({ prisma, apiKeys: [], logger: silentLogger() });
});
afterAll(() => prisma?.$disconnect());

/** Runs the query for a page of `n` deals; answers the statements it cost and the deals. */
async function run(n: number) {
  statements = [];
  const { status, body } = await post(yoga, QUERY, { first: n });
  expect(status).toBe(200);
  expect(body.errors).toBeUndefined();
  return { statements: [...statements], deals: body.data.deals.edges.map((e: any) => e.node) };
}

it('costs the same number of statements for 5, 20 and 100 deals', async () => {
  await run(1); // warm-up: the first request may connect
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
