// Batches of changes to the world (`POST /_sim/changes`, `simulator.changes()`), applied all or
// nothing: every change is checked against the world as the earlier changes of the batch leave
// it before any is applied.
import { z } from 'zod';
import { isTypeName } from './resource-types.ts';
import type { World } from './world.ts';

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
  changes.forEach((c, index) => {
    if (c.op === 'create') {
      if (c.id === undefined) return;
      if (isLive(c.type, c.id)) problems.push({ index, code: 'already_exists', message: `${c.type} ${c.id} already exists` });
      liveAfter.set(`${c.type}:${c.id}`, true);
      return;
    }
    if (!isLive(c.type, c.id)) problems.push({ index, code: 'not_found', message: `${c.type} ${c.id} does not exist` });
    if (c.op === 'delete') liveAfter.set(`${c.type}:${c.id}`, false);
  });
  if (problems.length > 0) throw new ChangeBatchError(problems);

  return changes.map((c): ChangeResult => {
    if (c.op === 'create') {
      const h = world.create(c.type, { ...(c.id !== undefined ? { id: c.id } : {}), data: c.data ?? {} });
      return { type: c.type, id: world.idOf(h), revision: world.revisionOf(h) };
    }
    const h = world.handleOf(world.table(c.type)!, c.id)!;
    if (c.op === 'update') return { type: c.type, id: c.id, revision: world.update(h, c.data ?? {}) };
    world.delete(h);
    return { type: c.type, id: c.id, revision: 0 };
  });
}
