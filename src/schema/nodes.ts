// Relay's node(id) and nodes(ids), with the rule of every by-id field: a deleted object is null
// unless includeDeleted is true (then its tombstone, carrying deletedAt). They replace the Relay
// plugin's own fields, which take no arguments but the ids.
import { resolveNodes } from '@pothos/plugin-relay';
import { builder } from './builder.ts';

const includeDeleted = { required: false, defaultValue: false, description: 'Answer deleted objects too (they carry deletedAt) instead of null.' } as const;

/** `node` unless it is a tombstone the caller did not ask for. Every node loads `deletedAt` (resources.ts). */
const visible = (node: unknown, includeDeleted: boolean | null | undefined): unknown =>
  node != null && !includeDeleted && (node as { deletedAt?: unknown }).deletedAt != null ? null : node;

builder.queryField('node', (t) =>
  t.field({
    type: builder.nodeInterfaceRef(),
    nullable: true,
    description: 'The object with this global id; null when unknown (or deleted, unless includeDeleted).',
    args: {
      id: t.arg.globalID({ required: true, extensions: { relayGlobalIDAlwaysParse: true } }),
      includeDeleted: t.arg.boolean(includeDeleted),
    },
    resolve: async (_root, args, ctx, info) => visible((await resolveNodes(builder, ctx, info, [args.id]))[0], args.includeDeleted) as never,
  }),
);

builder.queryField('nodes', (t) =>
  t.field({
    type: [builder.nodeInterfaceRef()],
    nullable: { list: false, items: true },
    description: 'The objects with these global ids, in order; null for each unknown (or deleted, unless includeDeleted).',
    args: {
      ids: t.arg.globalIDList({ required: true, extensions: { relayGlobalIDAlwaysParse: true } }),
      includeDeleted: t.arg.boolean(includeDeleted),
    },
    resolve: async (_root, args, ctx, info) =>
      (await resolveNodes(builder, ctx, info, args.ids)).map((node) => visible(node, args.includeDeleted)) as never,
  }),
);
