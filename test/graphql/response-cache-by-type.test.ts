// A cached answer is dropped only when a type it read changes: a dashboard of deals with their
// stage, owner and contact survives changes to leads, tasks and calls, and is answered anew once a
// deal, its stage or its contact has changed, by every gateway on the database, whichever synced it.
import { expect, it } from 'vitest';
import { useRecordingGraphQL, useSyncedWorld } from './fixture.ts';

const w = useSyncedWorld({ world: { total: 1000 }, seed: 5 });
const CACHE = { responseCacheBytes: 1024 * 1024 };
const a = useRecordingGraphQL(w, CACHE);
// A second gateway on the same database: its own pool and its own cache.
const b = useRecordingGraphQL(w, CACHE);

const DASHBOARD = /* GraphQL */ `
  query Dashboard {
    deals(first: 10) { edges { node { baseId name value contact { baseId name } stage { baseId name pipeline { name } } owner { name } } } }
  }
`;

const onlyVersionRead = (sql: string[]) => sql.length === 1 && /"change_type_versions"/.test(sql[0]!);

/** Commits changes through the simulator and one sync session, as a live account would. */
async function sync(changes: Parameters<typeof w.f.sim.changes>[0]) {
  w.f.sim.changes(changes);
  w.f.sim.flushAcks();
  const summary = await w.f.engine().runOnce();
  expect(summary.items).toBeGreaterThanOrEqual(changes.length);
}

const firstId = async (connection: string) => (await w.query(`{ ${connection}(first: 1) { edges { node { baseId } } } }`))[connection].edges[0].node.baseId;

it('keeps a deals answer through lead, task and call changes, and drops it when a deal, stage or contact it embeds changes', async () => {
  const first = await a.query(DASHBOARD);
  expect(first.statements.length).toBeGreaterThan(1);
  const deal = first.data.deals.edges.find((e: any) => e.node.contact && e.node.stage).node;

  await sync([
    { op: 'update', type: 'lead', id: await firstId('leads') },
    { op: 'update', type: 'task', id: await firstId('tasks') },
    { op: 'update', type: 'call', id: await firstId('calls') },
  ]);
  const unrelated = await a.query(DASHBOARD);
  expect(onlyVersionRead(unrelated.statements)).toBe(true);
  expect(unrelated.data).toEqual(first.data);

  const renamed = async (type: 'deal' | 'stage' | 'contact', id: number, name: string, read: (node: any) => string) => {
    await sync([{ op: 'update', type, id, data: { name } }]);
    const after = await a.query(DASHBOARD);
    expect(onlyVersionRead(after.statements), type).toBe(false);
    expect(read(after.data.deals.edges.find((e: any) => e.node.baseId === deal.baseId).node)).toBe(name);
    expect(onlyVersionRead((await a.query(DASHBOARD)).statements)).toBe(true);
  };
  await renamed('contact', deal.contact.baseId, 'Contact renamed while cached', (n) => n.contact.name);
  await renamed('stage', deal.stage.baseId, 'Stage renamed while cached', (n) => n.stage.name);
  await renamed('deal', deal.baseId, 'Deal renamed while cached', (n) => n.name);
});

it('never serves an answer from before a commit on another gateway of the same database', async () => {
  const [fromA, fromB] = [await a.query(DASHBOARD), await b.query(DASHBOARD)];
  expect(onlyVersionRead((await b.query(DASHBOARD)).statements)).toBe(true);
  const deal = fromA.data.deals.edges[0].node;
  expect(fromB.data).toEqual(fromA.data);

  await sync([{ op: 'update', type: 'deal', id: deal.baseId, data: { name: 'Renamed under two caches' } }]);
  for (const gateway of [b, a]) {
    const after = await gateway.query(DASHBOARD);
    expect(after.data.deals.edges[0].node.name).toBe('Renamed under two caches');
  }
});
