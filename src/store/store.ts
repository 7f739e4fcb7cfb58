// Applies pages of Sync API items to the mirror: one transaction per page, a few
// set-based statements, the freshest revision wins, one change event per real change.
import type { PrismaClient } from '../db/client.ts';
import { pageStatement, type PagePart } from './page-sql.ts';
import { planPage, type StoreItem } from './rows.ts';

export type { StoreItem };

export interface PageResult {
  /** Change events written (real changes). */
  events: number;
  /** Newest change event `seq`, when any was written. */
  lastSeq: bigint | null;
  /** Change events per `type:kind` (e.g. `deal:UPDATED`). */
  changes: Record<string, number>;
  /** Items that named no object (no usable id): nothing could be stored for them. */
  invalid: StoreItem[];
}

/** Writes that must commit with the page (progress, failed objects): Prisma raw queries. */
export type ExtraWrite = ReturnType<PrismaClient['$executeRawUnsafe']>;

const statements = new Map<string, string>();

function statementFor(parts: PagePart[]): string {
  const shape = parts.map((p) => ('type' in p ? `${p.op}:${p.type}` : p.op)).join(',');
  let sql = statements.get(shape);
  if (!sql) statements.set(shape, (sql = pageStatement(parts)));
  return sql;
}

/**
 * Applies a page in one transaction with `extra` writes; resolves once it has committed.
 * Re-applying a page, or an older state, changes nothing and writes no event.
 */
export async function applyPage(
  prisma: PrismaClient,
  items: readonly StoreItem[],
  extra: ExtraWrite[] = [],
  options: {
    /** Remove arrived objects from `failed_objects` (default true; skip it when none are pending). */
    clearFailedObjects?: boolean;
  } = {},
): Promise<PageResult> {
  const plan = planPage(items);
  const parts: PagePart[] = [];
  const params: string[] = [];
  for (const [type, rows] of plan.upserts) {
    parts.push({ op: 'upsert', type });
    params.push(JSON.stringify(rows));
  }
  for (const [type, ids] of plan.deletes) {
    parts.push({ op: 'delete', type });
    params.push(JSON.stringify(ids.map((id) => ({ id }))));
  }
  const liveOthers = plan.others.filter((o) => !o.deleted);
  const deletedOthers = plan.others.filter((o) => o.deleted);
  if (liveOthers.length) {
    parts.push({ op: 'upsert-other' });
    params.push(JSON.stringify(liveOthers.map(({ type, id, revision, raw }) => ({ type, id, revision, raw }))));
  }
  if (deletedOthers.length) {
    parts.push({ op: 'delete-other' });
    params.push(JSON.stringify(deletedOthers.map(({ type, id }) => ({ type, id }))));
  }

  const writes: ExtraWrite[] = [...extra];
  const arrived = items.filter((i) => i.data.id !== undefined).map((i) => ({ type: i.type, id: i.data.id }));
  if (arrived.length && (options.clearFailedObjects ?? true)) {
    // An object reported as failed earlier is no longer pending once it arrives.
    writes.push(
      prisma.$executeRawUnsafe(
        `DELETE FROM "failed_objects" f USING jsonb_to_recordset($1::jsonb) AS a("type" text, "id" bigint)
         WHERE f."type" = a."type" AND f."id" = a."id"`,
        JSON.stringify(arrived),
      ),
    );
  }
  if (parts.length === 0) {
    if (writes.length) await prisma.$transaction(writes);
    return { events: 0, lastSeq: null, changes: {}, invalid: plan.invalid };
  }
  type Summary = { events: number; last_seq: string | null; changes: Record<string, number> };
  const page = prisma.$queryRawUnsafe<Summary[]>(statementFor(parts), ...params);
  const [rows] = await prisma.$transaction([page, ...writes]);
  const summary = (rows as Summary[])[0]!;
  return {
    events: summary.events,
    lastSeq: summary.last_seq === null ? null : BigInt(summary.last_seq),
    changes: summary.changes,
    invalid: plan.invalid,
  };
}
