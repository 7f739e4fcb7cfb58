// A condition on one custom field (`{ name: "Budget", gte: "50000" }`), and what it means: in
// SQL over `custom_fields` (for queries) and in memory over a row (for subscriptions), with the
// same three-valued logic as every other filter: an absent (or null) field makes every
// condition but `isNull` unknown, so `NOT` leaves it out too.
//
// Comparisons take their type from the bound: a number compares values that are numbers
// (Base sends them as strings), a date or date-time compares values that are dates or
// date-times, as points in time. Values of another type never match.
import { GraphQLError } from 'graphql';
import type { Prisma } from '../db/client.ts';
import { customValue, numberOf, timeOf } from '../store/custom-field-values.ts';
import { indexedExpression, sqlLiteral } from '../store/custom-fields.ts';
import { builder } from './builder.ts';

export interface CustomFieldFilter {
  name: string;
  eq?: string | null;
  in?: string[] | null;
  contains?: string | null;
  startsWith?: string | null;
  gt?: string | null;
  gte?: string | null;
  lt?: string | null;
  lte?: string | null;
  has?: string | null;
  hasSome?: string[] | null;
  hasEvery?: string[] | null;
  isNull?: boolean | null;
}

export const CustomFieldFilterInput = builder.inputRef<CustomFieldFilter>('CustomFieldFilter').implement({
  description:
    'Conditions on one custom field, by its name; all given must hold. A field an object does not have (or has as null) ' +
    'satisfies none of them but isNull: true, and NOT does not select it either, as with any other field.',
  fields: (t) => ({
    name: t.string({ required: true, description: 'The field as Base names it, exactly (case, spaces and accents count).' }),
    eq: t.string({ required: false, description: 'Equal to: the text of a text or list value (case-sensitive), a number given as text ("50000") equal in value, or "true"/"false" for a boolean.' }),
    in: t.stringList({ required: false, description: 'Equal to one of these (as eq).' }),
    contains: t.string({ required: false, description: 'A text value containing this, ignoring case.' }),
    startsWith: t.string({ required: false, description: 'A text value starting with this, ignoring case.' }),
    gt: t.string({ required: false, description: 'Greater than: a number ("50000") compares number values; a date ("2025-01-31", midnight UTC) or date-time ("2025-01-31T09:00:00Z") compares date and date-time values as points in time.' }),
    gte: t.string({ required: false, description: 'At least (as gt).' }),
    lt: t.string({ required: false, description: 'Less than (as gt).' }),
    lte: t.string({ required: false, description: 'At most (as gt).' }),
    has: t.string({ required: false, description: 'A multi-select list value containing this choice.' }),
    hasSome: t.stringList({ required: false, description: 'A multi-select list value containing at least one of these.' }),
    hasEvery: t.stringList({ required: false, description: 'A multi-select list value containing all of these.' }),
    isNull: t.boolean({ required: false, description: 'true: the object has no value for the field (absent or null); false: it has one.' }),
  }),
});

type Bound = { kind: 'number'; value: Prisma.Decimal; text: string } | { kind: 'time'; value: bigint; text: string };

const COMPARISONS = [
  ['gt', '>'],
  ['gte', '>='],
  ['lt', '<'],
  ['lte', '<='],
] as const;

/** The bound of a comparison, typed by its form; a clear error for one of no type. */
function boundOf(op: string, text: string): Bound {
  const number = numberOf(text);
  if (number !== null) return { kind: 'number', value: number, text };
  const time = timeOf(text);
  if (time !== null) return { kind: 'time', value: time, text };
  throw new GraphQLError(
    `customFields ${op}: ${JSON.stringify(text)} is neither a number ("50000", "-12.5") nor a date ("2025-01-31") or date-time ("2025-01-31T09:00:00Z")`,
    { extensions: { code: 'BAD_USER_INPUT' } },
  );
}

/** Checks the bounds of every comparison (so that a bad one is a 4xx, before any SQL). */
export function checkCustomFieldFilter(filter: CustomFieldFilter): void {
  for (const [op] of COMPARISONS) if (filter[op] != null) boundOf(op, filter[op]!);
}

// ─── In memory ────────────────────────────────────────────────────────────────────────────

/** true, false, or unknown (SQL NULL). */
type Truth = boolean | null;
const all = (values: Truth[]): Truth => (values.includes(false) ? false : values.includes(null) ? null : true);

function equals(value: unknown, text: string): boolean {
  if (typeof value === 'string') return value === text;
  if (typeof value === 'number') {
    const n = numberOf(text);
    return n !== null && n.eq(value);
  }
  if (typeof value === 'boolean') return String(value) === text;
  return false;
}

const hasChoice = (value: unknown, choice: string): boolean => Array.isArray(value) && value.includes(choice);

/** Whether a row's `custom_fields` satisfies one filter, with SQL's three-valued logic. */
export function matchCustomField(customFields: unknown, filter: CustomFieldFilter): Truth {
  const value = customValue(customFields, filter.name);
  const parts: Truth[] = [];
  if (filter.isNull != null) parts.push(filter.isNull === (value === undefined));
  const known = value !== undefined;
  const test = (holds: () => boolean) => parts.push(known ? holds() : null);
  if (filter.eq != null) test(() => equals(value, filter.eq!));
  if (filter.in != null) test(() => filter.in!.some((x) => equals(value, x)));
  const text = typeof value === 'string' ? value.toLowerCase() : undefined;
  if (filter.contains != null) test(() => text !== undefined && text.includes(filter.contains!.toLowerCase()));
  if (filter.startsWith != null) test(() => text !== undefined && text.startsWith(filter.startsWith!.toLowerCase()));
  for (const [op] of COMPARISONS) {
    if (filter[op] == null) continue;
    const bound = boundOf(op, filter[op]!);
    const cmp = bound.kind === 'number' ? numberOf(value)?.cmp(bound.value) : compareBigInt(timeOf(value), bound.value);
    // A value of another type is unknown, as NULL compared in SQL.
    parts.push(!known || cmp === undefined || cmp === null ? null : op === 'gt' ? cmp > 0 : op === 'gte' ? cmp >= 0 : op === 'lt' ? cmp < 0 : cmp <= 0);
  }
  if (filter.has != null) test(() => hasChoice(value, filter.has!));
  if (filter.hasSome != null) test(() => filter.hasSome!.some((x) => hasChoice(value, x)));
  if (filter.hasEvery != null) test(() => Array.isArray(value) && filter.hasEvery!.every((x) => hasChoice(value, x)));
  return all(parts);
}

function compareBigInt(a: bigint | null, b: bigint): number | null {
  if (a === null) return null;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Whether a row's `custom_fields` satisfies every filter of a list. */
export const matchCustomFields = (customFields: unknown, filters: readonly CustomFieldFilter[]): Truth => all(filters.map((f) => matchCustomField(customFields, f)));

// ─── In SQL ───────────────────────────────────────────────────────────────────────────────

/** Adds a parameter, answering its placeholder with a cast. */
export type AddParam = (value: unknown, sqlType: string) => string;

/** ILIKE pattern of a text taken literally. */
const likeLiteral = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);

/**
 * The SQL condition of one filter on `column` (a `custom_fields` column, e.g. `t."custom_fields"`).
 * `negated` says the condition sits under an odd number of NOTs: only then must it be exactly
 * unknown where the field is absent. Elsewhere false will do as well, and equality and list
 * conditions are containments (`custom_fields @> {"Region": "EMEA"}`: true exactly when the
 * condition is, as `{"a": ["x"]} @> {"a": "x"}` is false), which the GIN index answers.
 */
export function customFieldSql(filter: CustomFieldFilter, column: string, param: AddParam, negated: boolean): string {
  const name = sqlLiteral(filter.name);
  const value = `${column} -> ${name}`;
  // The field's value, NULL when absent or JSON null.
  const v = `NULLIF(${value}, 'null'::jsonb)`;
  const parts: string[] = [];
  /** A condition on a present value, unknown (NULL) when the field is absent. */
  const onValue = (condition: string) => `CASE WHEN ${v} IS NULL THEN NULL ELSE (${condition}) END`;
  /** Outside NOT, containments that hold exactly when the condition does; under NOT, the exact condition. */
  const indexed = (containments: () => string[], exact: () => string) => {
    // Either is built, not both: a parameter no statement uses has no type Postgres could infer.
    if (negated) return exact();
    const list = containments();
    if (list.length === 0) return 'FALSE';
    const someHolds = list.map((c) => `${column} @> ${c}`).join(' OR ');
    return list.length > 1 ? `(${someHolds})` : someHolds;
  };
  const contains = (fragment: object) => param(JSON.stringify(fragment), 'jsonb');
  const eqContainments = (text: string) => {
    const list = [contains({ [filter.name]: text })];
    if (numberOf(text) !== null) list.push(`jsonb_build_object(${name}, ${param(text, 'numeric')})`);
    if (text === 'true' || text === 'false') list.push(contains({ [filter.name]: text === 'true' }));
    return list;
  };
  const eqExact = (text: string) => {
    const cases = [`WHEN 'string' THEN (${value} #>> '{}') = ${param(text, 'text')}`];
    if (numberOf(text) !== null) cases.push(`WHEN 'number' THEN (${value} #>> '{}')::numeric = ${param(text, 'numeric')}`);
    if (text === 'true' || text === 'false') cases.push(`WHEN 'boolean' THEN (${value} #>> '{}') = ${param(text, 'text')}`);
    return `CASE jsonb_typeof(${value}) ${cases.join(' ')} ELSE false END`;
  };

  if (filter.isNull != null) parts.push(`${v} IS ${filter.isNull ? '' : 'NOT '}NULL`);
  if (filter.eq != null) parts.push(indexed(() => eqContainments(filter.eq!), () => onValue(eqExact(filter.eq!))));
  if (filter.in != null) {
    if (filter.in.length === 0) parts.push(onValue('false'));
    else parts.push(indexed(() => filter.in!.flatMap(eqContainments), () => onValue(filter.in!.map(eqExact).join(' OR '))));
  }
  for (const [op, pattern] of [
    ['contains', (s: string) => `'%' || ${param(likeLiteral(s), 'text')} || '%'`],
    ['startsWith', (s: string) => `${param(likeLiteral(s), 'text')} || '%'`],
  ] as const) {
    const text = filter[op];
    if (text != null) parts.push(onValue(`jsonb_typeof(${value}) = 'string' AND (${value} #>> '{}') ILIKE (${pattern(text)})`));
  }
  for (const [op, sign] of COMPARISONS) {
    if (filter[op] == null) continue;
    const bound = boundOf(op, filter[op]!);
    // The very expressions of the fields' indexes (src/store/custom-fields.ts); the bound read
    // by the same function, so that it is exactly what a value of that text would be.
    const expression = indexedExpression(bound.kind, column, filter.name);
    const right = bound.kind === 'number' ? param(bound.text, 'numeric') : `bsg_cf_time(to_jsonb(${param(bound.text, 'text')}))`;
    parts.push(`${expression} ${sign} ${right}`);
  }
  const choices = (list: string[]) => param(list, 'text[]');
  if (filter.has != null) {
    parts.push(indexed(() => [contains({ [filter.name]: [filter.has] })], () => onValue(`jsonb_typeof(${value}) = 'array' AND ${value} @> ${contains([filter.has])}`)));
  }
  if (filter.hasSome != null) {
    const containments = () => filter.hasSome!.map((x) => contains({ [filter.name]: [x] }));
    parts.push(indexed(containments, () => onValue(`jsonb_typeof(${value}) = 'array' AND ${value} ?| ${choices(filter.hasSome!)}`)));
  }
  if (filter.hasEvery != null) {
    parts.push(indexed(() => [contains({ [filter.name]: filter.hasEvery })], () => onValue(`jsonb_typeof(${value}) = 'array' AND ${value} @> ${contains(filter.hasEvery!)}`)));
  }
  return parts.length === 0 ? 'TRUE' : parts.length === 1 ? parts[0]! : `(${parts.join(' AND ')})`;
}
