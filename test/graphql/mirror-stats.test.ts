// mirrorCounts, changeHistory and latestChangeCursor: what the status page (or any dashboard)
// reads about the mirror as a whole, each in one SQL statement.
import { describe, expect, it } from 'vitest';
import { RESOURCE_TYPES } from '../../src/resource-types.ts';
import { useRecordingGraphQL, useSyncedWorld } from './fixture.ts';

const w = useSyncedWorld({ world: { total: 600 }, seed: 3 });
const upper = (type: string) => type.toUpperCase();

const g = useRecordingGraphQL(w);

const run = (query: string, variables?: Record<string, unknown>) => g.query(query, variables);

describe('mirrorCounts', () => {
  it('counts the live objects of every type as the simulator has them, in one statement', async () => {
    const { data, statements: sql } = await run('{ mirrorCounts { type live deleted } }');
    expect(sql).toHaveLength(1);
    expect(data.mirrorCounts.map((c: any) => c.type)).toEqual(RESOURCE_TYPES.map(upper));
    const simCounts = w.f.sim.counts();
    for (const type of RESOURCE_TYPES) {
      expect(data.mirrorCounts.find((c: any) => c.type === upper(type)), type).toEqual({ type: upper(type), live: simCounts[type] ?? 0, deleted: 0 });
    }
  });

  it('moves a deleted object from live to deleted, and counts a new one', async () => {
    const before = (await w.query('{ mirrorCounts { type live deleted } }')).mirrorCounts;
    const lead = [...w.f.sim.objects('lead')][0]!;
    w.f.sim.changes([
      { op: 'delete', type: 'lead', id: lead.id },
      { op: 'create', type: 'deal', data: { name: 'Counted' } },
    ]);
    w.f.sim.flushAcks();
    await w.f.engine().runOnce();
    const after = (await w.query('{ mirrorCounts { type live deleted } }')).mirrorCounts;
    const of = (list: any[], type: string) => list.find((c) => c.type === type);
    expect(of(after, 'LEAD')).toEqual({ type: 'LEAD', live: of(before, 'LEAD').live - 1, deleted: of(before, 'LEAD').deleted + 1 });
    expect(of(after, 'DEAL')).toEqual({ type: 'DEAL', live: of(before, 'DEAL').live + 1, deleted: of(before, 'DEAL').deleted });
  });
});

describe('changeHistory', () => {
  it('gives one bucket per minute, oldest first, ending with the current minute, in one statement', async () => {
    const { data, statements: sql } = await run('{ changeHistory(minutes: 5) { minute created updated deleted } }');
    expect(sql).toHaveLength(1);
    const minutes = data.changeHistory.map((b: any) => Date.parse(b.minute));
    expect(minutes).toHaveLength(5);
    minutes.slice(1).forEach((m: number, i: number) => expect(m - minutes[i]).toBe(60_000));
    const now = Math.floor(Date.now() / 60_000) * 60_000;
    expect(minutes.at(-1)).toBeGreaterThanOrEqual(now - 60_000);
    expect(minutes.at(-1)).toBeLessThanOrEqual(now);
  });

  it('counts every change event of the window by kind', async () => {
    const data = await w.query('{ changeHistory(minutes: 60) { created updated deleted } }');
    const sum = (kind: 'created' | 'updated' | 'deleted') => data.changeHistory.reduce((n: number, b: any) => n + b[kind], 0);
    const rows = await w.f.prisma.$queryRaw<Array<{ kind: string; n: number }>>`
      SELECT kind::text AS kind, count(*)::int AS n FROM change_events WHERE occurred_at >= date_trunc('minute', now()) - interval '59 minutes' GROUP BY kind`;
    const expected = Object.fromEntries(rows.map((r) => [r.kind, r.n]));
    expect(sum('created')).toBe(expected.CREATED ?? 0);
    expect(sum('updated')).toBe(expected.UPDATED ?? 0);
    expect(sum('deleted')).toBe(expected.DELETED ?? 0);
    // The initial sync created every object: the window holds at least those.
    expect(sum('created')).toBeGreaterThanOrEqual(600);
  });

  it('defaults to an hour and keeps minutes within 1 to 1440', async () => {
    const data = await w.query('{ hour: changeHistory { minute } one: changeHistory(minutes: 0) { minute } day: changeHistory(minutes: 100000) { minute } }');
    expect(data.hour).toHaveLength(60);
    expect(data.one).toHaveLength(1);
    expect(data.day).toHaveLength(1440);
  });
});

describe('latestChangeCursor', () => {
  it('is the cursor of the latest change', async () => {
    const { data, statements: sql } = await run('{ latestChangeCursor }');
    expect(sql).toHaveLength(1);
    const [row] = await w.f.prisma.$queryRaw<Array<{ seq: string }>>`SELECT max(seq)::text AS seq FROM change_events`;
    expect(data.latestChangeCursor).toBe(row!.seq);
  });
});
