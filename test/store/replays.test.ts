// The freshest revision wins: a replayed or stale item changes nothing and writes no event;
// deletes keep a tombstone that nothing stale revives; deletes of unknown objects are no-ops.
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

const lead = (id: number, revision: number, data: Record<string, unknown> = {}): StoreItem => ({
  type: 'lead',
  revision,
  deleted: false,
  data: { id, first_name: 'Grace', last_name: 'Hopper', updated_at: '2026-01-02T03:04:05Z', ...data },
});
const deleted = (type: string, id: number): StoreItem => ({ type, revision: 0, deleted: true, data: { id } });
const row = (id: number) =>
  withClient(db.url, async (c) => (await c.query('SELECT first_name, revision::text, deleted_at, synced_at FROM leads WHERE id = $1', [id])).rows[0]);

describe('applying pages', () => {
  it('writes a new object and reports one CREATED event', async () => {
    expect(await applyPage(prisma, [lead(1, 3)])).toMatchObject({ events: 1 });
    expect(await row(1)).toMatchObject({ first_name: 'Grace', revision: '3', deleted_at: null });
  });

  it('changes nothing for the same page again', async () => {
    const before = await row(1);
    expect(await applyPage(prisma, [lead(1, 3, { first_name: 'Other' })])).toMatchObject({ events: 0, lastSeq: null });
    expect(await row(1)).toEqual(before);
  });

  it('ignores a stale revision', async () => {
    await applyPage(prisma, [lead(1, 5, { first_name: 'Fresh' })]);
    expect(await applyPage(prisma, [lead(1, 4, { first_name: 'Stale' })])).toMatchObject({ events: 0 });
    expect(await row(1)).toMatchObject({ first_name: 'Fresh', revision: '5' });
  });

  it('tombstones on delete, keeping the last revision, once', async () => {
    expect(await applyPage(prisma, [deleted('lead', 1)])).toMatchObject({ events: 1 });
    expect(await row(1)).toMatchObject({ first_name: 'Fresh', revision: '5', deleted_at: expect.any(Date) });
    expect(await applyPage(prisma, [deleted('lead', 1)])).toMatchObject({ events: 0 });
  });

  it('does not let a stale item revive a deleted object', async () => {
    expect(await applyPage(prisma, [lead(1, 5, { first_name: 'Zombie' })])).toMatchObject({ events: 0 });
    expect(await row(1)).toMatchObject({ first_name: 'Fresh', deleted_at: expect.any(Date) });
  });

  it('brings an object back for a newer revision, as CREATED', async () => {
    await applyPage(prisma, [lead(1, 9, { first_name: 'Back' })]);
    expect(await row(1)).toMatchObject({ first_name: 'Back', revision: '9', deleted_at: null });
    const kinds = await withClient(db.url, async (c) => (await c.query(`SELECT kind FROM change_events WHERE type = 'lead' AND resource_id = 1 ORDER BY seq`)).rows.map((r) => r.kind));
    expect(kinds).toEqual(['CREATED', 'UPDATED', 'DELETED', 'CREATED']);
  });

  it('ignores a delete of an object it never had', async () => {
    expect(await applyPage(prisma, [deleted('lead', 404), deleted('visit', 404)])).toMatchObject({ events: 0 });
    expect(await row(404)).toBeUndefined();
  });

  it('keeps the last state of an object named twice in one page', async () => {
    expect(await applyPage(prisma, [lead(2, 1, { first_name: 'First' }), lead(2, 2, { first_name: 'Second' })])).toMatchObject({ events: 1 });
    expect(await row(2)).toMatchObject({ first_name: 'Second', revision: '2' });
  });

  it('stores an odd field as NULL in its column and whole in raw, without failing the page', async () => {
    await applyPage(prisma, [lead(3, 1, { created_at: 'yesterday', tags: 'not-a-list', custom_fields: { tier: 'gold' } })]);
    const stored = await withClient(db.url, async (c) => (await c.query('SELECT created_at, tags, custom_fields, raw FROM leads WHERE id = 3')).rows[0]);
    expect(stored).toMatchObject({ created_at: null, tags: null, custom_fields: { tier: 'gold' } });
    expect(stored.raw).toMatchObject({ created_at: 'yesterday', tags: 'not-a-list' });
  });

  it('wakes listeners when, and only when, a page changed something', async () => {
    const notifications: string[] = [];
    await withClient(db.url, async (listener) => {
      listener.on('notification', (n) => notifications.push(n.payload ?? ''));
      await listener.query('LISTEN bsg_change_events');
      const changed = await applyPage(prisma, [lead(4, 1)]);
      await applyPage(prisma, [lead(4, 1)]);
      await listener.query('SELECT 1');
      expect(notifications).toEqual([String(changed.lastSeq)]);
    });
  });
});
