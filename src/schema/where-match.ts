// Evaluates a `where` against a stored row in memory, with SQL's three-valued logic, so that
// subscriptions filtered on the object's own fields need no query per event. Conditions on
// related objects cannot be decided from the row: the caller asks the database for those.
import { Prisma } from '../db/client.ts';
import { matchCustomFields, type CustomFieldFilter } from './custom-field-filter.ts';
import type { ScalarFilter, WhereInput } from './filters.ts';
import { modelFields, whereShape, type ModelName } from './resources.ts';

/** true, false, or unknown (SQL NULL): a row matches only when the condition is true. */
type Truth = boolean | null;

const and = (values: Truth[]): Truth => (values.includes(false) ? false : values.includes(null) ? null : true);
const or = (values: Truth[]): Truth => (values.includes(true) ? true : values.includes(null) ? null : false);
const not = (value: Truth): Truth => (value === null ? null : !value);

/** Orders two non-null values of one column (numbers, bigints, decimals, dates, strings). */
function compare(a: unknown, b: unknown, type: string): number {
  if (type === 'Decimal') return new Prisma.Decimal(String(a)).cmp(new Prisma.Decimal(String(b)));
  if (type === 'DateTime') return new Date(a as Date).getTime() - new Date(b as Date).getTime();
  if (type === 'BigInt') {
    const x = BigInt(a as bigint);
    const y = BigInt(b as bigint);
    return x < y ? -1 : x > y ? 1 : 0;
  }
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  return Number(a) - Number(b);
}

function scalar(value: unknown, filter: ScalarFilter, type: string, isList: boolean): Truth {
  const parts: Truth[] = [];
  if (filter.isNull != null) parts.push(filter.isNull ? value === null || value === undefined : value !== null && value !== undefined);
  if (isList) {
    const list = (value as unknown[] | null) ?? null;
    const has = (x: unknown) => (list === null ? null : list.some((item) => compare(item, x, type) === 0));
    if (filter.has != null) parts.push(has(filter.has));
    if (filter.hasSome != null) parts.push(or(filter.hasSome.map(has)));
    if (filter.hasEvery != null) parts.push(and(filter.hasEvery.map(has)));
    if (filter.isEmpty != null) parts.push(list === null ? null : (list.length === 0) === filter.isEmpty);
    return and(parts);
  }
  const known = value !== null && value !== undefined;
  const cmp = (x: unknown) => (known ? compare(value, x, type) : null);
  if (filter.eq != null) parts.push(known ? cmp(filter.eq) === 0 : null);
  if (filter.in != null) parts.push(known ? filter.in.some((x) => cmp(x) === 0) : null);
  if (filter.gt != null) parts.push(known ? cmp(filter.gt)! > 0 : null);
  if (filter.gte != null) parts.push(known ? cmp(filter.gte)! >= 0 : null);
  if (filter.lt != null) parts.push(known ? cmp(filter.lt)! < 0 : null);
  if (filter.lte != null) parts.push(known ? cmp(filter.lte)! <= 0 : null);
  // ILIKE: case-insensitive.
  if (filter.contains != null) parts.push(known ? String(value).toLowerCase().includes(filter.contains.toLowerCase()) : null);
  if (filter.startsWith != null) parts.push(known ? String(value).toLowerCase().startsWith(filter.startsWith.toLowerCase()) : null);
  return and(parts);
}

const fieldMaps = new Map<ModelName, Map<string, ReturnType<typeof modelFields>[number]>>();

/** A model's fields by name (made once: this runs for every event of a filtered subscription). */
function fieldsOf(name: ModelName) {
  let fields = fieldMaps.get(name);
  if (!fields) fieldMaps.set(name, (fields = new Map(modelFields(name).map((f) => [f.name, f]))));
  return fields;
}

/** Whether `where` names related objects (then only the database can decide it). */
export function namesRelations(name: ModelName, where: WhereInput): boolean {
  const shape = whereShape(name);
  return Object.entries(where).some(([key, value]) => {
    if (value === undefined || value === null) return false;
    if (key === 'AND' || key === 'OR') return (value as WhereInput[]).some((w) => namesRelations(name, w));
    if (key === 'NOT') return namesRelations(name, value as WhereInput);
    return !(key in shape.scalars) && key !== 'customFields';
  });
}

/** Whether `where` holds for `row` (a Prisma row of `name`); undefined when it names related objects. */
export function matchesRow(name: ModelName, where: WhereInput, row: Record<string, unknown>): boolean | undefined {
  const shape = whereShape(name);
  const fields = fieldsOf(name);
  let needsDatabase = false;
  const evaluate = (w: WhereInput): Truth => {
    const parts: Truth[] = [];
    for (const [key, value] of Object.entries(w)) {
      if (value === undefined || value === null) continue;
      if (key === 'AND') parts.push(and((value as WhereInput[]).map(evaluate)));
      else if (key === 'OR') parts.push(or((value as WhereInput[]).map(evaluate)));
      else if (key === 'NOT') parts.push(not(evaluate(value as WhereInput)));
      else if (key === 'customFields') parts.push(matchCustomFields(row.customFields, value as CustomFieldFilter[]));
      else if (key in shape.scalars) {
        const field = fields.get(shape.scalars[key]!)!;
        parts.push(scalar(row[field.name], value as ScalarFilter, field.type, field.isList));
      } else needsDatabase = true;
    }
    return and(parts);
  };
  const result = evaluate(where);
  return needsDatabase ? undefined : result === true;
}
