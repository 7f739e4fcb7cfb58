// The Sync API failing every call (5xx) for longer than the stall time: the sync is STALLED and
// /readyz/sync answers 503 with the reason meanwhile (the lag metric growing), while /readyz
// stays 200 (queries are served); once the upstream is back it is IDLE and 200 again, and
// nothing changed upstream meanwhile is lost.
import { expect, it } from 'vitest';
import { eventually, useGateway } from '../fixtures/gateway.ts';
import { expectChangeLogConsistent, expectMirrorEqualsTruth } from '../fixtures/mirror.ts';

const STALL_SECONDS = 2;
const g = useGateway({ sim: { world: { total: 300 }, seed: 4 }, env: { SYNC_STALL_SECONDS: String(STALL_SECONDS) }, settled: 'lead' });

async function readyzSync(): Promise<{ code: number; body: Record<string, unknown> }> {
  const res = await fetch(`${g.app.url}/readyz/sync`);
  return { code: res.status, body: (await res.json()) as Record<string, unknown> };
}

async function syncStatus(): Promise<{ state: string; lastError: string | null }> {
  const res = await fetch(`${g.app.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: '{ syncStatus { state lastError } }' }),
  });
  return ((await res.json()) as { data: { syncStatus: { state: string; lastError: string | null } } }).data.syncStatus;
}

async function lag(): Promise<number> {
  const text = await (await fetch(`${g.app.url}/metrics`)).text();
  return Number(/^bsg_sync_lag_seconds (\S+)$/m.exec(text)?.[1]);
}

it('is stalled while the upstream fails, idle after, and loses nothing', { timeout: 120_000 }, async () => {
  expect((await readyzSync()).code).toBe(200);
  g.sim.setFaults({ serverErrors: { start: 1, queue: 1, ack: 1 } });
  const someLead = [...g.sim.objects('lead')][0]!;
  const deal = [...g.sim.objects('deal')][0]!;
  const [lead] = g.sim.changes([
    { op: 'create', type: 'lead', data: { first_name: 'Made during the outage' } },
    { op: 'update', type: 'lead', id: someLead.id, data: { title: 'Updated during the outage' } },
    { op: 'delete', type: 'deal', id: deal.id },
  ]);

  const during = await eventually(async () => {
    const answer = await readyzSync();
    return answer.code === 503 ? answer.body : undefined;
  }, 20_000);
  expect(during).toMatchObject({ status: 'not ready', state: 'stalled', reason: 'upstream_error' });
  const status = await syncStatus();
  expect(status.state).toBe('STALLED');
  expect(status.lastError).toContain('500');
  // The lag grows during the stall; queries are still served.
  const first = await lag();
  expect(first).toBeGreaterThanOrEqual(STALL_SECONDS);
  await eventually(async () => (await lag()) > first + 1);
  expect((await fetch(`${g.app.url}/readyz`)).status).toBe(200);

  g.sim.setFaults({});
  await eventually(async () => (await readyzSync()).code === 200 && (await syncStatus()).state === 'IDLE', 60_000);
  expect(await lag()).toBeLessThan(STALL_SECONDS);

  g.sim.flushAcks();
  await eventually(async () => (await g.app.database.prisma.lead.findUnique({ where: { id: BigInt(lead!.id) } })) !== null);
  await eventually(async () => (await g.app.database.prisma.deal.findUnique({ where: { id: BigInt(deal.id) } }))?.deletedAt != null);
  await expectMirrorEqualsTruth(g.db.url, g.sim);
  await expectChangeLogConsistent(g.db.url);
});
