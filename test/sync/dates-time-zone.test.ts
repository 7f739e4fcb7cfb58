// Dates are taken as written, never through the server's time zone: the sync and the GraphQL
// server run as child processes under TZ=Pacific/Kiritimati (UTC+14) and TZ=America/Adak
// (UTC-10, -9 in summer), where parsing through Date moves a date to the day before or after.
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEMO_TOKEN } from '../../src/simulator/index.ts';
import { runCli } from '../fixtures/cli.ts';
import { useTestDatabase } from '../fixtures/database.ts';
import { withClient } from '../fixtures/mirror.ts';
import { useSimulator } from '../fixtures/sync.ts';

// estimated_close_date as sent → as stored; created_at as sent → the instant stored.
const DATES: Array<[sent: string, stored: string | null]> = [
  ['2026-03-01', '2026-03-01'],
  ['2024-02-29', '2024-02-29'],
  ['2026-03-01T00:30:00+14:00', '2026-03-01'],
  ['2026-02-28T23:30:00-10:00', '2026-02-28'],
  ['2026-12-31T23:59:59Z', '2026-12-31'],
  ['2024-02-30', null],
  ['March 1, 2026', null],
  ['2026/03/01', null],
];
const CREATED: Array<[sent: string, instant: string | null]> = [
  ['2026-03-01T00:30:00+14:00', '2026-02-28T10:30:00.000Z'],
  ['2026-02-28T23:30:00-10:00', '2026-03-01T09:30:00.000Z'],
  ['2026-03-01T12:00:00.5Z', '2026-03-01T12:00:00.500Z'],
  ['2026-03-01T12:00:00', null],
  ['2026-03-01', null],
  ['Sun Mar 01 2026 00:00:00', null],
  ['2026-03-01T12:00:00Z', '2026-03-01T12:00:00.000Z'],
  ['2026-03-01T12:00:00Z', '2026-03-01T12:00:00.000Z'],
];

const sim = useSimulator({ world: { counts: { user: 2, pipeline: 1, stage: 2 } }, seed: 5, ackDelayMs: 0 });
const ids: number[] = [];
beforeAll(() => {
  const made = sim.changes(DATES.map(([date], i) => ({ op: 'create', type: 'deal', data: { name: `Deal ${i}`, estimated_close_date: date, created_at: CREATED[i]![0] } })));
  ids.push(...made.map((m) => m.id));
});

describe.each(['Pacific/Kiritimati', 'America/Adak'])('under TZ=%s', (tz) => {
  const db = useTestDatabase();
  const env = () => ({ TZ: tz, DATABASE_URL: db.url, BASE_API_URL: sim.url, BASE_ACCESS_TOKEN: DEMO_TOKEN, BASE_DEVICE_UUID: randomUUID() });

  it('syncs dates as written and timestamps at their own offset', async () => {
    const sync = runCli(['sync', '--once'], env());
    expect((await sync.exited).code, sync.stderr()).toBe(0);
    const rows = await withClient(db.url, async (c) =>
      (await c.query(`SELECT estimated_close_date::text AS date, created_at FROM deals WHERE id = ANY($1) ORDER BY id`, [ids])).rows,
    );
    expect(rows.map((r) => r.date)).toEqual(DATES.map(([, stored]) => stored));
    expect(rows.map((r) => (r.created_at as Date | null)?.toISOString() ?? null)).toEqual(CREATED.map(([, instant]) => instant));
  });

  it('serves them over GraphQL as stored', async () => {
    const serve = runCli(['serve', '--no-sync'], { ...env(), PORT: '0' });
    const ready = (await serve.waitFor((l) => String(l.msg).startsWith('gateway ready'))) as { url: string };
    const res = await fetch(`${ready.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ deals(first: 100, orderBy: [{ field: BASE_ID, direction: ASC }]) { edges { node { baseId estimatedCloseDate createdAt } } } }' }),
    });
    const body = (await res.json()) as { data: { deals: { edges: Array<{ node: { baseId: number; estimatedCloseDate: string | null; createdAt: string | null } }> } } };
    const nodes = body.data.deals.edges.map((e) => e.node).filter((n) => ids.includes(n.baseId));
    expect(nodes.map((n) => n.estimatedCloseDate)).toEqual(DATES.map(([, stored]) => stored));
    expect(nodes.map((n) => n.createdAt)).toEqual(CREATED.map(([, instant]) => instant));
    await serve.stop();
  });
});
