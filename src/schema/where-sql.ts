// A GraphQL `where` as one SQL condition, for what Prisma cannot express: conditions on custom
// fields (read as numbers, times or text from `custom_fields`, indexed) anywhere in the tree.
// Every other condition means here what it means through Prisma (the same operators on the
// same columns; a relation is a LEFT JOIN whose row must exist), and what where-match.ts
// decides in memory: SQL's three-valued logic throughout. A test holds the three to agreeing.
import { modelNameOf, RESOURCE_TYPES, TABLES, type ResourceType } from '../resource-types.ts';
import { customFieldSql, type CustomFieldFilter } from './custom-field-filter.ts';
import type { ScalarFilter, WhereInput } from './filters.ts';
import { isDateField, modelFields, whereShape, type ModelName } from './resources.ts';

/** Statement text being built: its parameters, and the joins its conditions need. */
export class SqlBuilder {
  readonly joins: string[] = [];

  /** `values`: the parameters of the whole statement, when this builds a part of it (its joins are its own). */
  constructor(readonly values: unknown[] = []) {}

  /** Adds a parameter; answers its placeholder, cast to `sqlType`. */
  param = (value: unknown, sqlType: string): string => {
    this.values.push(value);
    return `$${this.values.length}::${sqlType}`;
  };

  /** Adds `LEFT JOIN table AS jN ON …`; answers the alias. */
  join(table: string, on: (alias: string) => string): string {
    const alias = `j${this.joins.length + 1}`;
    this.joins.push(`LEFT JOIN "${table}" AS ${alias} ON ${on(alias)}`);
    return alias;
  }
}

/** The Base type of a model. */
export function resourceTypeOf(name: ModelName): ResourceType {
  const type = RESOURCE_TYPES.find((t) => modelNameOf(t) === name);
  if (!type) throw new Error(`${name} is not a Base resource`);
  return type;
}

/** The table of a model. */
export const tableOf = (name: ModelName): string => TABLES[resourceTypeOf(name)];

/** The column of a Prisma field: columns are the payload's snake_case names. */
export const columnOf = (field: string): string => field.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();

const SQL_TYPES: Record<string, string> = {
  String: 'text',
  BigInt: 'bigint',
  Int: 'integer',
  Float: 'float8',
  Decimal: 'numeric',
  Boolean: 'boolean',
  DateTime: 'timestamptz',
};

/** A filter value as a parameter: ids and dates as text, so that nothing is lost on the way. */
function paramValue(value: unknown, date: boolean): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Date) return date ? value.toISOString().slice(0, 10) : value.toISOString();
  return value;
}

function scalarSql(column: string, filter: ScalarFilter, type: string, isList: boolean, date: boolean, b: SqlBuilder): string[] {
  const sqlType = date ? 'date' : SQL_TYPES[type] ?? 'text';
  const p = (value: unknown) => b.param(paramValue(value, date), sqlType);
  const list = (values: unknown[]) => b.param(values.map((v) => paramValue(v, date)), `${sqlType}[]`);
  const parts: string[] = [];
  if (isList) {
    if (filter.has != null) parts.push(`${column} @> ARRAY[${p(filter.has)}]`);
    if (filter.hasSome != null) parts.push(`${column} && ${list(filter.hasSome)}`);
    if (filter.hasEvery != null) parts.push(`${column} @> ${list(filter.hasEvery)}`);
    if (filter.isEmpty != null) parts.push(`${column} ${filter.isEmpty ? '=' : '<>'} '{}'`);
  } else {
    if (filter.eq != null) parts.push(`${column} = ${p(filter.eq)}`);
    if (filter.in != null) parts.push(filter.in.length ? `${column} IN (${filter.in.map(p).join(', ')})` : 'FALSE');
    for (const [op, sign] of [['gt', '>'], ['gte', '>='], ['lt', '<'], ['lte', '<=']] as const) {
      if (filter[op] != null) parts.push(`${column} ${sign} ${p(filter[op])}`);
    }
    if (filter.contains != null) parts.push(`${column} ILIKE ('%' || ${b.param(filter.contains, 'text')} || '%')`);
    if (filter.startsWith != null) parts.push(`${column} ILIKE (${b.param(filter.startsWith, 'text')} || '%')`);
  }
  if (filter.isNull != null) parts.push(`${column} IS ${filter.isNull ? '' : 'NOT '}NULL`);
  return parts;
}

const and = (parts: string[]) => (parts.length === 0 ? 'TRUE' : parts.length === 1 ? parts[0]! : `(${parts.join(' AND ')})`);

/**
 * The condition of `where` on rows of `name` named `alias`. `negated`: under an odd number of
 * NOTs (custom-field conditions are then written without their index-friendly prefilter).
 */
export function whereSql(name: ModelName, where: WhereInput | null | undefined, alias: string, b: SqlBuilder, negated = false): string {
  if (!where) return 'TRUE';
  const shape = whereShape(name);
  const fields = modelFields(name);
  const parts: string[] = [];
  for (const [key, value] of Object.entries(where)) {
    if (value === undefined || value === null) continue;
    if (key === 'AND') parts.push(and((value as WhereInput[]).map((w) => whereSql(name, w, alias, b, negated))));
    else if (key === 'OR') {
      const list = value as WhereInput[];
      parts.push(list.length === 0 ? 'FALSE' : `(${list.map((w) => whereSql(name, w, alias, b, negated)).join(' OR ')})`);
    } else if (key === 'NOT') parts.push(`NOT (${whereSql(name, value as WhereInput, alias, b, !negated)})`);
    else if (key === 'customFields') {
      for (const filter of value as CustomFieldFilter[]) parts.push(customFieldSql(filter, `${alias}."custom_fields"`, b.param, negated));
    } else if (key in shape.scalars) {
      const prismaName = shape.scalars[key]!;
      const field = fields.find((f) => f.name === prismaName)!;
      parts.push(...scalarSql(`${alias}."${columnOf(prismaName)}"`, value as ScalarFilter, field.type, field.isList, isDateField(name, prismaName), b));
    } else if (key in shape.relations) {
      const { relation, resourceType } = shape.relations[key]!;
      const field = fields.find((f) => f.name === relation)!;
      const target = field.type as ModelName;
      const foreignKey = columnOf(field.relationFromFields![0]!);
      const joined = b.join(tableOf(target), (j) => `${j}."id" = ${alias}."${foreignKey}"`);
      const inner = `(${whereSql(target, value as WhereInput, joined, b, negated)} AND ${joined}."id" IS NOT NULL)`;
      parts.push(resourceType ? `(${alias}."resource_type" = ${b.param(resourceType, 'text')} AND ${inner})` : inner);
    }
  }
  return and(parts);
}

/** Whether `where` has a condition on custom fields, at any depth (relations included). */
export function usesCustomFields(where: WhereInput | null | undefined): boolean {
  if (!where || typeof where !== 'object') return false;
  return Object.entries(where).some(([key, value]) => {
    if (value === undefined || value === null) return false;
    if (key === 'customFields') return (value as unknown[]).length > 0;
    if (key === 'AND' || key === 'OR') return (value as WhereInput[]).some(usesCustomFields);
    if (key === 'NOT') return usesCustomFields(value as WhereInput);
    // A relation's conditions are an object of filters; scalar filters never hold `customFields`.
    return typeof value === 'object' && !Array.isArray(value) && usesCustomFields(value as WhereInput);
  });
}
