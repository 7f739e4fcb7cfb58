// Subscriptions: every real change (created, updated, deleted) as it is committed, for all
// types (`changes`) or one (`dealChanged`, ...), filtered by kind and by the same `where` as
// the queries, resumable from a cursor; and the sync status.
import { brandWithType, type ArgBuilder } from '@pothos/core';
import { queryFromInfo } from '@pothos/plugin-prisma';
import { GraphQLError, type GraphQLResolveInfo } from 'graphql';
import { delegateNameOf, delegateOf, type ModelRow } from '../db/delegates.ts';
import { modelNameOf, RESOURCE_TYPES, type ResourceType } from '../resource-types.ts';
import { abortable, waitUnlessAborted, mapIterator } from '../events/abortable.ts';
import { bigintsAsStrings } from '../store/exact-json.ts';
import { batchOf, type ChangeEvent } from '../events/change-feed.ts';
import { changeStream, cursorOf, parseCursor } from '../events/change-stream.ts';
import { builder, type BuilderTypes, type Context } from './builder.ts';
import { checkWhere, whereShape, whereInput, RESOURCES, type ModelName } from './resources.ts';
import { whereToPrisma, type WhereInput } from './filters.ts';
import { SyncStatus, syncStatusOf } from './sync-status.ts';
import { matchesRow, namesRelations } from './where-match.ts';
import { idsMatching } from './sql-connection.ts';
import { usesCustomFields } from './where-sql.ts';
import { ResourceTypeEnum } from './resource-type-enum.ts';

const DEFAULT_BUFFER = 1000;

const ChangeKind = builder.enumType('ChangeKind', {
  description: 'What a change did to an object, as decided by the mirror (not by the upstream hint).',
  values: {
    CREATED: { description: 'The object appeared (or came back after a delete).' },
    UPDATED: { description: 'A newer revision of a live object was stored.' },
    DELETED: { description: 'The object was deleted; it keeps its last state, with deletedAt set.' },
  },
});

const modelOf = (type: ResourceType): ModelName => modelNameOf(type);

function feedOf(ctx: Context) {
  if (!ctx.changes) throw new GraphQLError('subscriptions are not available on this server', { extensions: { code: 'UNAVAILABLE' } });
  return ctx.changes;
}

// One query per batch of events, model and arguments: subscribers alike share it.
const batchMemo = new WeakMap<readonly ChangeEvent[], Map<string, Promise<Map<string, ModelRow<ModelName>>>>>();

/**
 * The rows of `name` among a batch's events, by id: those `where` (if any) finds, as `select`
 * (if any) shapes them, plus their id. `key` names the arguments for sharing.
 */
function batchRows(ctx: Context, batch: readonly ChangeEvent[], name: ModelName, key: string, args: { select?: object; where?: object }) {
  const { select, where, ...rest } = args;
  let memo = batchMemo.get(batch);
  if (!memo) batchMemo.set(batch, (memo = new Map()));
  let rows = memo.get(`${name}:${key}`);
  if (!rows) {
    const ids = { id: { in: batch.filter((e) => modelOf(e.type) === name).map((e) => e.resourceId) } };
    rows = delegateOf(ctx.prisma, name)
      .findMany({ ...rest, ...(select ? { select: { ...select, id: true } } : {}), where: where ? { AND: [ids, where] } : ids })
      .then((list) => new Map(list.map((row) => [String(row.id), row])));
    memo.set(`${name}:${key}`, rows);
  }
  return rows;
}

/**
 * A `match` for change streams: keeps events whose stored object satisfies `where` (tombstones
 * included). A `where` on the object's own fields is checked on the row the feed loaded; one
 * naming related objects needs a query, one per batch for subscribers alike.
 */
function whereMatcher(ctx: Context, name: ModelName, where: WhereInput) {
  if (!namesRelations(name, where)) {
    return async (events: ChangeEvent[]) => events.filter((event) => matchesRow(name, where, event.node) === true);
  }
  const key = `where:${JSON.stringify(where, bigintsAsStrings)}`;
  if (usesCustomFields(where)) {
    // Custom fields of related objects: Prisma cannot read them; one SQL query per batch instead.
    const memo = new WeakMap<readonly ChangeEvent[], Promise<Set<string>>>();
    return async (events: ChangeEvent[], batch: readonly ChangeEvent[]) => {
      let matching = memo.get(batch);
      if (!matching) memo.set(batch, (matching = idsMatching(ctx.prisma, name, where, batch.filter((e) => modelOf(e.type) === name).map((e) => e.resourceId))));
      const ids = await matching;
      return events.filter((e) => ids.has(String(e.resourceId)));
    };
  }
  const filter = whereToPrisma(where, whereShape(name));
  return async (events: ChangeEvent[], batch: readonly ChangeEvent[]) => {
    const matching = await batchRows(ctx, batch, name, key, { where: filter, select: { id: true } });
    return events.filter((e) => matching.has(String(e.resourceId)));
  };
}

/** The object of an event as Pothos' `query` selects it, loaded with the rest of its batch. */
async function loadNode(ctx: Context, name: ModelName, query: { select?: object }, event: ChangeEvent): Promise<ModelRow<ModelName>> {
  const row = (await batchRows(ctx, batchOf(event), name, `node:${JSON.stringify(query)}`, query)).get(String(event.resourceId));
  if (!row) throw new GraphQLError(`${name} ${event.resourceId} is no longer in the mirror`);
  return row;
}

/** Streams events and records the one being executed, so a transport knows each result's cursor. */
const tracked = (ctx: Context, events: AsyncGenerator<ChangeEvent>) =>
  mapIterator(events, (event) => {
    ctx.currentSeq = event.seq;
    return event;
  });

/** The fields of a change event's type. */
type EventFieldBuilder = PothosSchemaTypes.ObjectFieldBuilder<BuilderTypes, ChangeEvent>;

const eventFields = {
  cursor: (t: EventFieldBuilder) => t.string({ description: 'Pass it as `after` to resume right after this event.', resolve: (e: ChangeEvent) => cursorOf(e) }),
  kind: (t: EventFieldBuilder) => t.field({ type: ChangeKind, resolve: (e: ChangeEvent) => e.kind }),
  revision: (t: EventFieldBuilder) => t.field({ type: 'BigInt', description: 'The revision stored by this change.', resolve: (e: ChangeEvent) => e.revision }),
  occurredAt: (t: EventFieldBuilder) => t.field({ type: 'DateTime', description: 'When the mirror committed the change.', resolve: (e: ChangeEvent) => e.occurredAt }),
};

const NodeInterface = builder.nodeInterfaceRef();

const ChangeEventType = builder.objectRef<ChangeEvent>('ChangeEvent').implement({
  description: 'A change of any synced object.',
  fields: (t) => ({
    cursor: eventFields.cursor(t),
    kind: eventFields.kind(t),
    type: t.field({ type: ResourceTypeEnum, resolve: (e) => e.type }),
    baseId: t.field({ type: 'BigInt', resolve: (e) => e.resourceId }),
    revision: eventFields.revision(t),
    occurredAt: eventFields.occurredAt(t),
    node: t.field({
      type: NodeInterface,
      description: 'The object as stored (for DELETED: its last state, with deletedAt set).',
      // Loaded with the selection the client made for this type (and its batch), so that its
      // fields and relations are read in one statement rather than one query per field group.
      resolve: async (e: ChangeEvent, _args: unknown, ctx: Context, info: GraphQLResolveInfo) => {
        const typeName = modelOf(e.type);
        const query = queryFromInfo({ context: ctx, info, typeName, awaitSelections: true });
        const row = await loadNode(ctx, typeName, await query, e);
        brandWithType(row, typeName as never);
        return row as never;
      },
    }),
  }),
});

const kindsArg = (t: { arg: ArgBuilder<BuilderTypes> }) => t.arg({ type: [ChangeKind], required: false, description: 'Only these kinds (default: all).' });
const afterArg = (t: { arg: ArgBuilder<BuilderTypes> }) =>
  t.arg.string({ required: false, description: 'Replay every event after this cursor first, then continue live.' });

builder.subscriptionType({ description: 'Live changes of the mirror.' });

builder.subscriptionField('changes', (t) =>
  t.field({
    type: ChangeEventType,
    description: 'Every change of the given types and kinds, as it is committed.',
    args: {
      types: t.arg({ type: [ResourceTypeEnum], required: false, description: 'Only these types (default: all).' }),
      kinds: kindsArg(t),
      after: afterArg(t),
    },
    subscribe: (_root, args, ctx) => {
      const types = args.types ? new Set<string>(args.types) : undefined;
      const kinds = args.kinds ? new Set<string>(args.kinds as string[]) : undefined;
      return tracked(
        ctx,
        changeStream({
          feed: feedOf(ctx),
          ...(args.after ? { after: parseCursor(String(args.after)) } : {}),
          accept: (e) => (!types || types.has(e.type)) && (!kinds || kinds.has(e.kind)),
          bufferLimit: ctx.subscriptionBuffer ?? DEFAULT_BUFFER,
        }),
      );
    },
    resolve: (event: ChangeEvent) => event,
  }),
);

for (const name of RESOURCES) {
  const type = RESOURCE_TYPES.find((r) => modelOf(r) === name)!;
  const payload = builder.objectRef<ChangeEvent>(`${name}Change`).implement({
    description: `A change of a ${name}.`,
    fields: (t) => ({
      cursor: eventFields.cursor(t),
      kind: eventFields.kind(t),
      revision: eventFields.revision(t),
      occurredAt: eventFields.occurredAt(t),
      // Loaded through Pothos' own query (only the selected columns, relations joined), for the
      // whole batch the event came in at once: one statement per batch and distinct selection.
      node: t.prismaField({
        type: name,
        description: 'The object as stored (for DELETED: its last state, with deletedAt set).',
        resolve: (query, e, _args, ctx) => loadNode(ctx, name, query, e),
      }),
    }),
  });
  const field = `${delegateNameOf(name)}Changed`;
  builder.subscriptionField(field, (t) =>
    t.field({
      type: payload,
      description: `Changes of ${name} objects matching where (the same filter as the ${name} queries).`,
      args: {
        kinds: kindsArg(t),
        where: t.arg({ type: whereInput(name), required: false }),
        after: afterArg(t),
      },
      subscribe: (_root, args, ctx) => {
        checkWhere(args.where as WhereInput | null);
        const kinds = args.kinds ? new Set<string>(args.kinds as string[]) : undefined;
        return tracked(
          ctx,
          changeStream({
            feed: feedOf(ctx),
            ...(args.after ? { after: parseCursor(args.after) } : {}),
            accept: (e) => e.type === type && (!kinds || kinds.has(e.kind)),
            ...(args.where ? { match: whereMatcher(ctx, name, args.where as WhereInput) } : {}),
            bufferLimit: ctx.subscriptionBuffer ?? DEFAULT_BUFFER,
          }),
        );
      },
      resolve: (event: ChangeEvent) => event,
    }),
  );
}

builder.subscriptionField('syncStatus', (t) =>
  t.field({
    type: SyncStatus,
    description: 'The sync status now, then each time it changes (checked every second).',
    subscribe: (_root, _args, ctx) => abortable((signal) => syncStatusStream(ctx, signal)),
    resolve: (status) => status,
  }),
);

async function* syncStatusStream(ctx: Context, signal: AbortSignal) {
  let last = '';
  while (!signal.aborted) {
    const status = await syncStatusOf(ctx).current();
    // Told again when the state or its figures change, not as the lag grows by the second.
    const seen = JSON.stringify({ ...status, lagSeconds: undefined }, bigintsAsStrings);
    if (seen !== last) {
      last = seen;
      yield status;
    }
    await waitUnlessAborted(signal, (wake) => setTimeout(wake, 1000).unref());
  }
}
