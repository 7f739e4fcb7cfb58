// A repeated query is answered from memory until the mirror changes, and never from before the
// newest commit: a sync that changed something is seen by the very next query.
import { expect, it } from 'vitest';
import { post, useRecordingGraphQL, useSyncedWorld } from './fixture.ts';

const w = useSyncedWorld({ world: { total: 1000 }, seed: 3 });

const KEY = 'response-cache-test-key-0001';
const DEALS = /* GraphQL */ `
  query Deals {
    deals(first: 10) { totalCount edges { node { baseId name owner { name } } } }
  }
`;

const g = useRecordingGraphQL(w, { apiKeys: [KEY], responseCacheBytes: 1024 * 1024 });

/** Runs a query with the key; answers its data and the SQL statements it cost. */
const run = (query: string) => g.query(query, undefined, { authorization: `Bearer ${KEY}` });

const onlyVersionRead = (sql: string[]) => sql.length === 1 && /"change_type_versions"/.test(sql[0]!);

it('answers a repeated query from memory: only the version of the mirror is read', async () => {
  const first = await run(DEALS);
  expect(first.statements.length).toBeGreaterThan(1);
  const again = await run(DEALS);
  expect(again.data).toEqual(first.data);
  expect(onlyVersionRead(again.statements)).toBe(true);
});

it('answers with the change once a sync has committed it, on the very next query', async () => {
  const before = await run(DEALS);
  const deal = before.data.deals.edges[0].node;
  w.f.sim.changes([
    { op: 'update', type: 'deal', id: deal.baseId, data: { name: 'Renamed while cached' } },
    { op: 'create', type: 'deal', data: { name: 'Created while cached' } },
  ]);
  w.f.sim.flushAcks();
  await w.f.engine().runOnce();

  const after = await run(DEALS);
  expect(onlyVersionRead(after.statements)).toBe(false);
  expect(after.data.deals.edges[0].node.name).toBe('Renamed while cached');
  expect(after.data.deals.totalCount).toBe(before.data.deals.totalCount + 1);
  // And that answer is cached in turn.
  expect(onlyVersionRead((await run(DEALS)).statements)).toBe(true);
});

it('never caches the sync status, which changes without a change to the mirror', async () => {
  const STATUS = '{ syncStatus { lastSuccessAt itemsSynced } }';
  const before = await run(STATUS);
  await new Promise((resolve) => setTimeout(resolve, 20));
  const summary = await w.f.engine().runOnce(); // nothing new: no change event, a new lastSuccessAt
  expect(summary.items).toBe(0);
  const after = await run(STATUS);
  expect(onlyVersionRead(after.statements)).toBe(false);
  expect(Date.parse(after.data.syncStatus.lastSuccessAt)).toBeGreaterThan(Date.parse(before.data.syncStatus.lastSuccessAt));
});

it('still refuses a request without a valid key when the answer is cached', async () => {
  await run(DEALS);
  const anonymous = await post(g.yoga, DEALS);
  expect(anonymous.status).toBe(401);
  expect(anonymous.body.data).toBeUndefined();
  const wrong = await post(g.yoga, DEALS, undefined, { authorization: 'Bearer not-the-key-at-all-0000' });
  expect(wrong.status).toBe(401);
});
