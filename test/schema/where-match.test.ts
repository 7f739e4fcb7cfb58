// Subscriptions check `where` on the stored row in memory: it must select exactly what the
// same `where` selects in SQL, NULLs and NOT included.
import { beforeAll, expect, it } from 'vitest';
import type { PrismaClient } from '../../src/db/client.ts';
import { whereToPrisma, type WhereInput } from '../../src/schema/filters.ts';
import '../../src/schema/index.ts';
import { whereShape } from '../../src/schema/resources.ts';
import { matchesRow } from '../../src/schema/where-match.ts';
import { SqlBuilder, whereSql } from '../../src/schema/where-sql.ts';
import { useTestDatabase } from '../fixtures/database.ts';
import { startSyncFixture } from '../fixtures/sync.ts';

const db = useTestDatabase();
let prisma: PrismaClient;
beforeAll(async () => {
  const f = await startSyncFixture(db, { world: { total: 3_000 }, seed: 4 });
  await f.engine().runOnce();
  prisma = f.prisma;
});

const cases: Array<[string, WhereInput]> = [
  ['owner equality', { ownerId: { eq: 1n } }],
  ['in and range on money', { value: { gte: '5000', lt: '20000' }, currency: { in: ['USD', 'EUR', 'GBP'] } }],
  ['text contains, any case', { name: { contains: 'SMALL' } }],
  ['starts with', { name: { startsWith: 'sch' } }],
  ['null checks', { lossReasonId: { isNull: false }, customizedWinLikelihood: { isNull: true } }],
  ['NOT over a nullable column', { NOT: { lossReasonId: { eq: 1n } } }],
  ['NOT over NULLs in an OR', { NOT: { OR: [{ customizedWinLikelihood: { gt: 50 } }, { hot: { eq: true } }] } }],
  ['tags', { tags: { hasSome: ['vip', 'priority'] } }],
  ['dates', { createdAt: { gte: new Date('2024-01-01T00:00:00Z') }, estimatedCloseDate: { lt: new Date('2025-06-01') } }],
  ['booleans and AND', { AND: [{ hot: { eq: false } }, { baseId: { gt: 3_000_000_100n } }] }],
  ['contains with eq (each keeps its own case rule)', { name: { contains: 'a', startsWith: 'S' }, currency: { eq: 'USD', in: ['USD', 'EUR'] } }],
];

/** Ids of the deals `where` selects in SQL compiled by where-sql.ts (the path of custom-field filters). */
async function viaWhereSql(where: WhereInput): Promise<bigint[]> {
  const b = new SqlBuilder();
  const condition = whereSql('Deal', where, 't', b);
  const rows = await prisma.$queryRawUnsafe<Array<{ id: bigint }>>(`SELECT t.id FROM deals t ${b.joins.join(' ')} WHERE ${condition} ORDER BY t.id`, ...b.values);
  return rows.map((r) => r.id);
}

it.each(cases)('%s: the same deals in memory as in SQL, through Prisma or where-sql', async (_name, where) => {
  const viaSql = await prisma.deal.findMany({ where: whereToPrisma(where, whereShape('Deal')), select: { id: true }, orderBy: { id: 'asc' } });
  const all = await prisma.deal.findMany({ orderBy: { id: 'asc' } });
  const inMemory = all.filter((row) => matchesRow('Deal', where, row as unknown as Record<string, unknown>));
  // Each case selects some deals but not all, so that both sides are exercised.
  expect(viaSql.length).toBeGreaterThan(0);
  expect(viaSql.length).toBeLessThan(all.length);
  expect(inMemory.map((r) => r.id)).toEqual(viaSql.map((r) => r.id));
  expect(await viaWhereSql(where)).toEqual(viaSql.map((r) => r.id));
});

const customCases: Array<[string, WhereInput]> = [
  ['a list field', { customFields: [{ name: 'Region', in: ['EMEA', 'APAC'] }] }],
  ['a number range', { customFields: [{ name: 'Budget', gte: '20000', lt: '70000' }] }],
  ['dates and date-times', { customFields: [{ name: 'Renewal', lt: '2024-01-01' }, { name: 'Last contacted', gte: '2023-05-01T00:00:00+01:00' }] }],
  ['text, any case', { customFields: [{ name: 'Segment', contains: 'mid' }] }],
  ['booleans', { customFields: [{ name: 'Newsletter', eq: 'true' }] }],
  ['multi-select', { customFields: [{ name: 'Interests', hasSome: ['Mobile', 'Support'] }, { name: 'Interests', has: 'Analytics' }] }],
  ['absent or null', { customFields: [{ name: 'Budget', isNull: true }] }],
  ['NOT over absent fields', { NOT: { customFields: [{ name: 'Region', eq: 'EMEA' }] } }],
  ['NOT over an OR of fields and columns', { NOT: { OR: [{ customFields: [{ name: 'Budget', gt: '50000' }] }, { hot: { eq: true } }] } }],
  ['with columns', { AND: [{ customFields: [{ name: 'Region', eq: 'EMEA' }] }, { value: { gte: '10000' } }], NOT: { customFields: [{ name: 'Interests', has: 'Mobile' }] } }],
];

it.each(customCases)('custom fields, %s: the same deals in memory as in SQL', async (_name, where) => {
  const viaSql = await viaWhereSql(where);
  const all = await prisma.deal.findMany({ orderBy: { id: 'asc' } });
  const inMemory = all.filter((row) => matchesRow('Deal', where, row as unknown as Record<string, unknown>));
  expect(viaSql.length).toBeGreaterThan(0);
  expect(viaSql.length).toBeLessThan(all.length);
  expect(inMemory.map((r) => r.id)).toEqual(viaSql);
});

it('leaves conditions on related objects to the database', () => {
  expect(matchesRow('Deal', { stage: { category: { eq: 'won' } } }, { id: 1n })).toBeUndefined();
});
