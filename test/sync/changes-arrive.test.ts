// Creates, updates and deletes made upstream arrive, each as one change event of the
// kind the database write decided.
import { beforeAll, expect, it } from 'vitest';
import { useTestDatabase } from '../fixtures/database.ts';
import { expectChangeLogConsistent, expectMirrorEqualsTruth, withClient } from '../fixtures/mirror.ts';
import { startSyncFixture, type SyncFixture } from '../fixtures/sync.ts';

const db = useTestDatabase();
let f: SyncFixture;
beforeAll(async () => {
  f = await startSyncFixture(db, { world: { total: 1_000 }, seed: 7 });
  await f.engine().runOnce();
});

const eventsAfter = (seq: string) =>
  withClient(db.url, async (c) => (await c.query('SELECT type, resource_id::text AS id, kind, revision::text FROM change_events WHERE seq > $1 ORDER BY seq', [seq])).rows);
const lastSeq = () => withClient(db.url, async (c) => (await c.query(`SELECT COALESCE(max(seq), 0)::text AS s FROM change_events`)).rows[0].s as string);

it('applies updates, deletes and creates, with one event each', async () => {
  const [deal] = [...f.sim.objects('deal')];
  const [contact] = [...f.sim.objects('contact')];
  const before = await lastSeq();
  const results = f.sim.changes([
    { op: 'update', type: 'deal', id: deal!.id, data: { name: 'Renamed deal', value: '999.99' } },
    { op: 'update', type: 'deal', id: deal!.id, data: { hot: true } },
    { op: 'delete', type: 'contact', id: contact!.id },
    { op: 'create', type: 'lead', data: { first_name: 'Ada', last_name: 'Lovelace' } },
  ]);
  const created = results[3]!;

  await f.engine().runOnce();
  await expectMirrorEqualsTruth(db.url, f.sim);

  // Two updates of one deal arrive as its freshest state: one UPDATED.
  expect(await eventsAfter(before)).toEqual(
    expect.arrayContaining([
      { type: 'deal', id: String(deal!.id), kind: 'UPDATED', revision: String(results[1]!.revision) },
      { type: 'contact', id: String(contact!.id), kind: 'DELETED', revision: String(contact!.revision) },
      { type: 'lead', id: String(created.id), kind: 'CREATED', revision: String(created.revision) },
    ]),
  );
  expect(await eventsAfter(before)).toHaveLength(3);

  const row = await withClient(db.url, async (c) => (await c.query('SELECT name, value::text, hot FROM deals WHERE id = $1', [deal!.id])).rows[0]);
  expect(row).toEqual({ name: 'Renamed deal', value: '999.99', hot: true });
  const gone = await withClient(db.url, async (c) => (await c.query('SELECT deleted_at, revision::text, raw FROM contacts WHERE id = $1', [contact!.id])).rows[0]);
  // The tombstone keeps the last state and revision.
  expect(gone.deleted_at).toBeInstanceOf(Date);
  expect(gone.revision).toBe(String(contact!.revision));
  expect(gone.raw).toEqual(contact!.data);

  await expectChangeLogConsistent(db.url);
});

it('keeps objects of types without a table in other_resources, deletes included', async () => {
  const before = await lastSeq();
  const [made] = f.sim.changes([{ op: 'create', type: 'text_message', data: { content: 'hello' } }]);
  await f.engine().runOnce();
  const stored = await withClient(db.url, async (c) => (await c.query(`SELECT raw, deleted_at FROM other_resources WHERE type = 'text_message' AND id = $1`, [made!.id])).rows);
  expect(stored).toHaveLength(1);
  expect(stored[0].raw).toMatchObject({ id: made!.id, content: 'hello' });

  f.sim.changes([{ op: 'delete', type: 'text_message', id: made!.id }]);
  await f.engine().runOnce();
  const after = await withClient(db.url, async (c) => (await c.query(`SELECT deleted_at FROM other_resources WHERE type = 'text_message' AND id = $1`, [made!.id])).rows[0]);
  expect(after.deleted_at).toBeInstanceOf(Date);
  expect((await eventsAfter(before)).map((e) => e.kind)).toEqual(['CREATED', 'DELETED']);
});
