// Pure mapping from Sync API items to table rows: every typed value checked against what
// Postgres accepts for its column (a value that does not fit is NULL there; it stays in `raw`),
// the payload kept whole. An item that names no object, or is not a well-formed item, is kept
// whole as a rejected item. One odd value must never block a page, and nothing received is lost.
import { createHash } from 'node:crypto';
import { isResourceType, type ResourceType } from '../resource-types.ts';
import { COLUMNS, type ColumnKind } from './columns.ts';
import {
  fitsNumeric,
  holdsExactNumber,
  int8Of,
  integerOf,
  isExactNumber,
  isStorableJson,
  isStorableString,
  memberSpans,
  numberText,
  storableJson,
  stringifyJson,
  wholeSpan,
  type JsonTraits,
} from './exact-json.ts';

/** One object from the stream, as the store needs it. */
export interface StoreItem {
  /** `meta.type`, e.g. `lead`. */
  type: string;
  /** The payload, as received ({@link ExactNumber}s where the page was parsed exactly). */
  data: Record<string, unknown>;
  /** `meta.sync.revision`: a number, or its digits when past 2^53. */
  revision: number | string;
  /** The item is an instruction to delete (`event_type` deleted): `data` holds only `id`. */
  deleted: boolean;
  /** `meta.sync.ack_key`, kept with a rejected item. */
  ackKey?: string;
  /** The item's JSON text exactly as received; found only when needed (default: the item re-serialized). */
  text?: () => string;
  /** Why the item is not a well-formed Sync API item: it is stored as a rejected item. */
  malformed?: string;
  /** What its page's text holds that needs care (default: anything, so everything is checked). */
  json?: JsonTraits;
}

/** An item kept whole in `rejected_items`, as the writer inserts it. */
export interface RejectedRow {
  /** The object it names (`lead:42`), else its ack key or a digest of its text: one row per object. */
  key: string;
  type: string | null;
  /** The id as received (digits, or the string), when it is one. */
  base_id: string | null;
  revision: number | string | null;
  ack_key: string | null;
  error: string;
  /** The item's JSON text exactly as received. */
  raw_text: string;
}

/** An object a page stores (upserted or deleted): it clears the object's rejected row. */
export interface StoredKey {
  key: string;
  revision: number | string;
  deleted: boolean;
}

/** A page split by what the writer does with it, each object at most once. */
export interface PagePlan {
  upserts: Map<ResourceType, Record<string, unknown>[]>;
  /** Ids to tombstone (int8: a number, or digits). */
  deletes: Map<ResourceType, (number | string)[]>;
  /**
   * Associated contacts, upserts and deletes together, in page order (`pos`), flagged `deleted`:
   * an item may name one by its pair only, which the statement resolves (see page-sql.ts).
   */
  associations: Record<string, unknown>[];
  others: { type: string; id: number | string; revision: number | string; raw: unknown; raw_text: string | null; deleted: boolean }[];
  /** Items kept whole in rejected_items instead (malformed, or naming no object). */
  rejected: RejectedRow[];
  /** Every object stored, with its key. */
  stored: StoredKey[];
  /** Ids of the objects stored, for failed_objects. */
  arrived: { type: string; id: number | string }[];
  /** The page holds {@link ExactNumber}s: its parameters are serialized exactly. */
  exact: boolean;
}

const DECIMAL = /^-?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
// RFC 3339 / ISO 8601 extended format with an explicit offset: without one, Postgres would read
// the time in its session's time zone. Fractions past 30 digits are more than Postgres reads.
const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,30})?)?(?:[Zz]|[+-](\d{2})(?::?(\d{2}))?)$/;
const INT4_MIN = -2_147_483_648;
const INT4_MAX = 2_147_483_647;

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function isCalendarDate(year: number, month: number, day: number): boolean {
  if (year < 1 || month < 1 || month > 12 || day < 1) return false;
  if (day <= 28) return true;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return day <= (month === 2 ? (leap ? 29 : 28) : DAYS_IN_MONTH[month - 1]!);
}

/** A strict ISO-8601 timestamp with an offset, on a real calendar date and clock time. */
export function isTimestamp(value: string): boolean {
  const m = TIMESTAMP.exec(value);
  if (!m) return false;
  // Second 60 is a leap second (Postgres takes it); offsets reach ±15:59 in Postgres.
  return (
    isCalendarDate(+m[1]!, +m[2]!, +m[3]!) && +m[4]! <= 23 && +m[5]! <= 59 && (m[6] === undefined || +m[6] <= 60) && (m[7] === undefined || +m[7] <= 15) && (m[8] === undefined || +m[8] <= 59)
  );
}

/**
 * The calendar date a value names, as `YYYY-MM-DD`: a date, or the date part of a timestamp as
 * written (never converted through a time zone, the server's or UTC). Anything else: undefined.
 */
export function calendarDate(value: string): string | undefined {
  const m = DATE.exec(value);
  if (m) return isCalendarDate(Number(m[1]), Number(m[2]), Number(m[3])) ? value : undefined;
  return isTimestamp(value) ? value.slice(0, 10) : undefined;
}

/** Converts one payload value for a column of `kind`; undefined, or a value Postgres would refuse there, becomes null. */
export function columnValue(kind: ColumnKind, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  switch (kind) {
    case 'bigint':
      return int8Of(value) ?? null;
    case 'int': {
      const n = integerOf(value);
      return typeof n === 'number' && n >= INT4_MIN && n <= INT4_MAX ? n : null;
    }
    case 'numeric': {
      // Money stays exact: numbers and numeric strings go to Postgres as text.
      if (typeof value === 'number') return Number.isFinite(value) ? String(value) : null;
      if (isExactNumber(value)) return fitsNumeric(value.value) ? value.value : null;
      if (typeof value !== 'string') return null;
      const text = value.trim();
      return DECIMAL.test(text) && fitsNumeric(text) ? text : null;
    }
    case 'bool':
      return typeof value === 'boolean' ? value : null;
    case 'text':
      if (typeof value === 'string') return isStorableString(value) ? value : null;
      if (typeof value === 'number' || isExactNumber(value)) return numberText(value);
      return typeof value === 'boolean' ? String(value) : null;
    case 'timestamptz':
      return typeof value === 'string' && isTimestamp(value) ? value : null;
    case 'date':
      return typeof value === 'string' ? (calendarDate(value) ?? null) : null;
    case 'jsonb':
      return isStorableJson(value) ? value : null;
    case 'text[]':
      return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string' && isStorableString(v)) : null;
    case 'bigint[]':
      return Array.isArray(value) ? value.map(int8Of).filter((v) => v !== undefined) : null;
  }
}

/** The payload's JSON text: from the item's text as received, else re-serialized. */
function dataText(item: StoreItem): string {
  if (item.text) {
    const text = item.text();
    const span = memberSpans(text, wholeSpan(text)).get('data');
    if (span) return text.slice(span.start, span.end);
  }
  return stringifyJson(item.data, true);
}

/**
 * `raw` and `raw_text` of an item: `raw` is the payload as jsonb can hold it; `raw_text` its text
 * exactly as received when `raw` cannot say it all (a NUL or lone surrogate, there U+FFFD; a
 * number past 2^53, exact in jsonb but not in JavaScript, or past numeric), else null.
 */
function rawOf(item: StoreItem): { raw: unknown; raw_text: string | null; storable: boolean; exact: boolean } {
  const exact = item.json ? item.json.exactNumbers && holdsExactNumber(item.data) : holdsExactNumber(item.data);
  const storable = item.json && !item.json.oddStrings && !exact ? true : isStorableJson(item.data);
  if (storable && !exact) return { raw: item.data, raw_text: null, storable, exact };
  return { raw: storable ? item.data : storableJson(item.data), raw_text: dataText(item), storable, exact };
}

/** The row for a live object of a typed resource, and whether it holds {@link ExactNumber}s. */
function rowOf(type: ResourceType, item: StoreItem): { row: Record<string, unknown>; exact: boolean } {
  const { data } = item;
  const { raw, raw_text, storable, exact } = rawOf(item);
  // An associated contact may come without an id (named by its pair): its id is then absent (NULL).
  const row: Record<string, unknown> = { id: int8Of(data.id), revision: item.revision, raw, raw_text };
  for (const [column, kind, field] of COLUMNS[type]) {
    const value = data[field ?? column];
    // A payload jsonb holds as it is has only storable nested values: no need to walk them again.
    row[column] = kind === 'jsonb' && storable ? (value ?? null) : columnValue(kind, value);
  }
  return { row, exact };
}

/** The row for a live object of a typed resource: every typed column, revision, raw and raw_text. */
export function toRow(type: ResourceType, item: StoreItem): Record<string, unknown> {
  return rowOf(type, item).row;
}

/** The key that identifies an object within a page (and its rejected row); undefined when it names none. */
export function objectKey(item: Pick<StoreItem, 'type' | 'data' | 'deleted'>): string | undefined {
  const { type, data } = item;
  if (!isStorableString(type)) return undefined;
  if (type === 'associated_contact' && data.id === undefined) {
    const deal = int8Of(data.deal_id);
    const contact = int8Of(data.contact_id);
    return deal !== undefined && contact !== undefined ? `${type}:${deal}:${contact}` : undefined;
  }
  const id = int8Of(data.id);
  return id === undefined ? undefined : `${type}:${id}`;
}

/** Why an item that is well-formed still names no object it could be stored as; undefined when it does. */
function namesNoObject(item: StoreItem): string | undefined {
  if (!isStorableString(item.type)) return 'its type is not a name Postgres can store';
  const id = item.data.id;
  // An associated contact is named by its id, or (without one) by its pair.
  if (item.type === 'associated_contact' && id === undefined) {
    return int8Of(item.data.deal_id) === undefined || int8Of(item.data.contact_id) === undefined
      ? 'an associated contact without an id needs deal_id and contact_id (64-bit integers)'
      : undefined;
  }
  if (id === undefined) return 'it has no id';
  return int8Of(id) === undefined ? `its id ${describe(id)} is not a 64-bit integer` : undefined;
}

function describe(value: unknown): string {
  const text = isExactNumber(value) ? value.value : typeof value === 'bigint' ? value.toString() : JSON.stringify(value) ?? String(value);
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}

/** The item's text as received, or (built without one) as re-serialized. */
export function itemText(item: StoreItem): string {
  if (item.text) return item.text();
  const meta = { type: item.type, sync: { event_type: item.deleted ? 'deleted' : 'updated', ack_key: item.ackKey, revision: item.revision } };
  return stringifyJson({ data: item.data, meta }, true);
}

const storableOrNull = (value: unknown): string | null => (typeof value === 'string' && isStorableString(value) ? value : null);

/** The rejected row that keeps an item whole, with why. */
export function rejectedRow(item: StoreItem, error: string): RejectedRow {
  const text = itemText(item);
  const id = item.data.id;
  const integer = integerOf(id);
  const baseId = integer !== undefined ? String(integer) : storableOrNull(id);
  const type = storableOrNull(item.type);
  const ackKey = storableOrNull(item.ackKey);
  const key =
    objectKey(item) ??
    (type !== null && baseId !== null ? `${type}:${baseId}` : ackKey !== null ? `ack:${ackKey}` : `text:${createHash('sha1').update(text).digest('hex')}`);
  const revision = int8Of(item.revision);
  return { key, type, base_id: baseId, revision: revision ?? null, ack_key: ackKey, error, raw_text: text };
}

/**
 * Reduces a page to one item per object (an object named twice keeps its last state: the page
 * order is the queue's order, freshest last), and the rows of the items it keeps whole as
 * rejected (malformed, or naming no object).
 */
export function latestItems(items: readonly StoreItem[]): { objects: StoreItem[]; rejected: RejectedRow[] } {
  const latest = new Map<string, StoreItem>();
  const rejected = new Map<string, RejectedRow>();
  for (const item of items) {
    const problem = item.malformed ?? namesNoObject(item);
    if (problem !== undefined) {
      const row = rejectedRow(item, item.malformed ? `malformed item: ${problem}` : `names no object: ${problem}`);
      rejected.delete(row.key);
      rejected.set(row.key, row);
      continue;
    }
    const key = objectKey(item)!;
    latest.delete(key);
    latest.set(key, item);
  }
  return { objects: [...latest.values()], rejected: [...rejected.values()] };
}

/** Splits objects (one item each, from {@link latestItems}) into upserts, deletes and other types. */
export function planObjects(objects: readonly StoreItem[], rejected: RejectedRow[] = []): PagePlan {
  const plan: PagePlan = { upserts: new Map(), deletes: new Map(), associations: [], others: [], rejected, stored: [], arrived: [], exact: false };
  // An object both stored and kept as rejected by one page (a malformed state of it beside a good
  // one) keeps its rejected row: one statement must not both insert and delete it.
  const rejectedKeys = new Set(rejected.map((r) => r.key));
  for (const item of objects) {
    const id = int8Of(item.data.id);
    const key = objectKey(item)!;
    if (!rejectedKeys.has(key)) plan.stored.push({ key, revision: item.revision, deleted: item.deleted });
    if (id !== undefined) plan.arrived.push({ type: item.type, id });
    if (item.type === 'associated_contact') {
      const pos = plan.associations.length;
      if (item.deleted) {
        const { deal_id, contact_id } = item.data;
        plan.associations.push({ pos, deleted: true, id, deal_id: int8Of(deal_id), contact_id: int8Of(contact_id) });
      } else {
        const { row, exact } = rowOf(item.type, item);
        plan.exact ||= exact;
        plan.associations.push({ pos, deleted: false, ...row });
      }
    } else if (!isResourceType(item.type)) {
      const { raw, raw_text, exact } = item.deleted ? { raw: null, raw_text: null, exact: false } : rawOf(item);
      plan.exact ||= exact;
      plan.others.push({ type: item.type, id: id!, revision: item.revision, raw, raw_text, deleted: item.deleted });
    } else if (item.deleted) {
      push(plan.deletes, item.type, id!);
    } else {
      const { row, exact } = rowOf(item.type, item);
      plan.exact ||= exact;
      push(plan.upserts, item.type, row);
    }
  }
  return plan;
}

/** {@link latestItems} then {@link planObjects}: the whole plan of a page. */
export function planPage(items: readonly StoreItem[]): PagePlan {
  const { objects, rejected } = latestItems(items);
  return planObjects(objects, rejected);
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
