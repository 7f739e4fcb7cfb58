// Associated contacts are keyed by their id, as the Sync API names every object: each
// association has its own revisions, a move to another pair is an update, a pair can be linked
// again by a new association while the old one is a tombstone, and an item naming only the pair
// applies to the association on it. Every real change writes one event keyed by the id.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPrismaClient, type PrismaClient } from '../../src/db/client.ts';
import { applyPage, type StoreItem } from '../../src/store/apply-page.ts';
import { useTestDatabase } from '../fixtures/database.ts';
import { withClient } from '../fixtures/mirror.ts';

const db = useTestDatabase();
let prisma: PrismaClient;
beforeAll(() => {
  prisma = createPrismaClient({ databaseUrl: db.url, poolSize: 2 });
});
afterAll(() => prisma.$disconnect());

const TYPE = 'associated_contact';
/** A live state; `id: undefined` names it by its pair only. */
const live = (id: number | undefined, dealId: number, contactId: number, revision: number, role = 'involved'): StoreItem => ({
  type: TYPE,
  revision,
  deleted: false,
  data: { ...(id === undefined ? {} : { id }), deal_id: dealId, contact_id: contactId, role, updated_at: '2026-01-02T03:04:05Z' },
});
const gone = (data: Record<string, number>): StoreItem => ({ type: TYPE, revision: 0, deleted: true, data });

interface Row {
  id: string;
  deal_id: string | null;
  contact_id: string | null;
  role: string | null;
  revision: string;
  deleted: boolean;
}
const rowsOfDeal = (dealId: number) =>
  withClient(db.url, async (c) =>
    (
      await c.query<Row>(
        `SELECT id::text, deal_id::text, contact_id::text, role, revision::text, deleted_at IS NOT NULL AS deleted FROM associated_contacts WHERE deal_id = $1 ORDER BY id`,
        [dealId],
      )
    ).rows,
  );
/** The change events of associated contacts written by `run`, as `kind id revision`. */
async function eventsOf(run: () => Promise<unknown>): Promise<string[]> {
  const last = async () => withClient(db.url, async (c) => (await c.query(`SELECT COALESCE(max(seq), 0)::text AS s FROM change_events`)).rows[0].s as string);
  const before = await last();
  await run();
  return withClient(db.url, async (c) =>
    (await c.query(`SELECT kind, resource_id::text AS id, revision::text FROM change_events WHERE type = $1 AND seq > $2 ORDER BY seq`, [TYPE, before])).rows.map(
      (e) => `${e.kind} ${e.id} ${e.revision}`,
    ),
  );
}
const row = (id: number, dealId: number, contactId: number, revision: number, role = 'involved', deleted = false): Row => ({
  id: String(id),
  deal_id: String(dealId),
  contact_id: String(contactId),
  role,
  revision: String(revision),
  deleted,
});

describe('the four ways associations were lost', () => {
  it('a new association for a pair whose old one was deleted appears, though the tombstone has a higher revision', async () => {
    const events = await eventsOf(async () => {
      await applyPage(prisma, [live(101, 1, 10, 1)]);
      await applyPage(prisma, [live(101, 1, 10, 2, 'decision maker')]);
      await applyPage(prisma, [live(101, 1, 10, 3, 'champion')]);
      await applyPage(prisma, [gone({ id: 101 })]);
      await applyPage(prisma, [live(102, 1, 10, 1)]); // its own first revision
    });
    expect(await rowsOfDeal(1)).toEqual([row(101, 1, 10, 3, 'champion', true), row(102, 1, 10, 1)]);
    expect(events).toEqual(['CREATED 101 1', 'UPDATED 101 2', 'UPDATED 101 3', 'DELETED 101 3', 'CREATED 102 1']);
  });

  it('an update moving an association to another pair moves it (no second row, no stuck page)', async () => {
    const events = await eventsOf(async () => {
      await applyPage(prisma, [live(201, 2, 20, 1)]);
      await applyPage(prisma, [live(201, 2, 21, 2)]);
      await applyPage(prisma, [live(201, 3, 21, 3)]); // to another deal too
    });
    expect(await rowsOfDeal(2)).toEqual([]);
    expect(await rowsOfDeal(3)).toEqual([row(201, 3, 21, 3)]);
    expect(events).toEqual(['CREATED 201 1', 'UPDATED 201 2', 'UPDATED 201 3']);
  });

  it('a delete naming only the pair tombstones the association on it', async () => {
    await applyPage(prisma, [live(401, 4, 40, 5), live(402, 4, 41, 6)]);
    const events = await eventsOf(() => applyPage(prisma, [gone({ deal_id: 4, contact_id: 40 })]));
    expect(events).toEqual(['DELETED 401 5']);
    expect(await rowsOfDeal(4)).toEqual([row(401, 4, 40, 5, 'involved', true), row(402, 4, 41, 6)]);
    // Again, or for a pair with nothing live: nothing.
    expect(await eventsOf(() => applyPage(prisma, [gone({ deal_id: 4, contact_id: 40 }), gone({ deal_id: 4, contact_id: 99 })]))).toEqual([]);
  });

  it('an upsert naming only the pair updates the association on it, with an event keyed by its id', async () => {
    await applyPage(prisma, [live(501, 5, 50, 1)]);
    const events = await eventsOf(() => applyPage(prisma, [live(undefined, 5, 50, 2, 'influencer')]));
    expect(events).toEqual(['UPDATED 501 2']);
    expect(await rowsOfDeal(5)).toEqual([row(501, 5, 50, 2, 'influencer')]);
    // A stale one changes nothing.
    expect(await eventsOf(() => applyPage(prisma, [live(undefined, 5, 50, 1, 'stale')]))).toEqual([]);
  });
});

describe('items that name only the pair', () => {
  it('give an association the mirror never had a placeholder id, and follow it from then on', async () => {
    const created = await eventsOf(() => applyPage(prisma, [live(undefined, 6, 60, 1), live(undefined, 6, 61, 1)]));
    const rows = await rowsOfDeal(6);
    expect(rows.map((r) => [r.contact_id, r.deleted]).sort()).toEqual([
      ['60', false],
      ['61', false],
    ]);
    const ids = rows.map((r) => Number(r.id));
    for (const id of ids) expect(id).toBeLessThan(0);
    expect(created.sort()).toEqual(ids.map((id) => `CREATED ${id} 1`).sort());
    const idOf = (contactId: string) => rows.find((r) => r.contact_id === contactId)!.id;
    const [for60, for61] = [idOf('60'), idOf('61')];
    expect(await eventsOf(() => applyPage(prisma, [live(undefined, 6, 60, 2, 'champion')]))).toEqual([`UPDATED ${for60} 2`]);
    expect(await eventsOf(() => applyPage(prisma, [gone({ deal_id: 6, contact_id: 61 })]))).toEqual([`DELETED ${for61} 1`]);
    // Linked again later: the tombstone on the pair comes back, if the item is newer.
    expect(await eventsOf(() => applyPage(prisma, [live(undefined, 6, 61, 1, 'stale')]))).toEqual([]);
    expect(await eventsOf(() => applyPage(prisma, [live(undefined, 6, 61, 7)]))).toEqual([`CREATED ${for61} 7`]);
    // New placeholders stay below every id there is.
    await applyPage(prisma, [live(undefined, 6, 62, 1)]);
    expect(Math.min(...(await rowsOfDeal(6)).map((r) => Number(r.id)))).toBeLessThan(Math.min(...ids));
  });

  it('are written once when a page names the same association by its id and by its pair (the later wins)', async () => {
    await applyPage(prisma, [live(701, 7, 70, 1)]);
    const events = await eventsOf(() => applyPage(prisma, [live(701, 7, 70, 2, 'first'), live(undefined, 7, 70, 3, 'second')]));
    expect(events).toEqual(['UPDATED 701 3']);
    expect(await rowsOfDeal(7)).toEqual([row(701, 7, 70, 3, 'second')]);
    const deleted = await eventsOf(() => applyPage(prisma, [live(701, 7, 70, 4, 'kept?'), gone({ deal_id: 7, contact_id: 70 })]));
    expect(deleted).toEqual(['DELETED 701 3']);
  });
});

describe('in any order between associations', () => {
  it('a new association on a pair arriving before the old one moved away ends with both right', async () => {
    // Upstream: A on (8, 80), A moved to (8, 81), B created on (8, 80). Delivered B first.
    const events = await eventsOf(async () => {
      await applyPage(prisma, [live(801, 8, 80, 1)]);
      await applyPage(prisma, [live(802, 8, 80, 1)]);
      await applyPage(prisma, [live(801, 8, 81, 2)]);
    });
    expect(await rowsOfDeal(8)).toEqual([row(801, 8, 81, 2), row(802, 8, 80, 1)]);
    expect(events).toEqual(['CREATED 801 1', 'CREATED 802 1', 'UPDATED 801 2']);
  });

  it('a delete arriving for an association never stored changes nothing, and its later create still appears', async () => {
    expect(await eventsOf(() => applyPage(prisma, [gone({ id: 901 })]))).toEqual([]);
    expect(await eventsOf(() => applyPage(prisma, [live(902, 9, 90, 1)]))).toEqual(['CREATED 902 1']);
  });
});
