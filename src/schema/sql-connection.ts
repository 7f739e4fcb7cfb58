// Connections whose `where` or `orderBy` names custom fields, which Prisma cannot filter or sort
// on: one SQL statement finds the page's keys (filtered by where-sql.ts, ordered with the key
// last, paged from the cursor's row like Prisma's own cursors), then Prisma loads those rows
// with the selection Pothos asked for. The count is one more statement, when asked.
import { PREPARED, type PrismaClient } from '../db/client.ts';
import type { ModelDelegate } from '../db/delegates.ts';
import { indexedExpression, sqlLiteral } from '../store/custom-fields.ts';
import type { WhereInput } from './filters.ts';
import { modelFields, type ModelName } from './resources.ts';
import { columnOf, resourceTypeOf, SqlBuilder, tableOf, usesCustomFields, whereSql } from './where-sql.ts';

/** One sort key of `orderBy`: a column (Prisma's field name) or a custom field by name. */
export interface OrderKey {
  field?: string | null;
  customField?: string | null;
  direction: 'ASC' | 'DESC';
}

/** What a connection resolver gets besides Pothos' query. */
export interface ConnectionArgs {
  where?: WhereInput | null;
  orderBy?: readonly OrderKey[] | null;
  includeDeleted?: boolean | null;
}

/** Whether a connection must take this path. */
export const needsSql = (args: ConnectionArgs): boolean => usesCustomFields(args.where) || (args.orderBy ?? []).some((o) => o.customField != null);

/** The key rows are paged by and loaded by (the Base id: associated contacts have one too). */
const KEY: readonly string[] = ['id'];

export interface SortKey {
  expression: (alias: string) => string;
  direction: 'ASC' | 'DESC';
}

/** How long the discovered types of a resource's custom fields are kept in memory for ordering. */
export const TYPES_TTL_MS = 2000;
const typeCache = new Map<string, { at: number; types: Promise<Map<string, string>> }>();

/** The discovered types of a resource's custom fields, read at most every couple of seconds (discovery changes them rarely). */
export function customFieldTypes(prisma: PrismaClient, name: ModelName): Promise<Map<string, string>> {
  const resourceType = resourceTypeOf(name);
  const cached = typeCache.get(resourceType);
  if (cached && Date.now() - cached.at < TYPES_TTL_MS) return cached.types;
  const types = prisma.customField
    .findMany({ where: { resourceType }, select: { name: true, type: true } })
    .then((rows) => new Map(rows.map((r) => [r.name, r.type])));
  typeCache.set(resourceType, { at: Date.now(), types });
  types.catch(() => typeCache.delete(resourceType));
  return types;
}

/** The sort keys, the model's key last; a custom field sorts by its discovered type (numbers and dates as such, anything else as text). */
async function sortKeys(prisma: PrismaClient, name: ModelName, orderBy: readonly OrderKey[]): Promise<SortKey[]> {
  return sortKeysOf(orderBy.some((o) => o.customField != null) ? await customFieldTypes(prisma, name) : new Map<string, string>(), orderBy);
}

/** The sort keys of `orderBy` given the discovered types of the custom fields it names, the model's key last. */
export function sortKeysOf(types: ReadonlyMap<string, string>, orderBy: readonly OrderKey[]): SortKey[] {
  const keys: SortKey[] = orderBy.map((o) => {
    if (o.customField != null) {
      const fieldName = o.customField;
      const type = types.get(fieldName);
      const expression = (alias: string) =>
        type === 'number' ? indexedExpression('number', `${alias}."custom_fields"`, fieldName)
        : type === 'date' || type === 'datetime' ? indexedExpression('time', `${alias}."custom_fields"`, fieldName)
        : `bsg_cf_text(${alias}."custom_fields" -> ${sqlLiteral(fieldName)})`;
      return { expression, direction: o.direction };
    }
    const column = columnOf(o.field!);
    return { expression: (alias: string) => `${alias}."${column}"`, direction: o.direction };
  });
  for (const field of KEY) keys.push({ expression: (alias) => `${alias}."${columnOf(field)}"`, direction: 'ASC' });
  return keys;
}

/** ORDER BY of the keys; NULL sorts as the greatest value (last ascending, first descending), reversed when paging backwards. */
export function orderSql(keys: readonly SortKey[], alias: string, reverse: boolean): string {
  return keys
    .map((k) => {
      const descending = (k.direction === 'DESC') !== reverse;
      return `${k.expression(alias)} ${descending ? 'DESC NULLS FIRST' : 'ASC NULLS LAST'}`;
    })
    .join(', ');
}

/** Rows strictly after (`forward`) or before the cursor row `c` in the order of `keys`. */
export function beyondCursor(keys: readonly SortKey[], forward: boolean): string {
  const alternatives = keys.map((key, i) => {
    const t = key.expression('t');
    const c = `c.k${i}`;
    // "a comes after b" in this key's order, NULL being the greatest value.
    const after = (a: string, b: string) =>
      key.direction === 'ASC' ? `(${b} IS NOT NULL AND (${a} > ${b} OR ${a} IS NULL))` : `(${a} IS NOT NULL AND (${b} IS NULL OR ${a} < ${b}))`;
    const equal = keys.slice(0, i).map((k, j) => `${k.expression('t')} IS NOT DISTINCT FROM c.k${j}`);
    return [...equal, forward ? after(t, c) : after(c, t)].join(' AND ');
  });
  return `(${alternatives.map((a) => `(${a})`).join(' OR ')})`;
}

/** FROM and WHERE of the selection: the table as `t`, the filter's joins, live rows unless asked. */
function selection(name: ModelName, args: ConnectionArgs, b: SqlBuilder): { from: string; where: string } {
  const condition = whereSql(name, args.where, 't', b);
  return {
    from: `"${tableOf(name)}" AS t`,
    where: args.includeDeleted ? condition : `${condition} AND t."deleted_at" IS NULL`,
  };
}

type Cursor = Record<string, unknown>;

/** Counts found with a first page (a window over the selection), for the same connection's totalCount. */
const counted = new WeakMap<object, number>();

/**
 * The rows of a connection page, in order, loaded with Pothos' selection (`query`). `withCount`:
 * the totalCount is wanted too; a page without a cursor then counts the selection in the same
 * statement, for {@link sqlConnectionCount} of the same `args`.
 */
export async function sqlConnectionPage(
  prisma: PrismaClient,
  delegate: ModelDelegate,
  name: ModelName,
  query: Record<string, unknown>,
  args: ConnectionArgs,
  withCount = false,
): Promise<unknown[]> {
  const { take, skip, cursor, ...load } = query as { take: number; skip?: number; cursor?: Cursor; select?: object };
  const keys = await sortKeys(prisma, name, args.orderBy ?? []);
  const b = new SqlBuilder();
  const { from, where } = selection(name, args, b);
  const backward = take < 0;
  const key = KEY;
  let cursorJoin = '';
  let beyond = '';
  if (cursor) {
    const match = key.map((f) => `c."${columnOf(f)}" = ${b.param(String(cursor[f]), 'bigint')}`).join(' AND ');
    cursorJoin = ` CROSS JOIN (SELECT ${keys.map((k, i) => `${k.expression('c')} AS k${i}`).join(', ')} FROM "${tableOf(name)}" AS c WHERE ${match}) AS c`;
    beyond = ` AND ${beyondCursor(keys, !backward)}`;
  }
  // Skipping the cursor's own row is the strict comparison; Pothos skips nothing else.
  const offset = cursor ? Math.max(0, (skip ?? 0) - 1) : skip ?? 0;
  const count = withCount && !cursor;
  // A selection of columns only is read by this very statement; one with relations is loaded by Prisma next.
  const columns = scalarSelection(name, load);
  const selected = columns ?? key;
  // Prepared once per connection (the text holds field names, never values): planning the value
  // functions' expressions costs about as much as running a selective page.
  const text = `${PREPARED}SELECT ${selected.map((f) => `t."${columnOf(f)}" AS "${f}"`).join(', ')}${count ? ', count(*) OVER ()::int AS total' : ''} FROM ${from}${cursorJoin} ${b.joins.join(' ')}
    WHERE ${where}${beyond} ORDER BY ${orderSql(keys, 't', backward)} LIMIT ${Math.abs(take)}${offset ? ` OFFSET ${offset}` : ''}`;
  const found = await prisma.$queryRawUnsafe<Array<Record<string, unknown>>>(text, ...b.values);
  if (count && found.length) counted.set(args, Number(found[0]!.total));
  if (backward) found.reverse();
  if (columns) {
    for (const row of found) delete row.total;
    return found;
  }
  if (found.length === 0) return [];
  const id = (row: Record<string, unknown>) => key.map((f) => String(row[f])).join(':');
  const keyWhere = { id: { in: found.map((r) => r.id) } };
  // The key is needed to put the rows in order.
  const select = load.select ? { select: { ...load.select, ...Object.fromEntries(key.map((f) => [f, true])) } } : {};
  const rows = new Map((await delegate.findMany({ ...load, ...select, where: keyWhere })).map((row) => [id(row), row]));
  // A row deleted between the two statements is left out (the next page goes on from the cursor).
  return found.flatMap((r) => rows.get(id(r)) ?? []);
}

/**
 * The fields of a Pothos selection that selects scalar fields only (the key among them), or
 * undefined when it selects relations (or anything else) that Prisma must load.
 */
function scalarSelection(name: ModelName, load: { select?: object }): string[] | undefined {
  if (!load.select || Object.keys(load).some((k) => k !== 'select')) return undefined;
  const scalars = new Set(modelFields(name).filter((f) => f.kind === 'scalar').map((f) => f.name));
  const fields = Object.entries(load.select);
  if (!fields.every(([field, value]) => value === true && scalars.has(field))) return undefined;
  return [...new Set([...KEY, ...fields.map(([field]) => field)])];
}

/** How many rows the connection selects (as its page found, when it counted). */
export async function sqlConnectionCount(prisma: PrismaClient, name: ModelName, args: ConnectionArgs): Promise<number> {
  const known = counted.get(args);
  if (known !== undefined) return known;
  const b = new SqlBuilder();
  const { from, where } = selection(name, args, b);
  const [row] = await prisma.$queryRawUnsafe<Array<{ count: number }>>(`${PREPARED}SELECT count(*)::int AS count FROM ${from} ${b.joins.join(' ')} WHERE ${where}`, ...b.values);
  return row!.count;
}

/** Which of `ids` (rows of `name`, tombstones included) satisfy `where`: subscriptions' check of conditions only the database can decide. */
export async function idsMatching(prisma: PrismaClient, name: ModelName, where: WhereInput, ids: readonly bigint[]): Promise<Set<string>> {
  const b = new SqlBuilder();
  const condition = whereSql(name, where, 't', b);
  const list = b.param(ids.map(String), 'bigint[]');
  const rows = await prisma.$queryRawUnsafe<Array<{ id: bigint }>>(`SELECT t."id" FROM "${tableOf(name)}" AS t ${b.joins.join(' ')} WHERE t."id" = ANY(${list}) AND ${condition}`, ...b.values);
  return new Set(rows.map((r) => String(r.id)));
}
