// What an operation reads, for the response cache: the change types (as change_events names them)
// whose changes may change its answer. Derived from the document against the schema: every
// field's return type (an interface or union: every member), a connection or edge: its nodes', a
// relation filter in an argument: its target's. A type the mirror does not keep per change
// (figures about the mirror as a whole, sync status) reads everything. Pure, and the same for
// every request with the same document.
import {
  getNamedType,
  isAbstractType,
  isInputObjectType,
  isObjectType,
  Kind,
  parse,
  TypeInfo,
  visit,
  visitWithTypeInfo,
  type GraphQLInputType,
  type GraphQLNamedType,
  type GraphQLObjectType,
  type GraphQLSchema,
  type ValueNode,
} from 'graphql';
import { modelNameOf, RESOURCE_TYPES } from '../resource-types.ts';

/** Change types read, or every type ('*'). */
export type ReadTypes = ReadonlySet<string> | '*';

/** The version key of rejected items (change_type_versions, kept by a trigger on rejected_items). */
export const REJECTED_ITEM = 'rejected_item';

/** Object types whose values live in their parent's row: reading them reads nothing more. */
const EMBEDDED = new Set(['Query', 'PageInfo', 'Address', 'Price', 'UserGroup', 'UserRole']);

/** The change type each GraphQL object type's rows are, by name. */
const CHANGE_TYPE_OF: ReadonlyMap<string, string> = new Map([
  ...RESOURCE_TYPES.map((type) => [modelNameOf(type), type] as const),
  ['RejectedItem', REJECTED_ITEM] as const,
]);

/** `XWhere` filters objects of X, and its relation fields filter on related types. */
const whereTarget = (inputName: string) => (inputName.endsWith('Where') ? CHANGE_TYPE_OF.get(inputName.slice(0, -'Where'.length)) : undefined);

/** Reads the types of documents against one schema; memoizes per object and input type. */
export function createReadTypes(schema: GraphQLSchema): (document: string) => ReadTypes {
  const ofObject = new Map<string, ReadTypes>();
  const ofInput = new Map<string, ReadTypes>();

  const union = (into: Set<string>, types: ReadTypes): boolean => {
    if (types === '*') return false;
    for (const t of types) into.add(t);
    return true;
  };

  /** An object type: its own rows, a connection's or edge's nodes, nothing (embedded), or all. */
  const objectTypes = (type: GraphQLObjectType): ReadTypes => {
    const known = ofObject.get(type.name);
    if (known) return known;
    ofObject.set(type.name, new Set()); // a cycle adds nothing more
    let result: ReadTypes;
    const own = CHANGE_TYPE_OF.get(type.name);
    const fields = type.getFields();
    if (own) result = new Set([own]);
    else if (EMBEDDED.has(type.name) || type.name.startsWith('__')) result = new Set(); // introspection: the schema's
    else if (fields.edges || fields.node) {
      const into = new Set<string>();
      result = [fields.edges, fields.node].every((f) => !f || union(into, namedTypes(getNamedType(f.type)))) ? into : '*';
    } else result = '*';
    ofObject.set(type.name, result);
    return result;
  };

  const namedTypes = (type: GraphQLNamedType): ReadTypes => {
    if (isObjectType(type)) return objectTypes(type);
    if (isAbstractType(type)) {
      const into = new Set<string>();
      return schema.getPossibleTypes(type).every((member) => union(into, objectTypes(member))) ? into : '*';
    }
    return new Set();
  };

  /** Every type an input type's relation filters may reach (for a value given in a variable). */
  const inputTypes = (type: GraphQLInputType): ReadTypes => {
    const named = getNamedType(type);
    if (!isInputObjectType(named)) return new Set();
    const known = ofInput.get(named.name);
    if (known) return known;
    const into = new Set<string>();
    ofInput.set(named.name, into);
    const target = whereTarget(named.name);
    if (target) into.add(target);
    for (const field of Object.values(named.getFields())) union(into, inputTypes(field.type));
    return into;
  };

  /** The types a literal argument value's relation filters reach; variables: all their type may. */
  const valueTypes = (value: ValueNode, type: GraphQLInputType, into: Set<string>): void => {
    if (value.kind === Kind.VARIABLE) {
      union(into, inputTypes(type));
      return;
    }
    const named = getNamedType(type);
    if (value.kind === Kind.LIST) {
      for (const item of value.values) valueTypes(item, named, into);
      return;
    }
    if (value.kind !== Kind.OBJECT || !isInputObjectType(named)) return;
    const target = whereTarget(named.name);
    if (target) into.add(target);
    const fields = named.getFields();
    for (const field of value.fields) {
      const def = fields[field.name.value];
      if (def) valueTypes(field.value, def.type, into);
    }
  };

  return (document) => {
    const typeInfo = new TypeInfo(schema);
    const into = new Set<string>();
    let all = false;
    visit(
      parse(document),
      visitWithTypeInfo(typeInfo, {
        Field() {
          const type = typeInfo.getType();
          if (type && !union(into, namedTypes(getNamedType(type)))) all = true;
        },
        Argument(node) {
          const arg = typeInfo.getArgument();
          if (arg) valueTypes(node.value, arg.type, into);
        },
      }),
    );
    return all ? '*' : into;
  };
}
