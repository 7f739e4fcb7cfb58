// Builds the one SQL statement that applies a page. Each part (upserts or deletes of one
// type) is a pair of data-modifying CTEs reading its rows from a jsonb parameter; their
// change events are inserted together, and NOTIFY wakes listeners when the transaction
// commits. Every part reads its rows only once `bsg_page_begin` (see the sync_leadership
// migration) has run: change-event writers one at a time, and the writer's fence. The text depends only on which parts a page has, so it is built once per shape,
// and prepared once per connection: planning it costs about as much as a third of running it.
import { PREPARED } from '../db/client.ts';
import { TABLES, type ResourceType } from '../resource-types.ts';
import { CHANGE_CHANNEL } from './change-log.ts';
import { COLUMNS, type ColumnKind } from './columns.ts';

/** The SQLSTATE of a page refused because its writer no longer leads the device (raised by bsg_page_begin). */
export const FENCED_SQLSTATE = 'BSG01';

export type PagePart =
  | { op: 'upsert'; type: ResourceType }
  | { op: 'delete'; type: ResourceType }
  /** Associated contacts, upserts and deletes in one part: `[{pos, deleted, id?, deal_id, contact_id, ...}]`. */
  | { op: 'associated-contacts' }
  | { op: 'upsert-other' }
  | { op: 'delete-other' }
  /** The session's progress in sync_state: `{device, items, count_left, items_per_second}`. */
  | { op: 'progress' }
  /** Objects Base reported it could not read: `[{type, id}]`. */
  | { op: 'remember-failed' }
  /** Objects that arrived, no longer failed: `[{type, id}]`. */
  | { op: 'clear-failed' }
  /** Items kept whole instead of stored: `[RejectedRow]`, one per key. */
  | { op: 'reject' }
  /** Objects stored, whose rejected rows a revision at least as new supersedes: `[{key, revision, deleted}]`. */
  | { op: 'clear-rejected' };

/** The SQL type each column kind is read as. */
export const SQL_TYPES: Record<ColumnKind, string> = {
  bigint: 'bigint',
  int: 'integer',
  numeric: 'numeric',
  bool: 'boolean',
  text: 'text',
  timestamptz: 'timestamptz',
  date: 'date',
  jsonb: 'jsonb',
  'text[]': 'text[]',
  'bigint[]': 'bigint[]',
};

const q = (identifier: string) => `"${identifier}"`;
const literal = (value: string) => `'${value.replaceAll("'", "''")}'`;

/** The columns a type's rows are looked up by: the id, and an associated contact's pair (an item may name only that). */
export function keyColumnsOf(type: ResourceType): readonly string[] {
  return type === 'associated_contact' ? ['id', 'deal_id', 'contact_id'] : ['id'];
}

/** The key of `other_resources`. */
export const OTHER_KEY_COLUMNS = ['type', 'id'] as const;

/** The columns of a type's rows as a page's parameter carries them, with their SQL types. */
const rowColumns = (type: ResourceType) => [
  ['id', 'bigint'] as const,
  ...COLUMNS[type].map(([name, kind]) => [name, SQL_TYPES[kind]] as const),
  ['revision', 'bigint'] as const,
  ['raw', 'jsonb'] as const,
  ['raw_text', 'text'] as const,
];

const recordColumns = (columns: ReadonlyArray<readonly [string, string]>) => columns.map(([name, sqlType]) => `${q(name)} ${sqlType}`).join(', ');

/** The condition every part's rows wait on: nothing is written before the page has begun. */
const BEGUN = '(SELECT "ok" FROM "page_begin")';

/**
 * The revision-guarded upsert of the rows of CTE `source` (one per id), and its events: a new
 * row, or a tombstone brought back by a newer revision, is CREATED; a live row changed, UPDATED.
 */
function guardedUpsert(type: ResourceType, n: number, source: string): { ctes: string[]; events: string } {
  const table = q(TABLES[type]);
  const names = rowColumns(type).map(([name]) => q(name));
  return {
    ctes: [
      // The state before this statement: a CTE sees the snapshot the statement started with.
      // One key lookup per incoming row (LIMIT keeps the planner from turning it into a join
      // that scans the table). The statement is prepared: statistics.ts keeps its cached plan
      // made for the table's size, so that a lookup stays an index lookup as the table grows.
      `old${n} AS (SELECT o.* FROM ${source} i CROSS JOIN LATERAL (SELECT o."id", o."deleted_at" FROM ${table} o WHERE o."id" = i."id" LIMIT 1) o)`,
      `w${n} AS (INSERT INTO ${table} AS t (${names.join(', ')}, "deleted_at", "synced_at")
        SELECT ${names.join(', ')}, NULL, now() FROM ${source}
        ON CONFLICT ("id") DO UPDATE SET ${[...names, '"deleted_at"', '"synced_at"'].map((c) => `${c} = EXCLUDED.${c}`).join(', ')}
        WHERE t."revision" < EXCLUDED."revision"
        RETURNING t."id", t."revision")`,
    ],
    events: `SELECT ${literal(type)}, w."id", CASE WHEN o."id" IS NULL OR o."deleted_at" IS NOT NULL THEN 'CREATED' ELSE 'UPDATED' END::change_kind, w."revision"
      FROM w${n} w LEFT JOIN old${n} o ON o."id" = w."id"`,
  };
}

function upsert(type: ResourceType, n: number, param: number): { ctes: string[]; events: string } {
  const written = guardedUpsert(type, n, `in${n}`);
  return {
    ctes: [`in${n} AS (SELECT * FROM jsonb_to_recordset($${param}::jsonb) AS x(${recordColumns(rowColumns(type))}) WHERE ${BEGUN})`, ...written.ctes],
    events: written.events,
  };
}

/**
 * Associated contacts, keyed by their id like every type. An item that comes without an id
 * names the association the mirror holds on its (deal_id, contact_id) pair: a delete, every live
 * one there; an upsert, the live one, else the newest tombstone there, else a new row under a
 * placeholder id (negative, below every id there is: Base's ids are positive). Upserts and
 * deletes are resolved together, so that a row two items of the page name is written once (by
 * the later), and each change event carries the id of the row it changed.
 */
function associatedContacts(n: number, param: number): { ctes: string[]; events: string } {
  const type = 'associated_contact';
  const table = q(TABLES[type]);
  const columns = rowColumns(type);
  const samePair = `o."deal_id" = i."deal_id" AND o."contact_id" = i."contact_id"`;
  const upserted = guardedUpsert(type, n, `up${n}`);
  return {
    ctes: [
      `in${n} AS (SELECT * FROM jsonb_to_recordset($${param}::jsonb) AS x("pos" integer, "deleted" boolean, ${recordColumns(columns)}) WHERE ${BEGUN})`,
      `named${n} AS (
        SELECT i.*, i."id" AS "key" FROM in${n} i WHERE i."id" IS NOT NULL
        UNION ALL
        SELECT i.*, o."id" FROM in${n} i JOIN ${table} o ON ${samePair} AND o."deleted_at" IS NULL WHERE i."id" IS NULL AND i."deleted"
        UNION ALL
        SELECT i.*, COALESCE(o."id", (SELECT LEAST(min(p."id"), 0) FROM ${table} p) - row_number() OVER (ORDER BY i."pos"))
        FROM in${n} i LEFT JOIN LATERAL (
          SELECT o."id" FROM ${table} o WHERE ${samePair} ORDER BY o."deleted_at" IS NULL DESC, o."revision" DESC LIMIT 1
        ) o ON true
        WHERE i."id" IS NULL AND NOT i."deleted")`,
      `keyed${n} AS (SELECT DISTINCT ON ("key") * FROM named${n} ORDER BY "key", "pos" DESC)`,
      `up${n} AS (SELECT "key" AS "id", ${columns.slice(1).map(([name]) => q(name)).join(', ')} FROM keyed${n} WHERE NOT "deleted")`,
      ...upserted.ctes,
      // Only a live row is tombstoned: deleting what we never had, or twice, changes nothing.
      `d${n} AS (UPDATE ${table} t SET "deleted_at" = now(), "synced_at" = now() FROM keyed${n} k
        WHERE k."deleted" AND t."id" = k."key" AND t."deleted_at" IS NULL RETURNING t."id", t."revision")`,
    ],
    events: `${upserted.events}
      UNION ALL SELECT ${literal(type)}, d."id", 'DELETED'::change_kind, d."revision" FROM d${n} d`,
  };
}

function remove(type: ResourceType, n: number, param: number): { ctes: string[]; events: string } {
  const table = q(TABLES[type]);
  return {
    ctes: [
      `in${n} AS (SELECT * FROM jsonb_to_recordset($${param}::jsonb) AS x("id" bigint) WHERE ${BEGUN})`,
      // Only a live row is tombstoned: deleting what we never had, or twice, changes nothing.
      `w${n} AS (UPDATE ${table} t SET "deleted_at" = now(), "synced_at" = now() FROM in${n} i
        WHERE t."id" = i."id" AND t."deleted_at" IS NULL RETURNING t."id", t."revision")`,
    ],
    events: `SELECT ${literal(type)}, w."id", 'DELETED'::change_kind, w."revision" FROM w${n} w`,
  };
}

function upsertOther(n: number, param: number): { ctes: string[]; events: string } {
  return {
    ctes: [
      `in${n} AS (SELECT * FROM jsonb_to_recordset($${param}::jsonb) AS x("type" text, "id" bigint, "revision" bigint, "raw" jsonb, "raw_text" text) WHERE ${BEGUN})`,
      `old${n} AS (SELECT o.* FROM in${n} i CROSS JOIN LATERAL (SELECT o."type", o."id", o."deleted_at" FROM "other_resources" o WHERE o."type" = i."type" AND o."id" = i."id" LIMIT 1) o)`,
      `w${n} AS (INSERT INTO "other_resources" AS t ("type", "id", "revision", "raw", "raw_text", "deleted_at", "synced_at")
        SELECT "type", "id", "revision", "raw", "raw_text", NULL, now() FROM in${n}
        ON CONFLICT ("type", "id") DO UPDATE SET "revision" = EXCLUDED."revision", "raw" = EXCLUDED."raw", "raw_text" = EXCLUDED."raw_text", "deleted_at" = NULL, "synced_at" = now()
        WHERE t."revision" < EXCLUDED."revision"
        RETURNING t."type", t."id", t."revision")`,
    ],
    events: `SELECT w."type", w."id", CASE WHEN o."id" IS NULL OR o."deleted_at" IS NOT NULL THEN 'CREATED' ELSE 'UPDATED' END::change_kind, w."revision"
      FROM w${n} w LEFT JOIN old${n} o ON o."type" = w."type" AND o."id" = w."id"`,
  };
}

function removeOther(n: number, param: number): { ctes: string[]; events: string } {
  return {
    ctes: [
      `in${n} AS (SELECT * FROM jsonb_to_recordset($${param}::jsonb) AS x("type" text, "id" bigint) WHERE ${BEGUN})`,
      `w${n} AS (UPDATE "other_resources" t SET "deleted_at" = now(), "synced_at" = now() FROM in${n} i
        WHERE t."type" = i."type" AND t."id" = i."id" AND t."deleted_at" IS NULL RETURNING t."type", t."id", t."revision")`,
    ],
    events: `SELECT w."type", w."id", 'DELETED'::change_kind, w."revision" FROM w${n} w`,
  };
}

function progress(n: number, param: number): { ctes: string[] } {
  return {
    ctes: [
      `p${n} AS (UPDATE "sync_state" s SET
        "items_synced" = s."items_synced" + (x."items")::bigint,
        "pages_fetched" = s."pages_fetched" + 1,
        "count_left" = COALESCE((x."count_left")::bigint, s."count_left"),
        "items_per_second" = (x."items_per_second")::float8,
        "state" = 'syncing',
        "last_progress_at" = now(),
        "updated_at" = now()
        FROM jsonb_to_record($${param}::jsonb) AS x("device" uuid, "items" bigint, "count_left" bigint, "items_per_second" float8)
        WHERE s."device_uuid" = x."device" AND ${BEGUN})`,
    ],
  };
}

function rememberFailed(n: number, param: number): { ctes: string[] } {
  return {
    ctes: [
      `f${n} AS (INSERT INTO "failed_objects" ("type", "id")
        SELECT "type", "id" FROM jsonb_to_recordset($${param}::jsonb) AS x("type" text, "id" bigint) WHERE ${BEGUN}
        ON CONFLICT ("type", "id") DO UPDATE SET "last_reported_at" = now())`,
    ],
  };
}

function clearFailed(n: number, param: number): { ctes: string[] } {
  return {
    ctes: [
      `c${n} AS (DELETE FROM "failed_objects" f USING jsonb_to_recordset($${param}::jsonb) AS a("type" text, "id" bigint)
        WHERE f."type" = a."type" AND f."id" = a."id" AND ${BEGUN})`,
    ],
  };
}

function reject(n: number, param: number): { ctes: string[] } {
  return {
    ctes: [
      // One row per object: a newer (or equal) revision replaces an older one; received_at is when this very text first came.
      `r${n} AS (INSERT INTO "rejected_items" AS t ("key", "type", "base_id", "revision", "ack_key", "error", "raw_text", "received_at")
        SELECT "key", "type", "base_id", "revision", "ack_key", "error", "raw_text", now()
        FROM jsonb_to_recordset($${param}::jsonb) AS x("key" text, "type" text, "base_id" text, "revision" bigint, "ack_key" text, "error" text, "raw_text" text)
        WHERE ${BEGUN}
        ON CONFLICT ("key") DO UPDATE SET "type" = EXCLUDED."type", "base_id" = EXCLUDED."base_id", "revision" = EXCLUDED."revision",
          "ack_key" = EXCLUDED."ack_key", "error" = EXCLUDED."error", "raw_text" = EXCLUDED."raw_text",
          "received_at" = CASE WHEN t."raw_text" = EXCLUDED."raw_text" THEN t."received_at" ELSE now() END
        WHERE t."revision" IS NULL OR EXCLUDED."revision" IS NULL OR t."revision" <= EXCLUDED."revision")`,
    ],
  };
}

function clearRejected(n: number, param: number): { ctes: string[] } {
  return {
    ctes: [
      // Stored at a revision at least as new, or deleted since: the rejected state is superseded.
      `x${n} AS (DELETE FROM "rejected_items" r USING jsonb_to_recordset($${param}::jsonb) AS s("key" text, "revision" bigint, "deleted" boolean)
        WHERE r."key" = s."key" AND (s."deleted" OR r."revision" IS NULL OR r."revision" <= s."revision") AND ${BEGUN})`,
    ],
  };
}

/**
 * The statement for a page made of `parts`, taking one jsonb parameter per part, in order, then
 * the page's fence `{device, epoch}` (both null for an unfenced writer): a page whose writer no
 * longer leads its device fails with SQLSTATE {@link FENCED_SQLSTATE} and writes nothing.
 * One statement is one transaction: data, change events and bookkeeping commit together.
 * It answers one row: how many change events it wrote, the newest `seq`, and the count per
 * type and kind.
 */
export function pageStatement(parts: readonly PagePart[]): string {
  const built = parts.map((part, i) => {
    const n = i + 1;
    switch (part.op) {
      case 'upsert':
        return upsert(part.type, n, n);
      case 'delete':
        return remove(part.type, n, n);
      case 'associated-contacts':
        return associatedContacts(n, n);
      case 'upsert-other':
        return upsertOther(n, n);
      case 'delete-other':
        return removeOther(n, n);
      case 'progress':
        return progress(n, n);
      case 'remember-failed':
        return rememberFailed(n, n);
      case 'clear-failed':
        return clearFailed(n, n);
      case 'reject':
        return reject(n, n);
      case 'clear-rejected':
        return clearRejected(n, n);
    }
  });
  const events = built.flatMap((b) => ('events' in b ? [b.events] : []));
  // A page with no objects (all invalid, or only bookkeeping) still answers its one row.
  if (events.length === 0) events.push(`SELECT NULL::text, NULL::bigint, NULL::change_kind, NULL::bigint WHERE false`);
  const fence = parts.length + 1;
  return `${PREPARED}WITH page_begin AS (SELECT bsg_page_begin(b."device", b."epoch") AS "ok" FROM jsonb_to_record($${fence}::jsonb) AS b("device" uuid, "epoch" bigint)),
${built.flatMap((b) => b.ctes).join(',\n')},
events AS (INSERT INTO "change_events" ("type", "resource_id", "kind", "revision")
  ${events.join('\n  UNION ALL ')}
  RETURNING "seq", "type", "kind")
SELECT count(*)::int AS events, max("seq")::text AS last_seq,
  CASE WHEN count(*) > 0 THEN pg_notify(${literal(CHANGE_CHANNEL)}, max("seq")::text) IS NULL END AS notified,
  (SELECT COALESCE(json_agg(c), '[]') FROM (SELECT "type", "kind", count(*)::int AS "count" FROM events GROUP BY 1, 2) c) AS changes
FROM events`;
}
