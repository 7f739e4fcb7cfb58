// Compiles a query over the mirror into ONE SQL statement that builds the whole answer's JSON in
// Postgres (json_build_object, json_agg, a correlated subquery per to-one relation and nested
// connection), as PostGraphile, Hasura and pg_graphql do: no per-row work in JavaScript, one round
// trip whatever the selection. Pure: a validated document, its variables and the schema in, SQL text
// and parameters out (every value a parameter, so the text is stable per document shape and is
// prepared once per connection).
//
// Pothos stays the authority on what a field means: the compiler reads each field's meaning from
// what the Prisma plugin records on it (an exposed column, a relation, a money column's text) and
// covers only what it knows answers exactly as the resolvers would. Anything else (a field it does
// not know, arguments the resolvers would refuse, backward pages, unions, payload JSON) makes the
// whole operation "not covered", and the resolvers run it: their answers and error messages stay.
import {
  getArgumentValues,
  getDirectiveValues,
  getNamedType,
  getNullableType,
  getOperationAST,
  getVariableValues,
  GraphQLIncludeDirective,
  GraphQLList,
  GraphQLObjectType,
  GraphQLScalarType,
  GraphQLSkipDirective,
  isAbstractType,
  isListType,
  isObjectType,
  isScalarType,
  Kind,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLField,
  type GraphQLOutputType,
  type GraphQLSchema,
  type SelectionSetNode,
} from 'graphql';
import { CUSTOM_FIELD_READERS } from '../custom-field-accessors.ts';
import type { WhereInput } from '../filters.ts';
import { checkWhere, modelFields, RESOURCES, type ModelName } from '../resources.ts';
import { beyondCursor, orderSql, sortKeysOf, type OrderKey, type SortKey } from '../sql-connection.ts';
import { columnOf, SqlBuilder, tableOf, whereSql } from '../where-sql.ts';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from '../page-size.ts';
import { applyPost, PostBuilder, type Post } from './post.ts';


/** One statement answering a whole operation. */
export interface CompiledQuery {
  /** Statement text: one row, one column `data`, the JSON text of the answer's `data`. */
  text: string;
  values: unknown[];
  /** What JavaScript finishes once the JSON is parsed (custom-field accessors), if anything. */
  post?: Post;
}

/** Options for {@link compileQuery}. */
export interface CompileOptions {
  schema: GraphQLSchema;
  /** A document that passed validation. */
  document: DocumentNode;
  operationName?: string | null | undefined;
  /** The request's variables, as sent (coerced here as graphql-js would). */
  variables?: Readonly<Record<string, unknown>> | null | undefined;
  /** The discovered types of a model's custom fields (asked only when orderBy names one). */
  customFieldTypes: (name: ModelName) => Promise<ReadonlyMap<string, string>>;
}

export type CompileResult = { covered: true; query: CompiledQuery } | { covered: false; reason: string };

/** Thrown inside the compiler for what it does not cover; answered as `{ covered: false }`. */
class NotCovered extends Error {}
const notCovered = (reason: string): never => {
  throw new NotCovered(reason);
};

/** Pairs one json_build_object takes (Postgres allows 100 arguments). */
const MAX_PAIRS = 50;
/** A Base id as its canonical digits (a global id of `Deal:007` is left to the resolvers). */
const INT64 = /^(0|-?[1-9]\d{0,18})$/;
/** The BigInt scalar's bounds of a number (scalars.ts): beyond, ids are strings. */
const MIN_SAFE = String(Number.MIN_SAFE_INTEGER);
const MAX_SAFE = String(Number.MAX_SAFE_INTEGER);

// RESOURCES fills as the resource files define their types: read when asked, not at load.
const isResource = (name: string): name is ModelName => (RESOURCES as readonly string[]).includes(name);

// Every value is built as JSON text, written exactly as JSON.stringify writes it (no spaces; Postgres
// escapes strings as JavaScript does), or NULL for JSON null: the answer's text can be sent as is.

/** A BigInt column as JSON text: a number when exact, else a string of its digits (as the BigInt scalar). */
const bigIntJson = (column: string) => `CASE WHEN ${column} BETWEEN ${MIN_SAFE} AND ${MAX_SAFE} THEN ${column}::text ELSE '"' || ${column}::text || '"' END`;
/** Any value Postgres writes as JSON (text, booleans, integers, text arrays) as JSON text. */
const json = (value: string) => `to_json(${value})::text`;
/** Text that needs no escaping (base64, digits, dates) as a JSON string. */
const quoted = (text: string) => `'"' || ${text} || '"'`;
/** Base64 without line breaks (Postgres breaks at 76 characters). */
const base64 = (text: string) => `translate(encode(convert_to(${text}, 'UTF8'), 'base64'), E'\\n', '')`;
/** A Relay global id (base64 of `Type:id`), as the Relay plugin encodes it. */
const globalIdSql = (typename: string, id: string) => quoted(base64(`'${typename}:' || ${id}::text`));
/** A connection cursor on the Base id, as the Prisma plugin formats it (`GPC:I:<id>`). */
const cursorSql = (id: string) => quoted(base64(`'GPC:I:' || (${id})::text`));
/** A type name as a JSON string. */
const literal = (name: string) => `'"${name}"'::text`;

/** The Base id in a cursor the Prisma plugin formatted, or undefined for any other cursor. */
export function cursorId(cursor: string): string | undefined {
  const decoded = Buffer.from(cursor, 'base64').toString('utf8');
  const match = /^GPC:I:(-?\d{1,19})$/.exec(decoded);
  return match && Buffer.from(decoded).toString('base64') === cursor ? match[1] : undefined;
}

/** The type and Base id of a canonical global id of a resource, or undefined. */
function globalIdOf(id: unknown): { typename: ModelName; id: string } | undefined {
  if (typeof id !== 'string') return undefined;
  const decoded = Buffer.from(id, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  const typename = decoded.slice(0, colon);
  const baseId = decoded.slice(colon + 1);
  if (colon < 1 || !isResource(typename) || !INT64.test(baseId) || Buffer.from(decoded).toString('base64') !== id) return undefined;
  return { typename, id: baseId };
}

type Fields = Map<string, FieldNode[]>;

interface ConnectionSpec {
  type: GraphQLObjectType;
  model: ModelName;
  /** The condition on rows `t`; its joins go to `b`. */
  where: (b: SqlBuilder) => string;
  keys: SortKey[];
  /** Rows asked: the page size and one more (to tell hasNextPage). */
  take: number;
  /** The Base id of the `after` cursor's row. */
  after?: string | undefined;
  nodes: readonly FieldNode[];
  post: PostBuilder;
}

class Compiler {
  readonly values: unknown[] = [];
  private aliases = 0;
  /** Columns read of each connection page's rows (the page projects them). */
  private readonly columns = new Map<string, Set<string>>();

  constructor(
    readonly schema: GraphQLSchema,
    readonly fragments: ReadonlyMap<string, FragmentDefinitionNode>,
    readonly variables: Record<string, unknown>,
    readonly customFieldTypes: CompileOptions['customFieldTypes'],
  ) {}

  param(value: unknown, sqlType: string): string {
    this.values.push(value);
    return `$${this.values.length}::${sqlType}`;
  }

  alias(prefix = 't'): string {
    return `${prefix}${++this.aliases}`;
  }

  /** A column of the row `a` (noted when `a` is a page's: the page projects what is read). */
  col(a: string, column: string): string {
    this.columns.get(a)?.add(column);
    return `${a}."${column}"`;
  }

  /** A builder of a part of the statement: the statement's parameters, joins of its own. */
  builder(): SqlBuilder {
    return new SqlBuilder(this.values);
  }

  /** graphql-js' field collection: by response key, in order, through fragments, with @skip/@include. */
  collect(type: GraphQLObjectType, sets: ReadonlyArray<SelectionSetNode | undefined>): Fields {
    const out: Fields = new Map();
    const visited = new Set<string>();
    const visit = (set: SelectionSetNode | undefined) => {
      for (const selection of set?.selections ?? []) {
        if (!this.included(selection)) continue;
        if (selection.kind === Kind.FIELD) {
          const key = selection.alias?.value ?? selection.name.value;
          const list = out.get(key);
          if (list) list.push(selection);
          else out.set(key, [selection]);
        } else if (selection.kind === Kind.INLINE_FRAGMENT) {
          if (!selection.typeCondition || this.applies(selection.typeCondition.name.value, type)) visit(selection.selectionSet);
        } else {
          const name = selection.name.value;
          if (visited.has(name)) continue;
          visited.add(name);
          const fragment = this.fragments.get(name) ?? notCovered(`unknown fragment ${name}`);
          if (this.applies(fragment.typeCondition.name.value, type)) visit(fragment.selectionSet);
        }
      }
    };
    sets.forEach(visit);
    return out;
  }

  private included(node: Parameters<typeof getDirectiveValues>[1]): boolean {
    if (getDirectiveValues(GraphQLSkipDirective, node, this.variables)?.if === true) return false;
    return getDirectiveValues(GraphQLIncludeDirective, node, this.variables)?.if !== false;
  }

  private applies(condition: string, type: GraphQLObjectType): boolean {
    if (condition === type.name) return true;
    const abstract = this.schema.getType(condition);
    return abstract !== undefined && isAbstractType(abstract) && this.schema.isSubType(abstract, type);
  }

  args(def: GraphQLField<unknown, unknown>, node: FieldNode): Record<string, unknown> {
    return getArgumentValues(def, node, this.variables);
  }

  object(pairs: ReadonlyArray<readonly [string, string]>): string {
    if (pairs.length > MAX_PAIRS) notCovered(`more than ${MAX_PAIRS} fields in one selection`);
    return `('{' || ${pairs.map(([key, value], i) => `'${i ? ',' : ''}"${key}":' || COALESCE(${value}, 'null')`).join(' || ')} || '}')`;
  }

  // ─── The root ───────────────────────────────────────────────────────────────────────────

  async root(type: GraphQLObjectType, set: SelectionSetNode, post: PostBuilder): Promise<string> {
    const pairs: Array<[string, string]> = [];
    for (const [key, nodes] of this.collect(type, [set])) {
      const node = nodes[0]!;
      const name = node.name.value;
      if (name === '__typename') {
        pairs.push([key, literal(type.name)]);
        continue;
      }
      const def = type.getFields()[name] ?? notCovered(`no field ${name}`);
      const args = this.args(def, node);
      const names = new Set(def.args.map((a) => a.name));
      if (name === 'node') pairs.push([key, this.byGlobalId(args.id, args.includeDeleted === true, nodes, post.child(key, false))]);
      else if (name === 'nodes') {
        const ids = Array.isArray(args.ids) ? args.ids : notCovered('nodes without ids');
        if (ids.length > MAX_PAGE_SIZE) notCovered('too many ids');
        // Objects of different types in one list: none may need finishing in JavaScript.
        const items = ids.map((id) => {
          const itemPost = new PostBuilder();
          const json = this.byGlobalId(id, args.includeDeleted === true, nodes, itemPost);
          if (itemPost.build()) notCovered('custom fields in nodes');
          return json;
        });
        pairs.push([key, items.length ? `('[' || ${items.map((item) => `COALESCE(${item}, 'null')`).join(` || ',' || `)} || ']')` : `'[]'::text`]);
      } else if (names.has('where') && names.has('orderBy') && names.has('first')) {
        pairs.push([key, await this.rootConnection(def, args, nodes, post.child(key, false))]);
      } else if (names.has('baseId') && isObjectType(getNamedType(def.type)) && isResource(getNamedType(def.type).name)) {
        const target = getNamedType(def.type) as GraphQLObjectType;
        pairs.push([key, this.byId(target, String(args.baseId), args.includeDeleted === true, nodes, post.child(key, false))]);
      } else notCovered(`Query.${name}`);
    }
    return this.object(pairs);
  }

  private byGlobalId(id: unknown, includeDeleted: boolean, nodes: readonly FieldNode[], post: PostBuilder): string {
    const global = globalIdOf(id) ?? notCovered('not the global id of a resource');
    const type = this.schema.getType(global.typename);
    if (!isObjectType(type)) return notCovered(`no type ${global.typename}`);
    return this.byId(type, global.id, includeDeleted, nodes, post);
  }

  private byId(type: GraphQLObjectType, id: string, includeDeleted: boolean, nodes: readonly FieldNode[], post: PostBuilder): string {
    if (!INT64.test(id)) notCovered('not a Base id');
    const model = type.name as ModelName;
    const a = this.alias();
    const json = this.node(type, model, a, nodes, post);
    return `(SELECT ${json} FROM "${tableOf(model)}" AS ${a} WHERE ${a}."id" = ${this.param(id, 'bigint')}${includeDeleted ? '' : ` AND ${a}."deleted_at" IS NULL`})`;
  }

  private async rootConnection(def: GraphQLField<unknown, unknown>, args: Record<string, unknown>, nodes: readonly FieldNode[], post: PostBuilder): Promise<string> {
    const type = getNullableType(def.type);
    if (!isObjectType(type)) return notCovered('connection type');
    const nodeType = getNamedType(edgeNodeType(type));
    if (!isObjectType(nodeType) || !isResource(nodeType.name)) return notCovered('connection of something else than a resource');
    const model = nodeType.name;
    const take = pageTake(args);
    const orderBy = (args.orderBy ?? []) as OrderKey[];
    if (orderBy.some((o) => (o.field == null) === (o.customField == null))) notCovered('orderBy entry with both or neither');
    try {
      checkWhere(args.where as WhereInput | null | undefined);
    } catch {
      notCovered('where refused');
    }
    const types = orderBy.some((o) => o.customField != null) ? await this.customFieldTypes(model) : new Map<string, string>();
    const where = args.where as WhereInput | null | undefined;
    const includeDeleted = args.includeDeleted === true;
    return this.connection({
      type,
      model,
      where: (b) => {
        const condition = whereSql(model, where, 't', b);
        return includeDeleted ? condition : `${condition} AND t."deleted_at" IS NULL`;
      },
      keys: sortKeysOf(types, orderBy),
      take,
      after: afterOf(args),
      nodes,
      post,
    });
  }

  // ─── Connections ────────────────────────────────────────────────────────────────────────

  connection(spec: ConnectionSpec): string {
    const fields = this.collect(spec.type, spec.nodes.map((n) => n.selectionSet));
    const table = tableOf(spec.model);
    const wantsTotal = [...fields.values()].some((nodes) => nodes[0]!.name.value === 'totalCount');
    const windowCount = wantsTotal && spec.after === undefined;
    const b = this.builder();
    const condition = spec.where(b);
    let cursorJoin = '';
    let beyond = '';
    if (spec.after !== undefined) {
      cursorJoin = ` CROSS JOIN (SELECT ${spec.keys.map((k, i) => `${k.expression('c')} AS k${i}`).join(', ')} FROM "${table}" AS c WHERE c."id" = ${this.param(spec.after, 'bigint')}) AS c`;
      beyond = ` AND ${beyondCursor(spec.keys, true)}`;
    }
    const order = orderSql(spec.keys, 't', false);
    const size = this.param(spec.take - 1, 'int');
    const limit = this.param(spec.take, 'int');
    // The page's rows, numbered in order (the last is only there to tell hasNextPage); the
    // aggregates that depend on the order say it (ORDER BY __o): a subquery's order is not
    // guaranteed to reach an aggregate.
    const x = this.alias('x');
    const columns = new Set(['id']);
    this.columns.set(x, columns);
    const pairs: Array<[string, string]> = [];
    for (const [key, nodes] of fields) {
      const name = nodes[0]!.name.value;
      if (name === '__typename') pairs.push([key, literal(spec.type.name)]);
      else if (name === 'totalCount') {
        if (windowCount) pairs.push([key, `COALESCE(max(${x}.__total), 0)::text`]);
        else {
          const count = this.builder();
          const counted = spec.where(count);
          pairs.push([key, `(SELECT count(*) FROM "${table}" AS t ${count.joins.join(' ')} WHERE ${counted})::text`]);
        }
      } else if (name === 'edges') {
        const edgeType = getNamedType(spec.type.getFields().edges!.type) as GraphQLObjectType;
        const edgePost = spec.post.child(key, true);
        const edge: Array<[string, string]> = [];
        for (const [edgeKey, edgeNodes] of this.collect(edgeType, nodes.map((e) => e.selectionSet))) {
          const edgeField = edgeNodes[0]!.name.value;
          if (edgeField === '__typename') edge.push([edgeKey, literal(edgeType.name)]);
          else if (edgeField === 'cursor') edge.push([edgeKey, cursorSql(`${x}."id"`)]);
          else if (edgeField === 'node') {
            const nodeType = getNamedType(edgeType.getFields().node!.type) as GraphQLObjectType;
            edge.push([edgeKey, this.node(nodeType, spec.model, x, edgeNodes, edgePost.child(edgeKey, false))]);
          } else notCovered(`${edgeType.name}.${edgeField}`);
        }
        pairs.push([key, `COALESCE('[' || string_agg(${this.object(edge)}, ',' ORDER BY ${x}.__o) FILTER (WHERE ${x}.__o <= ${size}) || ']', '[]')`]);
      } else if (name === 'pageInfo') {
        const infoType = getNamedType(spec.type.getFields().pageInfo!.type) as GraphQLObjectType;
        const info: Array<[string, string]> = [];
        for (const [infoKey, infoNodes] of this.collect(infoType, nodes.map((p) => p.selectionSet))) {
          const infoField = infoNodes[0]!.name.value;
          if (infoField === '__typename') info.push([infoKey, literal(infoType.name)]);
          else if (infoField === 'hasNextPage') info.push([infoKey, `(count(*) > ${size})::text`]);
          else if (infoField === 'hasPreviousPage') info.push([infoKey, spec.after !== undefined ? `'true'` : `'false'`]);
          else if (infoField === 'startCursor') info.push([infoKey, cursorSql(`min(${x}."id") FILTER (WHERE ${x}.__o = 1 AND ${x}.__o <= ${size})`)]);
          else if (infoField === 'endCursor') info.push([infoKey, cursorSql(`(array_agg(${x}."id" ORDER BY ${x}.__o DESC) FILTER (WHERE ${x}.__o <= ${size}))[1]`)]);
          else notCovered(`PageInfo.${infoField}`);
        }
        pairs.push([key, this.object(info)]);
      } else notCovered(`${spec.type.name}.${name}`);
    }
    const object = this.object(pairs);
    const page =
      `SELECT ${[...columns].map((c) => `t."${c}"`).join(', ')}, row_number() OVER (ORDER BY ${order}) AS __o${windowCount ? ', count(*) OVER () AS __total' : ''} ` +
      `FROM "${table}" AS t${cursorJoin} ${b.joins.join(' ')} WHERE ${condition}${beyond} ORDER BY ${order} LIMIT ${limit}`;
    return `(SELECT ${object} FROM (${page}) AS ${x})`;
  }

  // ─── Objects ────────────────────────────────────────────────────────────────────────────

  /** The JSON of the row `a` of `model` (a column reference in scope), as `type` with the selection of `nodes`. */
  node(type: GraphQLObjectType, model: ModelName, a: string, nodes: readonly FieldNode[], post: PostBuilder): string {
    if (type.name !== model) notCovered(`${type.name} is not the node of ${model}`);
    const pairs: Array<[string, string]> = [];
    const columns = new Map(modelFields(model).map((f) => [f.name, f]));
    for (const [key, fieldNodes] of this.collect(type, nodes.map((n) => n.selectionSet))) {
      const node = fieldNodes[0]!;
      const name = node.name.value;
      if (name === '__typename') {
        pairs.push([key, literal(type.name)]);
        continue;
      }
      const def = type.getFields()[name] ?? notCovered(`no field ${type.name}.${name}`);
      const ext = (def.extensions ?? {}) as Record<string, unknown>;
      const exposed = ext.pothosExposedField;
      const relation = ext.pothosPrismaRelationField as RelationField | undefined;
      const select = ext.pothosPrismaSelect;
      if (name === 'id' && type.getInterfaces().some((i) => i.name === 'Node')) {
        pairs.push([key, globalIdSql(type.name, this.col(a, 'id'))]);
      } else if (typeof exposed === 'string' && columns.get(exposed)?.kind === 'scalar') {
        pairs.push([key, columnJson(def.type, this.col(a, columnOf(exposed)))]);
      } else if (relation && !relation.isList) {
        pairs.push([key, this.toOne(def, relation, a, fieldNodes, post.child(key, false))]);
      } else if (relation) {
        pairs.push([key, this.related(def, relation, model, a, fieldNodes, post.child(key, false))]);
      } else if (Object.hasOwn(CUSTOM_FIELD_READERS, name) && columns.has('customFields')) {
        const reader = CUSTOM_FIELD_READERS[name as keyof typeof CUSTOM_FIELD_READERS];
        const args = this.args(def, node);
        if (typeof args.name !== 'string') notCovered('custom field without a name');
        pairs.push([key, `(${this.col(a, 'custom_fields')} -> ${this.param(args.name, 'text')})::text`]);
        // customValue's rule: an absent or null value answers null; any other goes to the reader.
        post.fix(key, (value) => (value === null || value === undefined ? null : completeLeaf(def.type, reader(value))));
      } else if (isMoneyText(def.type, select, columns)) {
        pairs.push([key, json(this.col(a, columnOf(Object.keys(select as object)[0]!)))]);
      } else notCovered(`${type.name}.${name}`);
    }
    return this.object(pairs);
  }

  private toOne(def: GraphQLField<unknown, unknown>, relation: RelationField, a: string, nodes: readonly FieldNode[], post: PostBuilder): string {
    const target = getNamedType(def.type);
    const foreignKey = relation.relationFromFields?.length === 1 ? relation.relationFromFields[0]! : notCovered(`relation ${relation.name} without one key`);
    if (!isObjectType(target) || !isResource(target.name) || target.name !== relation.type) return notCovered(`relation ${relation.name}`);
    if ('query' in ((def.extensions?.pothosOptions ?? {}) as object)) notCovered(`relation ${relation.name} with a query`);
    const b = this.alias();
    return `(SELECT ${this.node(target, target.name, b, nodes, post)} FROM "${tableOf(target.name)}" AS ${b} WHERE ${b}."id" = ${this.col(a, columnOf(foreignKey))})`;
  }

  private related(def: GraphQLField<unknown, unknown>, relation: RelationField, model: ModelName, a: string, nodes: readonly FieldNode[], post: PostBuilder): string {
    const type = getNullableType(def.type);
    if (!isObjectType(type) || !isResource(relation.type)) return notCovered(`related ${relation.name}`);
    const target = relation.type;
    const back = modelFields(target).find((f) => (f as RelationField).relationName === relation.relationName && f.relationFromFields?.length === 1);
    if (!back) return notCovered(`no key of ${relation.name}`);
    const args = this.args(def, nodes[0]!);
    if (args.last != null || args.before != null) notCovered('backward page');
    const take = pageTake(args);
    const after = afterOf(args);
    // What the Prisma plugin would load for this relation: its where and order (relatedList), page.
    const select = def.extensions?.pothosPrismaSelect;
    if (typeof select !== 'function') return notCovered(`related ${relation.name} without its query`);
    let query: { where?: Record<string, unknown>; orderBy?: unknown; take?: number };
    try {
      const selected = (select as RelationSelect)(args, {}, (q) => q, () => new Set(['edges']));
      query = (selected as { select: Record<string, typeof query> }).select[relation.name] ?? notCovered('relation query');
    } catch (error) {
      if (error instanceof NotCovered) throw error;
      return notCovered('relation arguments refused');
    }
    if (JSON.stringify(query.orderBy) !== '{"id":"asc"}' || query.take !== take) notCovered('relation order or page');
    const fields = new Map(modelFields(target).map((f) => [f.name, f]));
    const equalities = Object.entries(query.where ?? {});
    for (const [field, value] of equalities) {
      if (fields.get(field)?.kind !== 'scalar' || (value !== null && typeof value !== 'string' && typeof value !== 'boolean')) notCovered(`relation where on ${field}`);
    }
    const foreignKey = columnOf(back.relationFromFields![0]!);
    return this.connection({
      type,
      model: target,
      where: (b) =>
        [`t."${foreignKey}" = ${this.col(a, 'id')}`, ...equalities.map(([field, value]) => (value === null ? `t."${columnOf(field)}" IS NULL` : `t."${columnOf(field)}" = ${b.param(value, typeof value === 'boolean' ? 'boolean' : 'text')}`))].join(' AND '),
      keys: sortKeysOf(new Map(), []),
      take,
      after,
      nodes,
      post,
    });
  }
}

interface RelationField {
  name: string;
  type: string;
  isList: boolean;
  relationName?: string;
  relationFromFields?: readonly string[] | undefined;
}

type RelationSelect = (args: object, ctx: object, nested: (q: unknown) => unknown, selection: () => Set<string>) => unknown;

/** The node type of a connection type's edges. */
function edgeNodeType(connection: GraphQLObjectType): GraphQLOutputType {
  const edges = connection.getFields().edges ?? notCovered('connection without edges');
  const edge = getNamedType(edges.type);
  if (!isObjectType(edge)) return notCovered('edge type');
  return (edge.getFields().node ?? notCovered('edge without node')).type;
}

/** Rows a forward page reads (its size and one more), as the Prisma plugin's; anything it refuses is not covered. */
function pageTake(args: Record<string, unknown>): number {
  if (args.last != null || args.before != null) notCovered('backward page');
  const first = args.first as number | null | undefined;
  if (first != null && (first < 0 || first > MAX_PAGE_SIZE)) notCovered('page size refused');
  return (first ?? DEFAULT_PAGE_SIZE) + 1;
}

function afterOf(args: Record<string, unknown>): string | undefined {
  if (args.after == null) return undefined;
  return cursorId(String(args.after)) ?? notCovered('a cursor of another form');
}

/** A money column's generated text (`valueText` for `value`), when that is what the field serves. */
function isMoneyText(type: GraphQLOutputType, select: unknown, columns: ReadonlyMap<string, { type: string }>): boolean {
  if (getNamedType(type).name !== 'Decimal' || isListType(getNullableType(type)) || !select || typeof select !== 'object') return false;
  const keys = Object.keys(select);
  return keys.length === 1 && keys[0]!.endsWith('Text') && (select as Record<string, unknown>)[keys[0]!] === true && columns.get(keys[0]!)?.type === 'String';
}

/** The JSON of a column exposed as `type`, serialized as the scalar would. */
function columnJson(type: GraphQLOutputType, column: string): string {
  const nullable = getNullableType(type);
  if (isListType(nullable)) {
    const item = getNamedType(nullable).name;
    if (item === 'String') return json(column);
    if (item === 'BigInt') {
      return `CASE WHEN ${column} IS NULL THEN NULL ELSE COALESCE((SELECT '[' || string_agg(${bigIntJson('v')}, ',' ORDER BY i) || ']' FROM unnest(${column}) WITH ORDINALITY AS u(v, i)), '[]') END`;
    }
    return notCovered(`list of ${item}`);
  }
  switch (getNamedType(type).name) {
    case 'String':
    case 'Boolean':
    case 'Int':
      return json(column);
    case 'BigInt':
      return bigIntJson(column);
    case 'DateTime':
      return quoted(`to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`);
    case 'Date':
      return quoted(`to_char(${column}, 'YYYY-MM-DD')`);
    default:
      return notCovered(`a column of type ${String(type)}`);
  }
}

/** A leaf value as graphql-js completes it: the scalar's serialization, item by item for a list. */
function completeLeaf(type: GraphQLOutputType, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  const nullable = getNullableType(type);
  if (nullable instanceof GraphQLList) return (value as unknown[]).map((v) => completeLeaf(nullable.ofType as GraphQLOutputType, v));
  if (isScalarType(nullable)) return (nullable as GraphQLScalarType).serialize(value);
  return value;
}

/**
 * Compiles the operation graphql would run; `{ covered: false }` when any part of it is not
 * covered (then the resolvers answer it), or when its variables are invalid (they say why).
 */
export async function compileQuery(options: CompileOptions): Promise<CompileResult> {
  const operation = getOperationAST(options.document, options.operationName);
  if (!operation) return { covered: false, reason: 'no such operation' };
  if (operation.operation !== 'query') return { covered: false, reason: operation.operation };
  const query = options.schema.getQueryType();
  if (!query) return { covered: false, reason: 'no query type' };
  const coerced = getVariableValues(options.schema, operation.variableDefinitions ?? [], options.variables ?? {});
  if (coerced.errors) return { covered: false, reason: 'invalid variables' };
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of options.document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  const compiler = new Compiler(options.schema, fragments, coerced.coerced, options.customFieldTypes);
  const post = new PostBuilder();
  try {
    const json = await compiler.root(query, operation.selectionSet, post);
    const built = post.build();
    return { covered: true, query: { text: `SELECT ${json} AS data`, values: compiler.values, ...(built ? { post: built } : {}) } };
  } catch (error) {
    if (error instanceof NotCovered) return { covered: false, reason: error.message };
    throw error;
  }
}

/** The answer's `data` from the statement's JSON text. */
export function answerOf(query: CompiledQuery, text: string): Record<string, unknown> {
  const data = JSON.parse(text) as Record<string, unknown>;
  if (query.post) applyPost(query.post, data);
  return data;
}
