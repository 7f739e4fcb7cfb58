// A `contains` or `startsWith` filter on a searched name is served by a trigram index (pg_trgm):
// the statement the gateway sends for it can read the index instead of every row.
import { PrismaPg } from '@prisma/adapter-pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { PrismaClient } from '../../src/db/generated/prisma/client.ts';
import { silentLogger } from '../../src/logger.ts';
import { createGraphQL, type GraphQLServer } from '../../src/server/graphql.ts';
import { withClient } from '../fixtures/mirror.ts';
import { post, useSyncedWorld } from './fixture.ts';

const w = useSyncedWorld({ world: { total: 2000 }, seed: 11 });
const sent: Array<{ query: string; params: unknown[] }> = [];
let prisma: PrismaClient;
let yoga: GraphQLServer;
beforeAll(() => {
  const client = new PrismaClient({ adapter: new PrismaPg({ connectionString: w.db.url, max: 2 }), log: [{ emit: 'event', level: 'query' }] });
  client.$on('query', (event) => sent.push({ query: event.query, params: JSON.parse(event.params) as unknown[] }));
  prisma = client;
  yoga = createGraphQL({ prisma, apiKeys: [], logger: silentLogger() });
});
afterAll(() => prisma?.$disconnect());

/** The plan of the gateway's statement for `where`, with sequential scans priced out (a small test table would be scanned). */
async function planOf(where: string): Promise<string> {
  sent.length = 0;
  const { status, body } = await post(yoga, `{ contacts(first: 20, where: ${where}) { edges { node { name } } } }`);
  expect(status).toBe(200);
  expect(body.errors).toBeUndefined();
  const statement = sent.find((s) => /FROM "(public"\.")?contacts"/.test(s.query) && /ILIKE/.test(s.query));
  expect(statement, sent.map((s) => s.query).join('\n')).toBeDefined();
  return withClient(w.db.url, async (c) => {
    await c.query('BEGIN');
    await c.query('SET LOCAL enable_seqscan = off');
    const { rows } = await c.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${statement!.query}`, statement!.params);
    await c.query('ROLLBACK');
    return rows.map((r) => r['QUERY PLAN']).join('\n');
  });
}

it('reads the trigram index of contacts.name for contains and startsWith', async () => {
  expect(await planOf('{ name: { contains: "son" } }')).toMatch(/contacts_name_trgm_idx/);
  expect(await planOf('{ name: { startsWith: "Mar" } }')).toMatch(/contacts_name_trgm_idx/);
});

it('reads the trigram index of contacts.email for contains', async () => {
  expect(await planOf('{ email: { contains: "example" } }')).toMatch(/contacts_email_trgm_idx/);
});
