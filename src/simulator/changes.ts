// Batches of changes to the world (`POST /_sim/changes`, `simulator.changes()`), applied all or
// nothing: every change is checked against the world as the earlier changes of the batch leave
// it before any is applied.
//
// Associated contacts keep distinct (deal_id, contact_id) pairs: a create or update giving one
// a pair that is live (as the earlier changes leave the world) is refused with already_exists.
// Pairs the batch names are reserved, so associated contacts it creates without a pair do not
// draw them. (One case cannot be checked ahead: an update setting only one half of the pair of
// an associated contact whose pair this very batch draws; the world still refuses a clash.)
import { z } from 'zod';
import { isTypeName } from './resource-types.ts';
import { pairKey, type World } from './world.ts';

const typeName = z.string().refine(isTypeName, 'a snake_case type name, like lead or line_item');
const objectId = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);
const data = z.record(z.string(), z.unknown());

/** One change: `create` merges `data` over generated data; `update` merges `data` and bumps the revision. */
export const changeSchema = z.discriminatedUnion('op', [
  z.object({ op: z.literal('create'), type: typeName, id: objectId.optional(), data: data.optional() }).strict(),
  z.object({ op: z.literal('update'), type: typeName, id: objectId, data: data.optional() }).strict(),
  z.object({ op: z.literal('delete'), type: typeName, id: objectId }).strict(),
]);
export const changesSchema = z.array(changeSchema).max(100_000);

export type Change = z.infer<typeof changeSchema>;

/** What a change left: the object's new revision (0 for a delete). */
export interface ChangeResult {
  type: string;
  id: number;
  revision: number;
}

/** A change of a batch that cannot be applied (nothing of the batch was). */
export interface ChangeProblem {
  index: number;
  code: 'not_found' | 'already_exists';
  message: string;
  /** The offending field (default `[index].id`). */
  field?: string;
}

export class ChangeBatchError extends Error {
  constructor(readonly problems: ChangeProblem[]) {
    super(problems.map((p) => `change ${p.index}: ${p.message}`).join('; '));
    this.name = 'ChangeBatchError';
  }
}

/** Applies a batch to the world, or throws {@link ChangeBatchError} and applies none of it. */
export function applyChanges(world: World, changes: readonly Change[]): ChangeResult[] {
  const liveAfter = new Map<string, boolean>();
  const isLive = (type: string, id: number): boolean => {
    const known = liveAfter.get(`${type}:${id}`);
    if (known !== undefined) return known;
    const table = world.table(type);
    const h = table && world.handleOf(table, id);
    return h !== undefined && world.isLive(h);
  };
  const problems: ChangeProblem[] = [];
  const pairs = pairTracker(world);
  changes.forEach((c, index) => {
    if (c.op === 'create') {
      if (c.id !== undefined) {
        if (isLive(c.type, c.id)) problems.push({ index, code: 'already_exists', message: `${c.type} ${c.id} already exists` });
        liveAfter.set(`${c.type}:${c.id}`, true);
      }
      if (c.type === ASSOCIATED_CONTACT) {
        const problem = pairs.create(c.id ?? -(index + 1), c.data ?? {});
        if (problem) problems.push({ index, code: 'already_exists', message: problem, field: `[${index}].data` });
      }
      return;
    }
    const live = isLive(c.type, c.id);
    if (!live) problems.push({ index, code: 'not_found', message: `${c.type} ${c.id} does not exist` });
    if (c.op === 'delete') liveAfter.set(`${c.type}:${c.id}`, false);
    if (c.type !== ASSOCIATED_CONTACT || !live) return;
    if (c.op === 'delete') pairs.delete(c.id);
    else {
      const problem = pairs.update(c.id, c.data ?? {});
      if (problem) problems.push({ index, code: 'already_exists', message: problem, field: `[${index}].data` });
    }
  });
  if (problems.length > 0) throw new ChangeBatchError(problems);
  const avoidPair = (dealId: number, contactId: number): boolean => pairs.reserved.has(pairKey(dealId, contactId) as string);

  return changes.map((c): ChangeResult => {
    if (c.op === 'create') {
      const h = world.create(c.type, { ...(c.id !== undefined ? { id: c.id } : {}), data: c.data ?? {}, avoidPair });
      return { type: c.type, id: world.idOf(h), revision: world.revisionOf(h) };
    }
    const h = world.handleOf(world.table(c.type)!, c.id)!;
    if (c.op === 'update') return { type: c.type, id: c.id, revision: world.update(h, c.data ?? {}) };
    world.delete(h);
    return { type: c.type, id: c.id, revision: 0 };
  });
}

const ASSOCIATED_CONTACT = 'associated_contact';

type Pair = readonly [dealId: unknown, contactId: unknown];

/**
 * The (deal_id, contact_id) pairs of associated contacts as the changes checked so far leave
 * them. Owners are ids (negative placeholders for creates without one); `undefined` as a pair
 * means "drawn when applied", unknown now.
 */
function pairTracker(world: World) {
  const ownerAfter = new Map<string, number | null>();
  const pairAfter = new Map<number, Pair | undefined>();
  /** Every complete pair the batch names: creates without a pair must not draw them. */
  const reserved = new Set<string>();
  const handle = (id: number): number | undefined => {
    const table = world.table(ASSOCIATED_CONTACT);
    return table && world.handleOf(table, id);
  };
  const ownerOf = (key: string): number | null => {
    if (ownerAfter.has(key)) return ownerAfter.get(key) as number | null;
    const [dealId, contactId] = key.split(':').map(Number) as [number, number];
    const h = world.pairOwner(dealId, contactId);
    return h === undefined ? null : world.idOf(h);
  };
  const pairOf = (id: number): Pair | undefined => {
    if (pairAfter.has(id)) return pairAfter.get(id);
    const h = handle(id);
    return h === undefined ? [null, null] : world.pairOf(h);
  };
  const describe = (dealId: unknown, contactId: unknown): string =>
    `an associated_contact with deal_id ${String(dealId)} and contact_id ${String(contactId)} already exists`;
  /** Moves `id` from its pair to `next`; answers a problem if `next` belongs to another. */
  const move = (id: number, before: Pair | undefined, next: Pair | undefined): string | undefined => {
    const from = before && pairKey(...before);
    const to = next && pairKey(...next);
    if (to !== undefined && to !== from) {
      const owner = ownerOf(to);
      if (owner !== null && owner !== id) return describe(...(next as Pair));
    }
    if (from !== undefined && ownerOf(from) === id) ownerAfter.set(from, null);
    if (to !== undefined) {
      ownerAfter.set(to, id);
      reserved.add(to);
    }
    pairAfter.set(id, next);
    return undefined;
  };
  const has = (data: Record<string, unknown>, field: string): boolean => Object.hasOwn(data, field);
  return {
    reserved,
    create(id: number, data: Record<string, unknown>): string | undefined {
      const named = has(data, 'deal_id') && has(data, 'contact_id');
      return move(id, undefined, named ? [data.deal_id, data.contact_id] : undefined);
    },
    update(id: number, data: Record<string, unknown>): string | undefined {
      const hasDeal = has(data, 'deal_id');
      const hasContact = has(data, 'contact_id');
      if (!hasDeal && !hasContact) return undefined;
      const before = pairOf(id);
      const next: Pair | undefined =
        hasDeal && hasContact ? [data.deal_id, data.contact_id]
        : before === undefined ? undefined
        : [hasDeal ? data.deal_id : before[0], hasContact ? data.contact_id : before[1]];
      return move(id, before, next);
    },
    delete(id: number): void {
      move(id, pairOf(id), [null, null]);
    },
  };
}
