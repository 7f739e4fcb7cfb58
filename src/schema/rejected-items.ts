// rejectedItems: the items kept whole instead of stored as objects (Postgres refused them, or
// they name no object), exactly as received, with why.
import { builder } from './builder.ts';
import { pageSize } from './page-size.ts';

const RejectedItem = builder.prismaNode('RejectedItem', {
  description: 'An item of the Sync API the mirror could not store as an object, kept whole. A later revision of the same object that stores removes it.',
  id: { field: 'id' },
  nullable: true,
  fields: (t) => ({
    type: t.exposeString('type', { nullable: true, description: 'Its `meta.type` (null when it had none).' }),
    baseId: t.exposeString('baseId', { nullable: true, description: "Its id as received: digits (past 64 bits too), or the string it was; null when it had none." }),
    revision: t.expose('revision', { type: 'BigInt', nullable: true }),
    ackKey: t.exposeString('ackKey', { nullable: true, description: 'Its ack key: it was acknowledged once kept here.' }),
    error: t.exposeString('error', { description: 'Why it could not be stored.' }),
    receivedAt: t.expose('receivedAt', { type: 'DateTime', description: 'When this state of it was first received.' }),
    rawText: t.exposeString('rawText', { description: 'The item (`{"data":…,"meta":…}`) exactly as it was in the page.' }),
  }),
});

builder.queryField('rejectedItems', (t) =>
  t.prismaConnection(
    {
      type: RejectedItem,
      cursor: 'id',
      ...pageSize,
      description: 'Items the mirror could not store as objects, oldest first.',
      args: { type: t.arg.string({ required: false, description: 'Only items of this type.' }) },
      resolve: (query, _root, args, ctx) =>
        ctx.prisma.rejectedItem.findMany({ ...query, where: args.type ? { type: args.type } : {}, orderBy: { id: 'asc' } }),
      totalCount: (_root, args, ctx) => ctx.prisma.rejectedItem.count({ where: args.type ? { type: args.type } : {} }),
    },
    { description: 'A page of rejected items.' },
  ),
);
