// An item Postgres refuses does not block its page: the page is split until the refused item is
// found, the rest commits with its events, and the refused item is kept whole in rejected_items
// (its text as received, type, id, revision, ack key, the error), once per object, until a
// later revision of it stores. Retrying keeps what still fails and stores what now fits.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createPrismaClient, type PrismaClient } from '../../src/db/client.ts';
import { applyPage, applyPrepared, clearingRejected, preparePage, type StoreItem } from '../../src/store/apply-page.ts';
import { retryRejectedItems } from '../../src/sync/rejected-retry.ts';
import { useTestDatabase } from '../fixtures/database.ts';
import { withClient } from '../fixtures/mirror.ts';

const db = useTestDatabase();
let prisma: PrismaClient;
beforeAll(() => {
  prisma = createPrismaClient({ databaseUrl: db.url, poolSize: 2 });
});
afterAll(() => prisma.$disconnect());
beforeEach(() => withClient(db.url, (c) => c.query('TRUNCATE leads, tags, rejected_items, change_events, failed_objects')));

/** An item with the text it came as (what the sync client gives the store). */
function item(type: string, data: Record<string, unknown>, revision: number): StoreItem {
  const ackKey = `${type}-${String(data.id)}-${revision}`;
  const text = JSON.stringify({ data, meta: { type, sync: { event_type: 'updated', ack_key: ackKey, revision } } });
  return { type, data, revision, deleted: false, ackKey, text: () => text };
}
const lead = (id: number, revision = 1) => item('lead', { id, first_name: `Lead ${id}` }, revision);
// Incompressible and longer than a btree index row may be (tags are indexed by resource type and
// name): every value passes the checks, and Postgres still refuses the row (54000).
const hugeName = () => randomBytes(3000).toString('base64');
const tag = (id: number, name: string, revision = 1) => item('tag', { id, name, resource_type: 'lead' }, revision);

const rejectedRows = () =>
  withClient(db.url, async (c) => (await c.query('SELECT key, type, base_id, revision::int, ack_key, error, raw_text FROM rejected_items ORDER BY id')).rows);
const count = (table: string) => withClient(db.url, async (c) => Number((await c.query(`SELECT count(*) FROM ${table}`)).rows[0].count));

describe('a value Postgres refuses', () => {
  it('is found by splitting the page; the rest commits, the refused item is kept whole', async () => {
    const bad = tag(7, hugeName(), 3);
    const page = [...Array.from({ length: 12 }, (_, i) => lead(i + 1)), bad, lead(13)];
    const result = await applyPage(prisma, page, { progress: undefined });

    expect(await count('leads')).toBe(13);
    expect(result.events).toBe(13);
    expect(result.rejected).toHaveLength(1);
    expect(await rejectedRows()).toEqual([
      {
        key: 'tag:7',
        type: 'tag',
        base_id: '7',
        revision: 3,
        ack_key: 'tag-7-3',
        error: expect.stringMatching(/^Postgres refused it \(54000\): index row size/),
        raw_text: bad.text!(),
      },
    ]);
    expect(await count('tags')).toBe(0);
  });

  it('is kept once however often it comes, newest revision first, and cleared by a later revision that stores', async () => {
    const name = hugeName();
    await applyPage(prisma, [tag(7, name, 3), lead(1)]);
    await applyPage(prisma, [tag(7, name, 3)]);
    await applyPage(prisma, [tag(7, name, 2)]);
    expect((await rejectedRows()).map((r) => r.revision)).toEqual([3]);

    // A fine but older revision does not supersede the newer rejected state.
    await applyPage(prisma, [tag(7, 'short', 2)]);
    expect(await count('rejected_items')).toBe(1);
    await applyPage(prisma, [tag(7, 'short', 4)]);
    expect(await count('rejected_items')).toBe(0);
    expect(await withClient(db.url, async (c) => (await c.query('SELECT name, revision::int FROM tags')).rows)).toEqual([{ name: 'short', revision: 4 }]);
  });

  it('is cleared by a page prepared before it was kept (the sync prepares the next page while one is written)', async () => {
    const next = preparePage([tag(7, 'short', 4)], { clearRejectedItems: false });
    await applyPage(prisma, [tag(7, hugeName(), 3)]);
    expect(await count('rejected_items')).toBe(1);
    await applyPrepared(prisma, clearingRejected(next));
    expect(await count('rejected_items')).toBe(0);
  });

  it('commits the bookkeeping of the page with the refused items', async () => {
    const progress = { deviceUuid: '00000000-0000-4000-8000-00000000000a', items: 3, countLeft: 0, itemsPerSecond: null };
    await withClient(db.url, (c) => c.query('INSERT INTO sync_state (device_uuid) VALUES ($1) ON CONFLICT DO NOTHING', [progress.deviceUuid]));
    await applyPage(prisma, [lead(1), tag(7, hugeName()), lead(2)], { progress, failedObjects: [{ type: 'deal', id: 5 }] });
    expect(await count('failed_objects')).toBe(1);
    const state = await withClient(db.url, async (c) => (await c.query('SELECT items_synced::int FROM sync_state WHERE device_uuid = $1', [progress.deviceUuid])).rows[0]);
    expect(state.items_synced).toBe(3);
  });
});

describe('retrying rejected items', () => {
  it('stores those that now fit and keeps the others, from their text as received', async () => {
    // Kept as rejected: an item naming no object, and one Postgres refused.
    await applyPage(prisma, [item('lead', { first_name: 'No id' }, 1), tag(7, hugeName())]);
    expect(await count('rejected_items')).toBe(2);
    // Simulate what a fix would change: the refused value now fits (the row's text is what is retried).
    await withClient(db.url, (c) =>
      c.query(`UPDATE rejected_items SET raw_text = $1 WHERE key = 'tag:7'`, [tag(7, 'fits now').text!()]),
    );
    expect(await retryRejectedItems(prisma)).toEqual({ retried: 2, stored: 1 });
    expect((await rejectedRows()).map((r) => r.error)).toEqual(['names no object: it has no id']);
    expect(await count('tags')).toBe(1);
  });
});
