// Pure mapping from Sync API items to table rows: typed columns checked and converted,
// the payload kept whole. A value that does not fit its column becomes NULL there (it
// stays in `raw`): one odd field must never block a page.
import { isResourceType, type ResourceType } from '../db/resource-types.ts';
import { COLUMNS, type ColumnKind } from './columns.ts';

/** One object from the stream, as the store needs it. */
export interface StoreItem {
  /** `meta.type`, e.g. `lead`. */
  type: string;
  /** The payload, as received. */
  data: Record<string, unknown>;
  /** `meta.sync.revision`. */
  revision: number;
  /** The item is an instruction to delete (`event_type` deleted): `data` holds only `id`. */
  deleted: boolean;
}

/** A page split by what the writer does with it, each object at most once. */
export interface PagePlan {
  upserts: Map<ResourceType, Record<string, unknown>[]>;
  /** Ids to tombstone, as received (a JSON number or numeric string). */
  deletes: Map<ResourceType, unknown[]>;
  /**
   * Associated contacts, upserts and deletes together, in page order (`pos`), flagged `deleted`:
   * an item may name one by its pair only, which the statement resolves (see page-sql.ts).
   */
  associations: Record<string, unknown>[];
  others: { type: string; id: unknown; revision: number; raw: Record<string, unknown>; deleted: boolean }[];
}

const BIGINT = /^-?\d{1,19}$/;
const DECIMAL = /^-?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const INT4_MAX = 2_147_483_647;

/** Converts one payload value for a column of `kind`; undefined/invalid become null. */
export function columnValue(kind: ColumnKind, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  switch (kind) {
    case 'bigint':
      return isInteger(value) ? value : null;
    case 'int':
      return isInteger(value) && Math.abs(Number(value)) <= INT4_MAX ? Number(value) : null;
    case 'numeric':
      // Money stays exact: numbers and numeric strings go to Postgres as text.
      if (typeof value === 'number') return Number.isFinite(value) ? String(value) : null;
      return typeof value === 'string' && DECIMAL.test(value.trim()) ? value.trim() : null;
    case 'bool':
      return typeof value === 'boolean' ? value : null;
    case 'text':
      return typeof value === 'string' ? value : typeof value === 'number' || typeof value === 'boolean' ? String(value) : null;
    case 'timestamptz':
      return typeof value === 'string' && !Number.isNaN(Date.parse(value)) ? value : null;
    case 'date':
      if (typeof value !== 'string') return null;
      if (DATE.test(value)) return Number.isNaN(Date.parse(value)) ? null : value;
      return Number.isNaN(Date.parse(value)) ? null : new Date(value).toISOString().slice(0, 10);
    case 'jsonb':
      return value;
    case 'text[]':
      return Array.isArray(value) ? value.filter((v) => typeof v === 'string') : null;
    case 'bigint[]':
      return Array.isArray(value) ? value.filter(isInteger) : null;
  }
}

function isInteger(value: unknown): boolean {
  if (typeof value === 'number') return Number.isSafeInteger(value);
  return typeof value === 'string' && BIGINT.test(value);
}

/** The row for a live object of a typed resource: every typed column, revision and raw. */
export function toRow(type: ResourceType, data: Record<string, unknown>, revision: number): Record<string, unknown> {
  const row: Record<string, unknown> = { id: data.id, revision, raw: data };
  for (const [column, kind, field] of COLUMNS[type]) row[column] = columnValue(kind, data[field ?? column]);
  return row;
}

/** The key that identifies an object within a page: its id, or an associated contact's pair when it comes without one. */
function objectKey(type: string, data: Record<string, unknown>): string | undefined {
  if (type === 'associated_contact' && data.id === undefined) {
    return isInteger(data.deal_id) && isInteger(data.contact_id) ? `${type}:${data.deal_id}:${data.contact_id}` : undefined;
  }
  return isInteger(data.id) ? `${type}:${data.id}` : undefined;
}

/**
 * Splits a page into upserts, deletes and other types. An object named twice keeps its
 * last state (the page order is the queue's order, freshest last). Items that name no
 * object are returned in `invalid` so the caller can log them; they hold nothing to store.
 */
export function planPage(items: readonly StoreItem[]): PagePlan & { invalid: StoreItem[] } {
  const latest = new Map<string, StoreItem>();
  const invalid: StoreItem[] = [];
  for (const item of items) {
    const key = objectKey(item.type, item.data);
    if (key === undefined) invalid.push(item);
    else {
      latest.delete(key);
      latest.set(key, item);
    }
  }
  const plan: PagePlan & { invalid: StoreItem[] } = { upserts: new Map(), deletes: new Map(), associations: [], others: [], invalid };
  for (const item of latest.values()) {
    if (item.type === 'associated_contact') {
      const pos = plan.associations.length;
      const { id, deal_id, contact_id } = item.data;
      plan.associations.push(item.deleted ? { pos, deleted: true, id, deal_id, contact_id } : { pos, deleted: false, ...toRow(item.type, item.data, item.revision) });
    } else if (!isResourceType(item.type)) {
      plan.others.push({ type: item.type, id: item.data.id, revision: item.revision, raw: item.data, deleted: item.deleted });
    } else if (item.deleted) {
      push(plan.deletes, item.type, item.data.id);
    } else {
      push(plan.upserts, item.type, toRow(item.type, item.data, item.revision));
    }
  }
  return plan;
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
