// Filter and ordering inputs shared by every resource, and their translation to Prisma.
// The translation is pure: a GraphQL `where` becomes a Prisma `where`.
import { builder } from './builder.ts';

/** Scalar kinds a filter exists for, as Prisma's datamodel names them (Date is a DateTime column). */
export type FilterKind = 'String' | 'BigInt' | 'Int' | 'Float' | 'Decimal' | 'Boolean' | 'DateTime' | 'Date' | 'StringList' | 'BigIntList';

export interface ScalarFilter {
  eq?: unknown;
  in?: unknown[] | null;
  gt?: unknown;
  gte?: unknown;
  lt?: unknown;
  lte?: unknown;
  contains?: string | null;
  startsWith?: string | null;
  isNull?: boolean | null;
  has?: unknown;
  hasSome?: unknown[] | null;
  hasEvery?: unknown[] | null;
  isEmpty?: boolean | null;
}

const comparable = (type: 'BigInt' | 'Int' | 'Float' | 'Decimal' | 'DateTime' | 'Date', what: string) =>
  builder.inputType(`${type}Filter`, {
    description: `Conditions on ${what}; all given must hold.`,
    fields: (t) => ({
      eq: t.field({ type, required: false, description: 'Equal to.' }),
      in: t.field({ type: [type], required: false, description: 'One of.' }),
      gt: t.field({ type, required: false }),
      gte: t.field({ type, required: false }),
      lt: t.field({ type, required: false }),
      lte: t.field({ type, required: false }),
      isNull: t.boolean({ required: false, description: 'true: has no value; false: has one.' }),
    }),
  });

/** The filter input type of each kind. */
export const FILTER_INPUTS = {
  String: builder.inputType('StringFilter', {
    description: 'Conditions on a text field; all given must hold.',
    fields: (t) => ({
      eq: t.string({ required: false, description: 'Equal to (case-sensitive).' }),
      in: t.stringList({ required: false, description: 'One of (case-sensitive).' }),
      contains: t.string({ required: false, description: 'Contains, ignoring case.' }),
      startsWith: t.string({ required: false, description: 'Starts with, ignoring case.' }),
      isNull: t.boolean({ required: false, description: 'true: has no value; false: has one.' }),
    }),
  }),
  BigInt: comparable('BigInt', 'an id or other 64-bit integer'),
  Int: comparable('Int', 'an integer'),
  Float: comparable('Float', 'a number'),
  Decimal: comparable('Decimal', 'an exact decimal'),
  DateTime: comparable('DateTime', 'a point in time'),
  Date: comparable('Date', 'a calendar date'),
  Boolean: builder.inputType('BooleanFilter', {
    fields: (t) => ({
      eq: t.boolean({ required: false }),
      isNull: t.boolean({ required: false, description: 'true: has no value; false: has one.' }),
    }),
  }),
  StringList: builder.inputType('StringListFilter', {
    description: 'Conditions on a list of strings (tags); all given must hold.',
    fields: (t) => ({
      has: t.string({ required: false, description: 'Contains this element.' }),
      hasSome: t.stringList({ required: false, description: 'Contains at least one of these.' }),
      hasEvery: t.stringList({ required: false, description: 'Contains all of these.' }),
      isEmpty: t.boolean({ required: false }),
    }),
  }),
  BigIntList: builder.inputType('BigIntListFilter', {
    fields: (t) => ({
      has: t.field({ type: 'BigInt', required: false, description: 'Contains this id.' }),
      hasSome: t.field({ type: ['BigInt'], required: false }),
      isEmpty: t.boolean({ required: false }),
    }),
  }),
} as const;

export const OrderDirection = builder.enumType('OrderDirection', { values: ['ASC', 'DESC'] as const });

/** The Prisma conditions for one scalar field (to be ANDed); none when the filter sets nothing. */
export function scalarFilterToPrisma(filter: ScalarFilter | null | undefined): Record<string, unknown>[] {
  if (!filter) return [];
  const conditions: Record<string, unknown>[] = [];
  const ops: Record<string, unknown> = {};
  const set = (key: string, value: unknown) => {
    if (value !== undefined && value !== null) ops[key] = value;
  };
  set('equals', filter.eq);
  set('in', filter.in);
  set('gt', filter.gt);
  set('gte', filter.gte);
  set('lt', filter.lt);
  set('lte', filter.lte);
  set('has', filter.has);
  set('hasSome', filter.hasSome);
  set('hasEvery', filter.hasEvery);
  set('isEmpty', filter.isEmpty);
  // contains and startsWith take Prisma's `mode`, which would make eq and in case-insensitive
  // too: each gets a condition of its own.
  if (filter.contains != null) conditions.push({ contains: filter.contains, mode: 'insensitive' });
  if (filter.startsWith != null) conditions.push({ startsWith: filter.startsWith, mode: 'insensitive' });
  if (Object.keys(ops).length) conditions.unshift(ops);
  if (filter.isNull === true) conditions.push({ equals: null });
  if (filter.isNull === false) conditions.push({ not: null });
  return conditions;
}

/** How a resource's `where` input maps onto its Prisma model. */
export interface WhereShape {
  /** GraphQL field → Prisma scalar field. */
  scalars: Record<string, string>;
  /** GraphQL field → relation: Prisma relation name, the target's shape, and for polymorphic relations the resource type it implies. */
  relations: Record<string, { relation: string; target: () => WhereShape; resourceType?: string }>;
}

export interface WhereInput {
  AND?: WhereInput[] | null;
  OR?: WhereInput[] | null;
  NOT?: WhereInput | null;
  [field: string]: unknown;
}

/** Translates a GraphQL `where` to a Prisma `where` (pure). */
export function whereToPrisma(where: WhereInput | null | undefined, shape: WhereShape): Record<string, unknown> {
  if (!where) return {};
  const and: Record<string, unknown>[] = [];
  for (const [key, value] of Object.entries(where)) {
    if (value === undefined || value === null) continue;
    if (key === 'AND') and.push(...(value as WhereInput[]).map((w) => whereToPrisma(w, shape)));
    else if (key === 'OR') and.push({ OR: (value as WhereInput[]).map((w) => whereToPrisma(w, shape)) });
    else if (key === 'NOT') and.push({ NOT: whereToPrisma(value as WhereInput, shape) });
    else if (key === 'customFields') {
      // Prisma cannot read custom fields: such a `where` goes to SQL (where-sql.ts) instead.
      if ((value as unknown[]).length) throw new Error('a where with customFields conditions must be run as SQL (where-sql.ts)');
    } else if (key in shape.scalars) {
      const field = shape.scalars[key]!;
      for (const condition of scalarFilterToPrisma(value as ScalarFilter)) and.push({ [field]: condition });
    } else if (key in shape.relations) {
      const { relation, target, resourceType } = shape.relations[key]!;
      and.push({ ...(resourceType ? { resourceType } : {}), [relation]: { is: whereToPrisma(value as WhereInput, target()) } });
    }
  }
  return and.length === 0 ? {} : and.length === 1 ? and[0]! : { AND: and };
}
