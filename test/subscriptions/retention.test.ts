// Events older than the retention are pruned; a cursor from before that gets a clear error.
import { beforeAll, expect, it } from 'vitest';
import { pruneChangeEvents } from '../../src/events/retention.ts';
import { collect, eventually, useGateway } from '../fixtures/gateway.ts';

const g = useGateway({ sim: { world: { total: 50 } } });
beforeAll(async () => {
  await eventually(async () => (await g.app.database.prisma.changeEvent.count()) >= 50);
});

it('prunes old events and refuses a cursor from before them', async () => {
  const prisma = g.app.database.prisma;
  const oldest = (await prisma.changeEvent.findFirst({ orderBy: { seq: 'asc' } }))!;
  await prisma.changeEvent.updateMany({ where: { seq: { lte: oldest.seq + 10n } }, data: { occurredAt: new Date(Date.now() - 8 * 86_400_000) } });
  expect(await pruneChangeEvents(prisma, 7 * 86_400_000)).toBe(11);
  expect(await prisma.changeEvent.count({ where: { seq: { lte: oldest.seq + 10n } } })).toBe(0);

  const expired = collect(g.client(), `subscription($after: String) { changes(after: $after) { cursor } }`, { after: String(oldest.seq) });
  expect(JSON.stringify(await expired.failed())).toContain("older than the change log's retention");

  // A cursor at the edge still works: it misses nothing that was kept.
  const fine = collect(g.client(), `subscription($after: String) { changes(after: $after) { cursor } }`, { after: String(oldest.seq + 10n) });
  const [first] = await fine.waitFor(1);
  expect(BigInt(first.changes.cursor)).toBeGreaterThan(oldest.seq + 10n);
  fine.stop();
});

it('still gives the newest cursor once every event is pruned, and a subscription from it works', async () => {
  const prisma = g.app.database.prisma;
  const newest = (await prisma.changeEvent.findFirst({ orderBy: { seq: 'desc' } }))!;
  await prisma.changeEvent.updateMany({ data: { occurredAt: new Date(Date.now() - 8 * 86_400_000) } });
  await pruneChangeEvents(prisma, 7 * 86_400_000);
  expect(await prisma.changeEvent.count()).toBe(0);

  const res = await fetch(`${g.app.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ latestChangeCursor }' }) });
  const cursor = ((await res.json()) as { data: { latestChangeCursor: string } }).data.latestChangeCursor;
  expect(cursor).toBe(String(newest.seq));

  const sub = await g.subscribe(`subscription($after: String) { changes(after: $after) { cursor baseId } }`, { after: cursor });
  const [made] = g.sim.changes([{ op: 'create', type: 'lead', data: { first_name: 'After the quiet' } }]);
  const [first] = await sub.waitFor(1);
  expect(first.changes.baseId).toBe(made!.id);
  sub.stop();
});
