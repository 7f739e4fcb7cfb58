// Resource type names as the Sync API spells them: snake_case in `meta.type`, PascalCase in ack keys.

/** Types the generator knows how to build, in the order a fresh device receives them. */
export const GENERATED_TYPES = [
  'user',
  'pipeline',
  'stage',
  'source',
  'lead_source',
  'deal_source',
  'loss_reason',
  'tag',
  'call_outcome',
  'lead',
  'contact',
  'deal',
  'associated_contact',
  'note',
  'task',
  'call',
  'product',
  'order',
  'line_item',
  'visit',
] as const;

export type GeneratedType = (typeof GENERATED_TYPES)[number];

const TYPE_NAME = /^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$/;

/** Whether `name` is a plausible snake_case type name (any type may appear in the stream). */
export function isTypeName(name: string): boolean {
  return name.length <= 64 && TYPE_NAME.test(name);
}

/** The ack key of one state of an object: `<Type>-<id>-<revision>` (`Lead-42-7`, `Lead-42-0` for a delete). */
export function ackKey(pascal: string, id: number, revision: number): string {
  return `${pascal}-${id}-${revision}`;
}

/** Splits an ack key; undefined when it is not of the simulator's own `<Type>-<id>-<revision>` form. */
export function parseAckKey(key: string): { pascal: string; id: number; revision: number } | undefined {
  const m = /^([A-Z][A-Za-z0-9]*)-(\d{1,16})-(\d{1,16})$/.exec(key);
  if (!m) return undefined;
  const id = Number(m[2]);
  const revision = Number(m[3]);
  if (!Number.isSafeInteger(id) || !Number.isSafeInteger(revision)) return undefined;
  return { pascal: m[1] as string, id, revision };
}
