// A page commits only while its writer leads the device: a page fenced by an older epoch fails
// and writes nothing, also when the newer syncer takes over while the page is in flight. And
// writers of change events take turns, so that `seq` order is commit order: a reader that has
// read up to some seq never misses a smaller one committed later.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import pg from 'pg';
import { createPrismaClient, type PrismaClient } from '../../src/db/client.ts';
import { applyPage, FencedError, type StoreItem } from '../../src/store/apply-page.ts';
import { useTestDatabase } from '../fixtures/database.ts';
import { eventually } from '../fixtures/gateway.ts';
import { withClient } from '../fixtures/mirror.ts';

const db = useTestDatabase();
const device = randomUUID();
let prisma: PrismaClient;

beforeAll(async () => {
  prisma = createPrismaClient({ databaseUrl: db.url, poolSize: 2 });
  await prisma.syncState.create({ data: { deviceUuid: device, leaderEpoch: 1n } });
});
afterAll(() => prisma.$disconnect());

const lead = (id: number): StoreItem => ({ type: 'lead', revision: 1, deleted: false, data: { id, first_name: `Lead ${id}` } });
const fenced = (epoch: bigint) => ({ fence: { deviceUuid: device, epoch }, progress: { deviceUuid: device, items: 1, countLeft: 0, itemsPerSecond: null } });
const stored = (id: number) => withClient(db.url, async (c) => (await c.query('SELECT 1 FROM leads WHERE id = $1', [id])).rowCount === 1);
const eventCount = () => prisma.changeEvent.count();

/** Resolves once some statement waits for a lock held by another transaction. */
const someoneWaits = () =>
  eventually(() => withClient(db.url, async (c) => Number((await c.query("SELECT count(*) FROM pg_locks WHERE NOT granted")).rows[0].count) > 0));

/** A transaction left open on a connection of its own: run statements in it, then commit. */
async function openTransaction(): Promise<{ query: pg.Client['query']; commit(): Promise<void> }> {
  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  await client.query('BEGIN');
  return {
    query: client.query.bind(client) as pg.Client['query'],
    async commit() {
      await client.query('COMMIT');
      await client.end();
    },
  };
}

it('commits a page of the current epoch, and refuses one of an older epoch without writing anything', async () => {
  expect((await applyPage(prisma, [lead(1)], fenced(1n))).events).toBe(1);
  await prisma.syncState.update({ where: { deviceUuid: device }, data: { leaderEpoch: 2n } });
  const before = await eventCount();

  await expect(applyPage(prisma, [lead(2)], fenced(1n))).rejects.toBeInstanceOf(FencedError);
  expect(await stored(2)).toBe(false);
  expect(await eventCount()).toBe(before);
});

it('fails a page in flight when a newer syncer takes over, instead of letting it land', async () => {
  const takeover = await openTransaction();
  await takeover.query('UPDATE sync_state SET leader_epoch = 3 WHERE device_uuid = $1', [device]);
  const page = applyPage(prisma, [lead(3)], fenced(2n));
  page.catch(() => undefined);
  await someoneWaits();
  await takeover.commit();

  await expect(page).rejects.toBeInstanceOf(FencedError);
  expect(await stored(3)).toBe(false);
});

it('lets writers of change events commit in seq order: a second writer waits for the first', async () => {
  const first = await openTransaction();
  await first.query('SELECT bsg_page_begin(NULL, NULL)');
  const { rows } = await first.query<{ seq: string }>(`INSERT INTO change_events (type, resource_id, kind, revision) VALUES ('lead', 999, 'CREATED', 1) RETURNING seq::text`);
  let secondDone = false;
  const second = applyPage(prisma, [lead(4)]).finally(() => (secondDone = true));
  await someoneWaits();
  expect(secondDone, 'the second writer must not commit while the first is open').toBe(false);
  await first.commit();

  const result = await second;
  expect(result.lastSeq! > BigInt(rows[0]!.seq)).toBe(true);
});
