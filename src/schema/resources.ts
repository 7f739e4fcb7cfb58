// Defines a synced Base resource in the schema from its Prisma model: the Relay node with
// every typed column (camelCase), `baseId`, `raw`, `revision`, `syncedAt`, `deletedAt`;
// the `where` and `orderBy` inputs; a connection query and a by-id query. Each resource
// file adds what is particular to its type (typed nested objects, relations).
import type { ArgBuilder, FieldMap, FieldRef, InputFieldMap, InputFieldsFromShape, InputObjectRef } from '@pothos/core';
import type { prismaModelName, PrismaModelTypes, PrismaNodeRef, ShapeFromSelection } from '@pothos/plugin-prisma';
import { GraphQLError, Kind, type GraphQLResolveInfo } from 'graphql';
import { delegateOf } from '../db/delegates.ts';
import type { ResourceModelName } from '../resource-types.ts';
import type PrismaTypes from '../db/generated/pothos-types.ts';
import { parseForJavaScript } from '../store/exact-json.ts';
import { builder, datamodel, type BuilderTypes, type Context } from './builder.ts';
import { pageSize } from './page-size.ts';
import type { RuntimeFieldBuilder } from './runtime-field-builder.ts';
import { customFieldAccessors } from './custom-field-accessors.ts';
import { checkCustomFieldFilter, CustomFieldFilterInput, type CustomFieldFilter } from './custom-field-filter.ts';
import { FILTER_INPUTS, OrderDirection, whereToPrisma, type FilterKind, type WhereInput, type WhereShape } from './filters.ts';
import { needsSql, sqlConnectionCount, sqlConnectionPage, type ConnectionArgs } from './sql-connection.ts';

/** The Prisma model of a resource type: what the schema serves. */
export type ModelName = ResourceModelName;

/** Pothos' types of a Prisma model (its shape, relations, where and select). */
export type ModelTypes<N extends ModelName> = PrismaModelTypes & PrismaTypes[N];

/** What a node reads whatever is asked (each field selects what it needs besides). */
const NODE_SELECT: { id: true; deletedAt: true } = { id: true, deletedAt: true };

/** The row a node's fields get: the node's selection, typed as Pothos types it for `select`. */
export type NodeShape<N extends ModelName> = ShapeFromSelection<BuilderTypes, ModelTypes<N>, { select: typeof NODE_SELECT; include: unknown }> & {
  [prismaModelName]?: ModelTypes<N>['Name'];
};

/** Pothos' Prisma field builder of model N's node: relations and columns are checked by name. */
export type ResourceFieldBuilder<N extends ModelName> = PothosSchemaTypes.PrismaObjectFieldBuilder<BuilderTypes, ModelTypes<N>, NodeShape<N>>;

/** Options for {@link defineResource}. */
export interface ResourceOptions<N extends ModelName> {
  description: string;
  /** Name of the connection query, e.g. `deals`. */
  plural: string;
  /** Name of the by-id query, e.g. `deal`. */
  singular: string;
  /** Fields exposed differently from the column's default (typed nested objects, dates). */
  typed?: (t: ResourceFieldBuilder<N>) => FieldMap;
  /** Relations and other fields particular to the type. */
  fields?: (t: ResourceFieldBuilder<N>) => FieldMap;
}

const SCALAR_TYPES: Record<string, string> = {
  String: 'String',
  BigInt: 'BigInt',
  Int: 'Int',
  Float: 'Float',
  Decimal: 'Decimal',
  Boolean: 'Boolean',
  DateTime: 'DateTime',
  Json: 'JSON',
};

/** Fields every resource has that are not filters. */
const NOT_FILTERED = new Set(['raw', 'rawText']);

/** The payload as received: from `raw`, or from its text where jsonb could not hold it exactly. */
const rawField = (t: RuntimeFieldBuilder) =>
  t.field({
    type: 'JSON',
    description:
      'The payload exactly as received. Where Postgres jsonb could not hold it as it came (a NUL or a lone surrogate in a string; a number JavaScript cannot hold, such as an id past 2^53), it is read from the text kept as received: strings are exact, and such a number is a string of its digits (as BigInt fields are).',
    select: { raw: true, rawText: true },
    resolve: (row: { raw: unknown; rawText: string | null }) => (row.rawText === null ? row.raw : parseForJavaScript(row.rawText)),
  });
/** Relations on notes, tasks and calls that share `resource_id`: `resource_type` tells which applies. */
const POLYMORPHIC: Record<string, string> = { lead: 'lead', contact: 'contact', deal: 'deal' };

const upperSnake = (s: string) => s.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase();

interface ModelField {
  name: string;
  type: string;
  kind: string;
  isList: boolean;
  isRequired: boolean;
  relationFromFields?: readonly string[] | undefined;
}

/** The Prisma datamodel's fields of a model. */
export function modelFields(name: ModelName): readonly ModelField[] {
  const model = (datamodel.models as unknown as Record<string, { fields: readonly ModelField[] } | undefined>)[name];
  if (!model) throw new Error(`no Prisma model ${name}`);
  return model.fields;
}

/**
 * The text of a money column (`valueText` for `value`): Postgres generates it with the scale
 * the value was stored with ("1200.00"), which Prisma's Decimal would drop. Served instead of
 * the Decimal; filters and ordering use the numeric column.
 */
function moneyTextOf(name: ModelName, field: ModelField): string | undefined {
  if (field.type !== 'Decimal' || field.isList) return undefined;
  const text = `${field.name}Text`;
  return modelFields(name).some((f) => f.name === text && f.type === 'String') ? text : undefined;
}

/** Whether a field is the generated text of a money column (not a field of its own). */
function isMoneyText(name: ModelName, field: ModelField): boolean {
  if (field.type !== 'String' || !field.name.endsWith('Text')) return false;
  const money = modelFields(name).find((f) => f.name === field.name.slice(0, -'Text'.length));
  return money !== undefined && moneyTextOf(name, money) === field.name;
}

const shapes = new Map<string, WhereShape>();

/** How `where` maps onto a model: scalar filters by field, to-one relations as nested filters. */
export function whereShape(name: ModelName): WhereShape {
  let shape = shapes.get(name);
  if (shape) return shape;
  shape = { scalars: {}, relations: {} };
  shapes.set(name, shape);
  const polymorphic = modelFields(name).some((f) => f.name === 'resourceType');
  for (const field of modelFields(name)) {
    if (field.kind === 'scalar' && field.type !== 'Json' && !NOT_FILTERED.has(field.name) && !isMoneyText(name, field)) {
      shape.scalars[field.name === 'id' ? 'baseId' : field.name] = field.name;
    } else if (field.kind === 'object' && !field.isList && field.relationFromFields?.length && isResourceModel(field.type)) {
      const target = field.type as ModelName;
      shape.relations[field.name] = {
        relation: field.name,
        target: () => whereShape(target),
        ...(polymorphic && POLYMORPHIC[field.name] ? { resourceType: POLYMORPHIC[field.name] } : {}),
      };
    }
  }
  return shape;
}

const resourceModels = new Set<string>();
const isResourceModel = (name: string) => resourceModels.has(name);

function filterKind(field: { type: string; isList: boolean }, dates: ReadonlySet<string>, name: string): FilterKind | undefined {
  if (field.isList) return field.type === 'String' ? 'StringList' : field.type === 'BigInt' ? 'BigIntList' : undefined;
  if (dates.has(name)) return 'Date';
  return field.type in FILTER_INPUTS ? (field.type as FilterKind) : undefined;
}

/** Date-only columns (Postgres `date`), exposed and filtered as `Date`. */
const DATE_FIELDS: Partial<Record<ModelName, ReadonlySet<string>>> = { Deal: new Set(['estimatedCloseDate']) };

/** Whether a field of a model is a date-only column. */
export const isDateField = (name: ModelName, field: string): boolean => DATE_FIELDS[name]?.has(field) ?? false;

/** Whether a model has custom fields (leads, contacts, deals): filters, ordering and accessors by name. */
const hasCustomFields = (name: ModelName): boolean => modelFields(name).some((f) => f.name === 'customFields');

/** The `<Model>Where` input of each model. */
type WhereRef = InputObjectRef<BuilderTypes, WhereInput>;
const whereInputs = new Map<string, WhereRef>();

/** The `<Model>Where` input type (created on first use, so relations can refer to each other). */
export function whereInput(name: ModelName): WhereRef {
  const known = whereInputs.get(name);
  if (known) return known;
  const ref = builder.inputRef<WhereInput>(`${name}Where`);
  whereInputs.set(name, ref);
  const dates = DATE_FIELDS[name] ?? new Set<string>();
  ref.implement({
    description: `Conditions on ${name} objects; all given must hold.`,
    fields: (t) => {
      const fields: InputFieldsFromShape<BuilderTypes, WhereInput, 'InputObject'> = {
        AND: t.field({ type: [ref], required: false, description: 'All of these.' }),
        OR: t.field({ type: [ref], required: false, description: 'At least one of these.' }),
        NOT: t.field({ type: ref, required: false, description: 'Not this.' }),
      };
      const shape = whereShape(name);
      for (const [graphqlName, prismaName] of Object.entries(shape.scalars)) {
        const field = modelFields(name).find((f) => f.name === prismaName)!;
        const kind = filterKind(field, dates, prismaName);
        if (kind) fields[graphqlName] = t.field({ type: FILTER_INPUTS[kind], required: false });
      }
      if (hasCustomFields(name)) {
        fields.customFields = t.field({
          type: [CustomFieldFilterInput],
          required: false,
          description: 'Conditions on custom fields, by name; all must hold.',
        });
      }
      for (const [graphqlName, relation] of Object.entries(shape.relations)) {
        const target = modelFields(name).find((f) => f.name === relation.relation)!.type as ModelName;
        fields[graphqlName] = t.field({ type: whereInput(target), required: false, description: `Conditions on the related ${target}.` });
      }
      return fields;
    },
  });
  return ref;
}

function orderInput(name: ModelName) {
  const values: Record<string, { value: string }> = {};
  for (const field of modelFields(name)) {
    if (field.kind === 'scalar' && !field.isList && field.type !== 'Json' && !NOT_FILTERED.has(field.name) && !isMoneyText(name, field)) {
      values[upperSnake(field.name === 'id' ? 'baseId' : field.name)] = { value: field.name };
    }
  }
  const fieldEnum = builder.enumType(`${name}OrderField`, { values });
  if (!hasCustomFields(name)) {
    return builder.inputType(`${name}Order`, {
      fields: (t) => ({
        field: t.field({ type: fieldEnum, required: true }),
        direction: t.field({ type: OrderDirection, required: true, defaultValue: 'ASC' }),
      }),
    });
  }
  return builder.inputType(`${name}Order`, {
    description: 'A sort key: a field, or a custom field by name (give one of the two).',
    fields: (t) => ({
      field: t.field({ type: fieldEnum, required: false }),
      customField: t.string({
        required: false,
        description: 'A custom field by name: numbers and dates sort as such (by the type discovered), anything else as text; objects without it sort as NULL.',
      }),
      direction: t.field({ type: OrderDirection, required: true, defaultValue: 'ASC' }),
    }),
  });
}

type OrderArg = ReadonlyArray<{ field?: string | null; customField?: string | null; direction: 'ASC' | 'DESC' }>;

/** Checks what Prisma and SQL cannot: each order key names one thing, each custom-field bound has a type. */
function checkArgs(args: { where?: WhereInput | null; orderBy?: OrderArg | null }): void {
  for (const o of args.orderBy ?? []) {
    if ((o.field == null) === (o.customField == null)) {
      throw new GraphQLError('each orderBy entry takes either field or customField', { extensions: { code: 'BAD_USER_INPUT' } });
    }
  }
  checkWhere(args.where);
}

/** Checks the bounds of every custom-field comparison in `where` (a bad one is a 4xx before any SQL). */
export function checkWhere(where: WhereInput | null | undefined): void {
  const visit = (w: WhereInput | null | undefined): void => {
    if (!w || typeof w !== 'object') return;
    for (const [key, value] of Object.entries(w)) {
      if (value === null || value === undefined) continue;
      if (key === 'customFields') (value as CustomFieldFilter[]).forEach(checkCustomFieldFilter);
      else if (key === 'AND' || key === 'OR') (value as WhereInput[]).forEach(visit);
      else if (typeof value === 'object' && !Array.isArray(value)) visit(value as WhereInput);
    }
  };
  visit(where);
}

/** Whether a connection field's selection asks for totalCount (directly: fragments are not looked into). */
const selectsTotalCount = (info: GraphQLResolveInfo): boolean =>
  info.fieldNodes.some((node) => node.selectionSet?.selections.some((s) => s.kind === Kind.FIELD && s.name.value === 'totalCount'));

/** The Prisma `where` of a query: the GraphQL filter, and live objects only unless asked. */
function queryWhere(name: ModelName, where: WhereInput | null | undefined, includeDeleted: boolean | null | undefined) {
  const filter = whereToPrisma(where, whereShape(name));
  if (includeDeleted) return filter;
  return Object.keys(filter).length ? { AND: [filter, { deletedAt: null }] } : { deletedAt: null };
}

/** Ordering with the key last, so that equal values never make cursors skip or repeat. */
function queryOrder(name: ModelName, orderBy: ReadonlyArray<{ field?: string | null; direction: 'ASC' | 'DESC' }> | null | undefined) {
  const key = [{ id: 'asc' }];
  // Prisma takes `nulls` only for optional columns; required ones (the id, revision, syncedAt) sort plainly.
  const required = new Set(modelFields(name).filter((f) => f.isRequired).map((f) => f.name));
  return [
    ...(orderBy ?? []).map(({ field, direction }) => {
      const sort = direction === 'ASC' ? 'asc' : 'desc';
      return { [field!]: required.has(field!) ? sort : { sort, nulls: direction === 'ASC' ? 'last' : 'first' } };
    }),
    ...key,
  ];
}

/** The node type of a resource. */
export type ResourceNode<N extends ModelName> = PrismaNodeRef<BuilderTypes, ModelTypes<N>, ModelTypes<N>['Shape']>;

/** Every resource defined: subscriptions add a field per resource. */
export const RESOURCES: ModelName[] = [];

/** The arguments of a by-id query. */
interface ByIdArgs {
  baseId: bigint;
  includeDeleted?: boolean | null;
}

/**
 * The Pothos calls of {@link defineResource}, for a model N known only as a type parameter.
 * Pothos types their options by conditional types over the model, which the compiler cannot
 * evaluate for a type parameter; these are the same options, typed for every model at once.
 * What differs by model (the fields of the resource files) is checked for the model itself,
 * through {@link ResourceOptions}.
 */
interface ResourceBuilder<N extends ModelName> {
  prismaNode(
    name: N,
    options: { description: string; id: { field: 'id' }; nullable: true; select: typeof NODE_SELECT; fields: (t: ResourceFieldBuilder<N>) => FieldMap },
  ): ResourceNode<N>;
}
interface ResourceQueryBuilder<N extends ModelName> {
  arg: ArgBuilder<BuilderTypes>;
  prismaConnection(
    options: typeof pageSize & {
      type: N;
      cursor: 'id';
      description: string;
      args: InputFieldMap;
      resolve: (query: Record<string, unknown>, root: unknown, args: ConnectionArgs, ctx: Context, info: GraphQLResolveInfo) => Promise<unknown[]>;
      totalCount: (root: unknown, args: ConnectionArgs, ctx: Context) => Promise<number>;
    },
    connection: { description: string },
  ): FieldRef<BuilderTypes>;
  prismaField(options: {
    type: N;
    nullable: true;
    description: string;
    args: InputFieldMap;
    resolve: (query: object, root: unknown, args: ByIdArgs, ctx: Context) => Promise<unknown>;
  }): FieldRef<BuilderTypes>;
}

/** Registers a resource: node type, inputs, connection query and by-id query. Returns the node ref. */
export function defineResource<N extends ModelName>(name: N, options: ResourceOptions<N>): ResourceNode<N> {
  resourceModels.add(name);
  const dates = DATE_FIELDS[name] ?? new Set<string>();
  const node = (builder as unknown as ResourceBuilder<N>).prismaNode(name, {
    description: options.description,
    id: { field: 'id' },
    // node(id)/nodes(ids) of an id that matches nothing answer null (Relay), not an error.
    nullable: true,
    // Read only the columns a query asks for (exposed fields add theirs): rows carry the whole
    // payload in `raw`, which most queries never need. `deletedAt` tells node(id) a tombstone.
    select: NODE_SELECT,
    fields: (t) => {
      const typed = options.typed?.(t) ?? {};
      // The columns below are named by the datamodel at run time (see RuntimeFieldBuilder).
      const columns = t as unknown as RuntimeFieldBuilder;
      const fields: FieldMap = {};
      for (const field of modelFields(name)) {
        if (field.kind !== 'scalar' || field.name in typed || field.name === 'rawText' || isMoneyText(name, field)) continue;
        if (field.name === 'raw') {
          fields.raw = rawField(columns);
          continue;
        }
        const nullable = !field.isRequired;
        // Base's id is `baseId`: `id` is the global (Relay) ID.
        const graphqlName = field.name === 'id' ? 'baseId' : field.name;
        const type = dates.has(field.name) ? 'Date' : SCALAR_TYPES[field.type];
        if (!type) continue;
        const text = moneyTextOf(name, field);
        fields[graphqlName] = text
          ? columns.field({ type, nullable, select: { [text]: true }, resolve: (row: Record<string, string | null>) => row[text] })
          : columns.expose(field.name, { type: field.isList ? [type] : type, nullable });
      }
      return { ...fields, ...typed, ...(hasCustomFields(name) ? customFieldAccessors(columns) : {}), ...(options.fields?.(t) ?? {}) };
    },
  });

  const where = whereInput(name);
  const order = orderInput(name);
  builder.queryField(options.plural, (root) => {
    const t = root as unknown as ResourceQueryBuilder<N>;
    return t.prismaConnection(
      {
        type: name,
        cursor: 'id',
        ...pageSize,
        description: `${options.description} Deleted objects are left out unless includeDeleted is true.`,
        args: {
          where: t.arg({ type: where, required: false }),
          orderBy: t.arg({ type: [order], required: false, description: 'Sort keys, in order; the Base id breaks ties.' }),
          includeDeleted: t.arg.boolean({ required: false, defaultValue: false, description: 'Include deleted objects (they carry deletedAt).' }),
        },
        // Custom fields are read in SQL (sql-connection.ts); everything else through Prisma.
        resolve: (query, _root, args, ctx, info) => {
          checkArgs(args);
          const delegate = delegateOf(ctx.prisma, name);
          if (needsSql(args)) return sqlConnectionPage(ctx.prisma, delegate, name, query, args, selectsTotalCount(info));
          return delegate.findMany({ ...query, where: queryWhere(name, args.where, args.includeDeleted), orderBy: queryOrder(name, args.orderBy) });
        },
        totalCount: (_root, args, ctx) => {
          checkArgs(args);
          if (needsSql(args)) return sqlConnectionCount(ctx.prisma, name, args);
          return delegateOf(ctx.prisma, name).count({ where: queryWhere(name, args.where, args.includeDeleted) });
        },
      },
      { description: `A page of ${name} objects.` },
    );
  });

  builder.queryField(options.singular, (root) => {
    const t = root as unknown as ResourceQueryBuilder<N>;
    return t.prismaField({
      type: name,
      nullable: true,
      description: `One ${name} by its Base id; null when unknown (or deleted, unless includeDeleted).`,
      args: { baseId: t.arg({ type: 'BigInt', required: true }), includeDeleted: t.arg.boolean({ required: false, defaultValue: false }) },
      resolve: (query, _root, args, ctx) =>
        delegateOf(ctx.prisma, name).findFirst({ ...query, where: { id: args.baseId, ...(args.includeDeleted ? {} : { deletedAt: null }) } }),
    });
  });
  RESOURCES.push(name);
  return node;
}

/** Options of a related connection that hides deleted objects unless asked (`extraWhere`: e.g. the resource type). */
export function relatedList(t: { arg: ArgBuilder<BuilderTypes> }, extraWhere: { resourceType?: string } = {}) {
  return {
    ...pageSize,
    cursor: 'id' as const,
    totalCount: true,
    args: {
      includeDeleted: t.arg.boolean({ required: false, defaultValue: false, description: 'Include deleted objects.' }),
    },
    query: (args: { includeDeleted?: boolean | null }) => ({
      where: { ...extraWhere, ...(args.includeDeleted ? {} : { deletedAt: null }) },
      orderBy: { id: 'asc' as const },
    }),
  };
}
