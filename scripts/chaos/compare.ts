// The chaos run's verdict, counted rather than asserted: the mirror against the simulator's
// truth, the change log against the changes the mirror really went through, and what a
// subscriber received against the change log.
import type pg from 'pg';
import { isResourceType, TABLES } from '../../src/resource-types.ts';
import type { SimObject } from '../../src/simulator/index.ts';

export interface MirrorComparison {
  /** Live objects upstream. */
  objects: number;
  /** Live upstream, neither live in the mirror nor kept as a rejected item. */
  missing: number;
  /** Live in both, at another revision. */
  stale: number;
  /** Live in the mirror, deleted upstream. */
  resurrected: number;
  /** Rows of rejected_items (0 where the table does not exist). */
  rejected: number;
  /** A few examples of each problem. */
  examples: string[];
}

/** Objects Postgres refused, kept in rejected_items (a table another change adds): `type:id` keys, if its columns tell. */
async function rejectedItems(client: pg.Client): Promise<{ count: number; keys: Set<string> }> {
  const { rows: exists } = await client.query<{ table: string | null }>(`SELECT to_regclass('rejected_items')::text AS table`);
  if (!exists[0]?.table) return { count: 0, keys: new Set() };
  const { rows: columns } = await client.query<{ name: string }>(`SELECT column_name AS name FROM information_schema.columns WHERE table_name = 'rejected_items'`);
  const names = new Set(columns.map((c) => c.name));
  const id = ['base_id', 'id'].find((c) => names.has(c));
  if (!names.has('type') || !id) {
    const { rows } = await client.query<{ n: number }>('SELECT count(*)::int AS n FROM rejected_items');
    return { count: rows[0]!.n, keys: new Set() };
  }
  const { rows } = await client.query<{ key: string }>(`SELECT type || ':' || "${id}"::text AS key FROM rejected_items`);
  return { count: rows.length, keys: new Set(rows.map((r) => r.key)) };
}

export async function compareMirror(client: pg.Client, truth: Iterable<SimObject>): Promise<MirrorComparison> {
  const upstream = new Map<string, number>();
  for (const object of truth) upstream.set(`${object.type}:${object.id}`, object.revision);
  const mirror = new Map<string, number>();
  for (const [type, table] of Object.entries(TABLES)) {
    const { rows } = await client.query<{ id: string; revision: string }>(`SELECT id::text, revision::text FROM "${table}" WHERE deleted_at IS NULL AND id IS NOT NULL`);
    for (const row of rows) mirror.set(`${type}:${row.id}`, Number(row.revision));
  }
  const { rows: others } = await client.query<{ type: string; id: string; revision: string }>(`SELECT type, id::text, revision::text FROM other_resources WHERE deleted_at IS NULL`);
  for (const row of others) mirror.set(`${row.type}:${row.id}`, Number(row.revision));
  const rejected = await rejectedItems(client);

  const result: MirrorComparison = { objects: upstream.size, missing: 0, stale: 0, resurrected: 0, rejected: rejected.count, examples: [] };
  const example = (text: string) => result.examples.length < 20 && result.examples.push(text);
  for (const [key, revision] of upstream) {
    const stored = mirror.get(key);
    if (stored === undefined) {
      if (!rejected.keys.has(key)) {
        result.missing++;
        example(`missing ${key} (revision ${revision})`);
      }
    } else if (stored !== revision) {
      result.stale++;
      example(`stale ${key}: revision ${stored}, upstream ${revision}`);
    }
  }
  for (const key of mirror.keys()) {
    if (!upstream.has(key)) {
      result.resurrected++;
      example(`resurrected ${key}: live in the mirror, deleted upstream`);
    }
  }
  return result;
}

export interface ChangeLogCheck {
  events: number;
  /** Events that repeat a change (CREATED while live, UPDATED to no newer revision, DELETED while gone). */
  duplicated: number;
  /** Stored objects whose last event does not tell their state. */
  missing: number;
  examples: string[];
}

/** The change log holds one row per real change: per object, a valid sequence ending in the stored state. */
export async function checkChangeLog(client: pg.Client): Promise<ChangeLogCheck> {
  const { rows } = await client.query<{ type: string; id: string; kind: string; revision: string }>(
    'SELECT type, resource_id::text AS id, kind::text, revision::text FROM change_events ORDER BY seq',
  );
  const state = new Map<string, { live: boolean; revision: bigint }>();
  const result: ChangeLogCheck = { events: rows.length, duplicated: 0, missing: 0, examples: [] };
  const example = (text: string) => result.examples.length < 20 && result.examples.push(text);
  for (const event of rows) {
    const key = `${event.type}:${event.id}`;
    const before = state.get(key);
    const revision = BigInt(event.revision);
    const valid =
      event.kind === 'CREATED'
        ? !before?.live && (!before || revision > before.revision)
        : event.kind === 'UPDATED'
          ? before?.live === true && revision > before.revision
          : before?.live === true;
    if (!valid) {
      result.duplicated++;
      example(`${event.kind} of ${key} at revision ${revision} after ${before ? `${before.live ? 'live' : 'deleted'} ${before.revision}` : 'nothing'}`);
    }
    state.set(key, event.kind === 'DELETED' ? { live: false, revision: before?.revision ?? revision } : { live: true, revision });
  }
  for (const [type, table] of Object.entries(TABLES)) {
    const { rows: stored } = await client.query<{ id: string; revision: string; live: boolean }>(
      `SELECT id::text, revision::text, deleted_at IS NULL AS live FROM "${table}" WHERE id IS NOT NULL`,
    );
    for (const row of stored) {
      const last = state.get(`${type}:${row.id}`);
      if (!last || last.live !== row.live || last.revision.toString() !== row.revision) {
        result.missing++;
        example(`${type}:${row.id} stored (${row.live ? 'live' : 'deleted'}, revision ${row.revision}) but its events say ${last ? `${last.live ? 'live' : 'deleted'} ${last.revision}` : 'nothing'}`);
      }
    }
  }
  return result;
}

/** What a subscriber to every change received, against the log: events of types with a table. */
export async function checkSubscriber(client: pg.Client, seen: readonly string[]): Promise<{ missing: number; duplicated: number }> {
  const { rows } = await client.query<{ cursor: string }>('SELECT seq::text AS cursor FROM change_events WHERE type = ANY($1) ORDER BY change_events.seq', [
    Object.keys(TABLES).filter(isResourceType),
  ]);
  const received = new Set(seen);
  return { missing: rows.filter((r) => !received.has(r.cursor)).length, duplicated: seen.length - received.size };
}
