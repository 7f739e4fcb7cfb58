// What the mirror knows of leads', contacts' and deals' custom fields, in `custom_fields`:
// Base's definitions when they could be read, merged with what the synced values say (how many
// objects carry each field, and what its values look like). One statement per type reads the
// values in the database (never item by item during the sync) and rewrites the type's rows.
// Number and date fields then get an expression index each, so that comparisons and ordering on
// them read an index rather than the table.
import { createHash } from 'node:crypto';
import pg from 'pg';
import type { PrismaClient } from '../db/client.ts';
import { TABLES } from '../resource-types.ts';

/** The resource types with custom fields. */
export const CUSTOM_FIELD_TYPES = ['lead', 'contact', 'deal'] as const;
export type CustomFieldOwner = (typeof CUSTOM_FIELD_TYPES)[number];

/** A definition as Base's REST API gives it (only what discovery reads; kept whole in `definition`). */
export interface BaseCustomFieldDefinition {
  id?: number | string;
  name: string;
  type: string;
  [field: string]: unknown;
}

/**
 * The definitions to merge: those just read from Base, `unreadable` when the token may not
 * read them (fields then come from values alone), or `stored` to keep those of the last read
 * (when reading failed for now).
 */
export type DefinitionsInput = { read: readonly BaseCustomFieldDefinition[] } | 'unreadable' | 'stored';

/** A row of `custom_fields` as discovery leaves it. */
export interface DiscoveredField {
  name: string;
  type: string;
  source: 'definitions' | 'values';
  objects: number;
  valueTypes: string[];
}

// The type a field's values say: the one kind they share (dates with date-times are date-times),
// else mixed.
const INFERRED = `CASE
  WHEN cardinality(s.kinds) = 1 THEN s.kinds[1]
  WHEN s.kinds = ARRAY['date', 'datetime'] THEN 'datetime'
  ELSE 'mixed' END`;

function discoveryStatement(type: CustomFieldOwner): string {
  const table = `"${TABLES[type]}"`;
  return `WITH stats AS (
    SELECT e.key AS name, count(*)::int AS objects, array_agg(DISTINCT bsg_cf_kind(e.value) ORDER BY bsg_cf_kind(e.value)) AS kinds
    FROM ${table} o, jsonb_each(CASE WHEN jsonb_typeof(o.custom_fields) = 'object' THEN o.custom_fields ELSE '{}' END) AS e(key, value)
    WHERE o.deleted_at IS NULL AND jsonb_typeof(e.value) <> 'null'
    GROUP BY e.key
  ),
  defs AS (
    SELECT x.name, x.type, x.id AS base_id, x.definition FROM jsonb_to_recordset(coalesce($2::jsonb, '[]')) AS x(name text, type text, id bigint, definition jsonb)
    UNION ALL
    SELECT c.name, c.type, c.base_id, c.definition FROM custom_fields c WHERE $2::jsonb IS NULL AND c.resource_type = $1 AND c.source = 'definitions'
  ),
  merged AS (
    SELECT coalesce(d.name, s.name) AS name,
           CASE WHEN d.name IS NOT NULL THEN d.type ELSE ${INFERRED} END AS type,
           CASE WHEN d.name IS NOT NULL THEN 'definitions' ELSE 'values' END AS source,
           coalesce(s.objects, 0) AS objects, coalesce(s.kinds, '{}') AS value_types, d.base_id, d.definition
    FROM defs d FULL JOIN stats s ON s.name = d.name
  ),
  saved AS (
    INSERT INTO custom_fields AS c (resource_type, name, type, source, objects, value_types, base_id, definition)
    SELECT $1, name, type, source, objects, value_types, base_id, definition FROM merged
    ON CONFLICT (resource_type, name) DO UPDATE SET type = EXCLUDED.type, source = EXCLUDED.source, objects = EXCLUDED.objects,
      value_types = EXCLUDED.value_types, base_id = EXCLUDED.base_id, definition = EXCLUDED.definition, updated_at = now()
    WHERE (c.type, c.source, c.objects, c.value_types, c.base_id, c.definition) IS DISTINCT FROM
          (EXCLUDED.type, EXCLUDED.source, EXCLUDED.objects, EXCLUDED.value_types, EXCLUDED.base_id, EXCLUDED.definition)
  ),
  gone AS (
    DELETE FROM custom_fields c WHERE c.resource_type = $1 AND NOT EXISTS (SELECT 1 FROM merged m WHERE m.name = c.name)
  )
  SELECT name, type, source, objects, value_types AS "valueTypes" FROM merged ORDER BY name`;
}

/**
 * Rewrites the custom fields of `type` from the values in its table and `definitions`; answers
 * them. Fields that neither Base defines nor any live object carries are forgotten.
 */
export async function discoverCustomFields(prisma: PrismaClient, type: CustomFieldOwner, definitions: DefinitionsInput): Promise<DiscoveredField[]> {
  const defs =
    definitions === 'stored' ? null
    : definitions === 'unreadable' ? []
    : definitions.read.map((d) => ({ name: d.name, type: d.type, id: d.id === undefined ? null : String(d.id), definition: d }));
  return prisma.$queryRawUnsafe<DiscoveredField[]>(discoveryStatement(type), type, defs === null ? null : JSON.stringify(defs));
}

/** Expression indexes per table at most: each costs a little on every write of the table. */
const MAX_FIELD_INDEXES = 12;

/** The expression an index on a field uses; queries must compare the very same expression. */
export function indexedExpression(kind: 'number' | 'time', column: string, name: string): string {
  return `bsg_cf_${kind}(${column} -> ${sqlLiteral(name)})`;
}

/** A SQL string literal, whatever standard_conforming_strings says (pg's own escaping). */
export const sqlLiteral = (text: string): string => pg.escapeLiteral(text);

const indexName = (table: string, kind: 'number' | 'time', name: string) =>
  `${table}_cf_${kind === 'number' ? 'n' : 't'}_${createHash('sha1').update(name).digest('hex').slice(0, 16)}`;

/**
 * Gives the number and date fields of `type` (the most used first, a dozen at most) an expression
 * index each, and drops those of fields that are gone or changed type. Built CONCURRENTLY, so the
 * sync keeps writing meanwhile; one left invalid by a failed build is rebuilt.
 */
export async function reconcileCustomFieldIndexes(prisma: PrismaClient, type: CustomFieldOwner, fields: readonly DiscoveredField[]): Promise<{ created: string[]; dropped: string[] }> {
  const table = TABLES[type];
  const wanted = new Map<string, string>();
  const indexable = fields
    .filter((f) => f.objects > 0 && (f.type === 'number' || f.type === 'date' || f.type === 'datetime'))
    .sort((a, b) => b.objects - a.objects || a.name.localeCompare(b.name))
    .slice(0, MAX_FIELD_INDEXES);
  for (const field of indexable) {
    const kind = field.type === 'number' ? 'number' : 'time';
    wanted.set(indexName(table, kind, field.name), indexedExpression(kind, '"custom_fields"', field.name));
  }
  const existing = await prisma.$queryRawUnsafe<Array<{ name: string; valid: boolean }>>(
    `SELECT c.relname AS name, i.indisvalid AS valid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
     WHERE i.indrelid = $1::regclass AND c.relname LIKE $2`,
    table,
    `${table}\\_cf\\_%`,
  );
  const created: string[] = [];
  const dropped: string[] = [];
  for (const { name, valid } of existing) {
    if (wanted.has(name) && valid) {
      wanted.delete(name);
      continue;
    }
    await prisma.$executeRawUnsafe(`DROP INDEX CONCURRENTLY IF EXISTS "${name}"`);
    if (!wanted.has(name)) dropped.push(name);
  }
  for (const [name, expression] of wanted) {
    await prisma.$executeRawUnsafe(`CREATE INDEX CONCURRENTLY IF NOT EXISTS "${name}" ON "${table}" ((${expression}))`);
    created.push(name);
  }
  return { created, dropped };
}
