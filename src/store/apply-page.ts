// Applies pages of Sync API items to the mirror: one statement (one transaction) per page,
// set-based, the freshest revision wins, one change event per real change. An item Postgres
// refuses does not block its page: the page is split until the items it refuses are found,
// the rest is committed, and each refused item is kept whole in rejected_items.
import type { PrismaClient } from '../db/client.ts';
import { RESOURCE_TYPES, type ResourceType } from '../resource-types.ts';
import { stringifyJson } from './exact-json.ts';
import { FENCED_SQLSTATE, pageStatement, type PagePart } from './page-sql.ts';
import { latestItems, planObjects, rejectedRow, type PagePlan, type RejectedRow, type StoreItem } from './rows.ts';

export type { RejectedRow, StoreItem };

/** How many changes of one kind a page made to one type (`type` as the stream names it). */
export interface ChangeCount {
  type: string;
  kind: 'CREATED' | 'UPDATED' | 'DELETED';
  count: number;
}

export interface PageResult {
  /** Change events written (real changes). */
  events: number;
  /** Newest change event `seq`, when any was written. */
  lastSeq: bigint | null;
  /** Change events per type and kind. */
  changes: ChangeCount[];
  /** Items kept whole in rejected_items instead of stored as objects (committed with the page). */
  rejected: RejectedRow[];
}

/** Options for {@link applyPage}: bookkeeping that commits with the page. */
export interface PageOptions {
  /** The writer's lead on its device: every statement of the page commits only while `epoch` is still the device's (else {@link FencedError}). */
  fence?: { deviceUuid: string; epoch: bigint };
  /** The sync session's progress, recorded in sync_state. */
  progress?: { deviceUuid: string; items: number; countLeft: number | undefined; itemsPerSecond: number | null };
  /** Objects Base reported in this page's `failed_objects`: remembered with when first and last reported. */
  failedObjects?: readonly { type: string; id: number | string }[];
  /** Remove arrived objects from failed_objects (default true; skip it when none are pending). */
  clearFailedObjects?: boolean;
  /** Remove the rejected rows of arrived objects (default true; skip it when none are kept). */
  clearRejectedItems?: boolean;
}

const statements = new Map<string, string>();

function statementFor(parts: PagePart[]): string {
  const shape = parts.map((p) => ('type' in p ? `${p.op}:${p.type}` : p.op)).join(',');
  let sql = statements.get(shape);
  if (!sql) statements.set(shape, (sql = pageStatement(parts)));
  return sql;
}

// Parts in a fixed order, so that pages of the same types share one statement text.
const byTypeOrder = <T>(map: Map<ResourceType, T>) => [...map].sort(([a], [b]) => RESOURCE_TYPES.indexOf(a) - RESOURCE_TYPES.indexOf(b));

/** A page ready to apply: its statement and parameters, built without the database. */
export interface PreparedPage {
  /** The statement; none when the page holds nothing to write. */
  sql: string | undefined;
  params: string[];
  /** Items kept whole in rejected_items (malformed, or naming no object): written by the statement. */
  rejected: RejectedRow[];
  /** One item per object, and the options: what splitting the page needs if Postgres refuses it. */
  objects: readonly StoreItem[];
  options: PageOptions;
}

/** Statement and parameters of a plan's objects (the data and its rejected-row clean-up), and its bookkeeping. */
function statementOf(plan: PagePlan, options: PageOptions, bookkeeping: boolean): { sql: string | undefined; params: string[] } {
  const parts: PagePart[] = [];
  const params: string[] = [];
  const add = (part: PagePart, param: unknown, exact = false) => {
    parts.push(part);
    params.push(stringifyJson(param, exact));
  };
  for (const [type, rows] of byTypeOrder(plan.upserts)) add({ op: 'upsert', type }, rows, plan.exact);
  for (const [type, ids] of byTypeOrder(plan.deletes)) add({ op: 'delete', type }, ids.map((id) => ({ id })));
  if (plan.associations.length) add({ op: 'associated-contacts' }, plan.associations, plan.exact);
  const liveOthers = plan.others.filter((o) => !o.deleted);
  const deletedOthers = plan.others.filter((o) => o.deleted);
  if (liveOthers.length) add({ op: 'upsert-other' }, liveOthers.map(({ type, id, revision, raw, raw_text }) => ({ type, id, revision, raw, raw_text })), plan.exact);
  if (deletedOthers.length) add({ op: 'delete-other' }, deletedOthers.map(({ type, id }) => ({ type, id })));
  // A rejected object that now arrives at a revision at least as new no longer needs its row.
  if (plan.stored.length && (options.clearRejectedItems ?? true)) add({ op: 'clear-rejected' }, plan.stored);
  if (bookkeeping) {
    if (plan.rejected.length) add({ op: 'reject' }, plan.rejected);
    if (options.progress) {
      const { deviceUuid, items: count, countLeft, itemsPerSecond } = options.progress;
      add({ op: 'progress' }, { device: deviceUuid, items: count, count_left: countLeft ?? null, items_per_second: itemsPerSecond });
    }
    if (options.failedObjects?.length) add({ op: 'remember-failed' }, options.failedObjects);
    // An object reported as failed earlier is no longer pending once it arrives.
    if (plan.arrived.length && (options.clearFailedObjects ?? true)) add({ op: 'clear-failed' }, plan.arrived);
  }
  if (parts.length === 0) return { sql: undefined, params };
  params.push(JSON.stringify({ device: options.fence?.deviceUuid ?? null, epoch: options.fence?.epoch.toString() ?? null }));
  return { sql: statementFor(parts), params };
}

/**
 * Builds the statement of a page and its bookkeeping (pure: the sync prepares the next page
 * while the current one is written).
 */
export function preparePage(items: readonly StoreItem[], options: PageOptions = {}): PreparedPage {
  const { objects, rejected } = latestItems(items);
  const { sql, params } = statementOf(planObjects(objects, rejected), options, true);
  return { sql, params, rejected, objects, options };
}

/**
 * The same page, also clearing the rejected rows of the objects it stores: for a page prepared
 * while none were kept, written after one was (the sync prepares a page while another is written).
 */
export function clearingRejected(page: PreparedPage): PreparedPage {
  if (page.options.clearRejectedItems ?? true) return page;
  const options = { ...page.options, clearRejectedItems: true };
  const { sql, params } = statementOf(planObjects(page.objects, page.rejected), options, true);
  return { ...page, sql, params, options };
}

/** The SQLSTATE of a failed statement, when Postgres gave one. */
export function sqlStateOf(error: unknown): string | undefined {
  const e = error as { code?: unknown; meta?: { driverAdapterError?: { cause?: { originalCode?: unknown } } } } | null;
  const code = e?.meta?.driverAdapterError?.cause?.originalCode ?? e?.code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}

/**
 * Whether Postgres refused a statement because of the values it was given: a data exception
 * (class 22), a cardinality violation (21: two rows for one key), an integrity constraint
 * violation (23) or a program limit (54: a value too large for an index). Splitting the page
 * finds the items at fault. Anything else (a lost connection, a timeout) concerns the whole page.
 */
export function isRefusedValue(error: unknown): boolean {
  const state = sqlStateOf(error);
  return state !== undefined && ['21', '22', '23', '54'].includes(state.slice(0, 2));
}

function refusal(error: unknown): string {
  const cause = (error as { meta?: { driverAdapterError?: { cause?: { originalMessage?: string; detail?: string } } } }).meta?.driverAdapterError?.cause;
  const message = cause?.originalMessage ?? (error instanceof Error ? error.message : String(error));
  return `Postgres refused it (${sqlStateOf(error)}): ${message}${cause?.detail ? ` (${cause.detail})` : ''}`;
}

/** A fenced page was refused: another process has become the syncer of the device since. */
export class FencedError extends Error {
  constructor(readonly deviceUuid: string) {
    super(`another process has become the syncer of device ${deviceUuid}: this one no longer writes`);
    this.name = 'FencedError';
  }
}

type Summary = { events: number; last_seq: string | null; changes: ChangeCount[] };

async function run(prisma: PrismaClient, sql: string, params: string[]): Promise<Summary> {
  const [summary] = await prisma.$queryRawUnsafe<Summary[]>(sql, ...params).catch((error: unknown) => {
    // The last parameter is the fence (see statementOf).
    if (sqlStateOf(error) === FENCED_SQLSTATE) throw new FencedError(String((JSON.parse(params.at(-1)!) as { device: unknown }).device));
    throw error;
  });
  return summary!;
}

function result(summaries: readonly Summary[], rejected: RejectedRow[]): PageResult {
  const counts = new Map<string, ChangeCount>();
  let events = 0;
  let lastSeq: bigint | null = null;
  for (const s of summaries) {
    events += s.events;
    if (s.last_seq !== null && (lastSeq === null || BigInt(s.last_seq) > lastSeq)) lastSeq = BigInt(s.last_seq);
    for (const c of s.changes) {
      const key = `${c.type}:${c.kind}`;
      const known = counts.get(key);
      if (known) known.count += c.count;
      else counts.set(key, { ...c });
    }
  }
  return { events, lastSeq, changes: [...counts.values()], rejected };
}

/** An object Postgres refused on its own, and the row that keeps it whole. */
interface Refused {
  item: StoreItem;
  row: RejectedRow;
}

/**
 * Applies the objects that Postgres takes, a half at a time after a refusal (bisecting), each
 * part in its own transaction; answers the objects it refused on their own.
 */
async function applySplitting(prisma: PrismaClient, objects: readonly StoreItem[], options: PageOptions, summaries: Summary[]): Promise<Refused[]> {
  const { sql, params } = statementOf(planObjects(objects), options, false);
  if (sql === undefined) return [];
  try {
    summaries.push(await run(prisma, sql, params));
    return [];
  } catch (error) {
    if (!isRefusedValue(error)) throw error;
    if (objects.length === 1) return [{ item: objects[0]!, row: rejectedRow(objects[0]!, refusal(error)) }];
  }
  const half = Math.ceil(objects.length / 2);
  const left = await applySplitting(prisma, objects.slice(0, half), options, summaries);
  return [...left, ...(await applySplitting(prisma, objects.slice(half), options, summaries))];
}

/**
 * Applies a prepared page; resolves once everything in it is stored (as objects, or whole as
 * rejected items) and committed. In one statement (one transaction) unless Postgres refuses
 * some of its values: then the objects it takes are committed in parts, and a last statement
 * keeps the refused items whole and commits the page's bookkeeping.
 */
export async function applyPrepared(prisma: PrismaClient, page: PreparedPage): Promise<PageResult> {
  if (page.sql === undefined) return result([], page.rejected);
  try {
    return result([await run(prisma, page.sql, page.params)], page.rejected);
  } catch (error) {
    if (!isRefusedValue(error)) throw error;
  }
  const summaries: Summary[] = [];
  const refused = await applySplitting(prisma, page.objects, page.options, summaries);
  const refusedItems = new Set(refused.map((r) => r.item));
  const rejected = [...page.rejected, ...refused.map((r) => r.row)];
  // The page's bookkeeping, for the objects stored; the refused ones are kept whole.
  const { arrived } = planObjects(page.objects.filter((item) => !refusedItems.has(item)));
  const none = { upserts: new Map(), deletes: new Map(), associations: [], others: [], stored: [], exact: false };
  const last = statementOf({ ...none, rejected, arrived }, page.options, true);
  if (last.sql !== undefined) summaries.push(await run(prisma, last.sql, last.params));
  return result(summaries, rejected);
}

/**
 * Applies a page, and its bookkeeping, in one statement (so one transaction); resolves once it
 * has committed. Re-applying a page, or an older state, changes nothing and writes no event.
 */
export function applyPage(prisma: PrismaClient, items: readonly StoreItem[], options: PageOptions = {}): Promise<PageResult> {
  return applyPrepared(prisma, preparePage(items, options));
}
