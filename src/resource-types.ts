// The Base resource types that have a table of their own (any other type in the stream is
// kept in `other_resources`), and how each is named: its table, its Prisma model. Every layer
// speaks of types in these words, the simulator included.

/** A Base resource type as the Sync API names it in `meta.type`. */
export const RESOURCE_TYPES = [
  'user',
  'lead',
  'contact',
  'deal',
  'pipeline',
  'stage',
  'source',
  'lead_source',
  'deal_source',
  'loss_reason',
  'tag',
  'note',
  'task',
  'associated_contact',
  'product',
  'order',
  'line_item',
  'call',
] as const;

export type ResourceType = (typeof RESOURCE_TYPES)[number];

/** The table of a type: its REST collection, plural snake_case. */
export const TABLES: Record<ResourceType, string> = {
  user: 'users',
  lead: 'leads',
  contact: 'contacts',
  deal: 'deals',
  pipeline: 'pipelines',
  stage: 'stages',
  source: 'sources',
  lead_source: 'lead_sources',
  deal_source: 'deal_sources',
  loss_reason: 'loss_reasons',
  tag: 'tags',
  note: 'notes',
  task: 'tasks',
  associated_contact: 'associated_contacts',
  product: 'products',
  order: 'orders',
  line_item: 'line_items',
  call: 'calls',
};

export function isResourceType(type: string): type is ResourceType {
  return Object.hasOwn(TABLES, type);
}

/** snake_case → PascalCase, as a type: `line_item` → `LineItem`. */
export type PascalCase<S extends string> = S extends `${infer Head}_${infer Tail}` ? `${Capitalize<Head>}${PascalCase<Tail>}` : Capitalize<S>;

/** `line_item` → `LineItem`: a type's Prisma model, and its spelling in Base's ack keys. */
export const pascalCase = <S extends string>(type: S): PascalCase<S> =>
  type
    .split('_')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('') as PascalCase<S>;

/** The Prisma model of a resource type. */
export type ResourceModelName = PascalCase<ResourceType>;

/** The Prisma model of a type: `line_item` → `LineItem`. */
export const modelNameOf = <T extends ResourceType>(type: T): PascalCase<T> => pascalCase(type);
