// Applies pages of Sync API items to the mirror: one statement (one transaction) per page,
// set-based, the freshest revision wins, one change event per real change.
import type { PrismaClient } from '../db/client.ts';
import { RESOURCE_TYPES, type ResourceType } from '../db/resource-types.ts';
import { pageStatement, type PagePart } from './page-sql.ts';
import { planPage, type StoreItem } from './rows.ts';

export type { StoreItem };

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
  /** Items that named no object (no usable id): nothing could be stored for them. */
  invalid: StoreItem[];
}

/** Options for {@link applyPage}: bookkeeping that commits with the page. */
export interface PageOptions {
  /** The sync session's progress, recorded in sync_state. */
  progress?: { deviceUuid: string; items: number; countLeft: number | undefined; itemsPerSecond: number | null };
  /** Objects Base reported in this page's `failed_objects`: remembered with when first and last reported. */
  failedObjects?: readonly { type: string; id: number | string }[];
  /** Remove arrived objects from failed_objects (default true; skip it when none are pending). */
  clearFailedObjects?: boolean;
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
  /** Items that named no object (no usable id): nothing could be stored for them. */
  invalid: StoreItem[];
}

/**
 * Builds the statement of a page and its bookkeeping (pure: the sync prepares the next page
 * while the current one is written).
 */
export function preparePage(items: readonly StoreItem[], options: PageOptions = {}): PreparedPage {
  const plan = planPage(items);
  const parts: PagePart[] = [];
  const params: string[] = [];
  const add = (part: PagePart, param: unknown) => {
    parts.push(part);
    params.push(JSON.stringify(param));
  };
  for (const [type, rows] of byTypeOrder(plan.upserts)) add({ op: 'upsert', type }, rows);
  for (const [type, ids] of byTypeOrder(plan.deletes)) add({ op: 'delete', type }, ids.map((id) => ({ id })));
  if (plan.associations.length) add({ op: 'associated-contacts' }, plan.associations);
  const liveOthers = plan.others.filter((o) => !o.deleted);
  const deletedOthers = plan.others.filter((o) => o.deleted);
  if (liveOthers.length) add({ op: 'upsert-other' }, liveOthers.map(({ type, id, revision, raw }) => ({ type, id, revision, raw })));
  if (deletedOthers.length) add({ op: 'delete-other' }, deletedOthers.map(({ type, id }) => ({ type, id })));
  if (options.progress) {
    const { deviceUuid, items: count, countLeft, itemsPerSecond } = options.progress;
    add({ op: 'progress' }, { device: deviceUuid, items: count, count_left: countLeft ?? null, items_per_second: itemsPerSecond });
  }
  if (options.failedObjects?.length) add({ op: 'remember-failed' }, options.failedObjects);
  const arrived = items.filter((i) => i.data.id !== undefined).map((i) => ({ type: i.type, id: i.data.id }));
  // An object reported as failed earlier is no longer pending once it arrives.
  if (arrived.length && (options.clearFailedObjects ?? true)) add({ op: 'clear-failed' }, arrived);
  return { sql: parts.length ? statementFor(parts) : undefined, params, invalid: plan.invalid };
}

/** Applies a prepared page in one statement (so one transaction); resolves once it has committed. */
export async function applyPrepared(prisma: PrismaClient, page: PreparedPage): Promise<PageResult> {
  if (page.sql === undefined) return { events: 0, lastSeq: null, changes: [], invalid: page.invalid };
  type Summary = { events: number; last_seq: string | null; changes: ChangeCount[] };
  const [summary] = await prisma.$queryRawUnsafe<Summary[]>(page.sql, ...page.params);
  return {
    events: summary!.events,
    lastSeq: summary!.last_seq === null ? null : BigInt(summary!.last_seq),
    changes: summary!.changes,
    invalid: page.invalid,
  };
}

/**
 * Applies a page, and its bookkeeping, in one statement (so one transaction); resolves once it
 * has committed. Re-applying a page, or an older state, changes nothing and writes no event.
 */
export function applyPage(prisma: PrismaClient, items: readonly StoreItem[], options: PageOptions = {}): Promise<PageResult> {
  return applyPrepared(prisma, preparePage(items, options));
}
