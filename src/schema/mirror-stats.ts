// Figures about the mirror as a whole, for dashboards such as the status page: live and deleted
// counts per type, changes per minute, and the cursor of the latest change. Each is one SQL
// statement, whatever the number of types or minutes.
import { RESOURCE_TYPES, TABLES, type ResourceType } from '../resource-types.ts';
import { newestChangeSeq } from '../store/change-log.ts';
import { builder } from './builder.ts';
import { ResourceTypeEnum } from './resource-type-enum.ts';

interface TypeCountShape {
  type: ResourceType;
  live: number;
  deleted: number;
}

interface ChangeBucketShape {
  minute: Date;
  created: number;
  updated: number;
  deleted: number;
}

const TypeCount = builder.objectRef<TypeCountShape>('TypeCount').implement({
  description: 'How many objects of one Base type the mirror holds.',
  fields: (t) => ({
    type: t.field({ type: ResourceTypeEnum, description: 'The Base type.', resolve: (c) => c.type }),
    live: t.exposeInt('live', { description: 'Objects not deleted.' }),
    deleted: t.exposeInt('deleted', { description: 'Tombstones: objects deleted in Base, kept with deletedAt set.' }),
  }),
});

const ChangeBucket = builder.objectRef<ChangeBucketShape>('ChangeBucket').implement({
  description: 'The changes committed to the mirror during one minute, by kind.',
  fields: (t) => ({
    minute: t.field({ type: 'DateTime', description: 'The start of the minute.', resolve: (b) => b.minute }),
    created: t.exposeInt('created', { description: 'CREATED events in the minute.' }),
    updated: t.exposeInt('updated', { description: 'UPDATED events in the minute.' }),
    deleted: t.exposeInt('deleted', { description: 'DELETED events in the minute.' }),
  }),
});

// Table names come from our own constant list, never from input.
const COUNTS_SQL = RESOURCE_TYPES.map(
  (type) =>
    `SELECT '${type}' AS type, count(*) FILTER (WHERE deleted_at IS NULL)::int AS live, count(*) FILTER (WHERE deleted_at IS NOT NULL)::int AS deleted FROM "${TABLES[type]}"`,
).join('\nUNION ALL\n');

/** Minutes of history `changeHistory` serves at most (one day). */
const MAX_HISTORY_MINUTES = 1440;

builder.queryField('mirrorCounts', (t) =>
  t.field({
    type: [TypeCount],
    description: 'Live and deleted objects of every Base type in the mirror (one row per type, in a fixed order).',
    resolve: async (_root, _args, ctx) => {
      const rows = await ctx.prisma.$queryRawUnsafe<TypeCountShape[]>(COUNTS_SQL);
      const byType = new Map(rows.map((r) => [r.type, r]));
      return RESOURCE_TYPES.map((type) => ({ type, live: Number(byType.get(type)?.live ?? 0), deleted: Number(byType.get(type)?.deleted ?? 0) }));
    },
  }),
);

builder.queryField('changeHistory', (t) =>
  t.field({
    type: [ChangeBucket],
    description: `Changes per minute by kind over the last \`minutes\` (1 to ${MAX_HISTORY_MINUTES}; the current minute included), oldest first, one bucket per minute even when nothing changed. Events older than CHANGE_EVENT_RETENTION are gone and count as none.`,
    args: { minutes: t.arg.int({ required: false, defaultValue: 60, description: `How many minutes back (1 to ${MAX_HISTORY_MINUTES}, default 60).` }) },
    resolve: async (_root, args, ctx) => {
      const minutes = Math.min(Math.max(Math.trunc(args.minutes ?? 60), 1), MAX_HISTORY_MINUTES);
      const rows = await ctx.prisma.$queryRaw<ChangeBucketShape[]>`
        WITH bounds AS (SELECT date_trunc('minute', now()) AS last, date_trunc('minute', now()) - (${minutes}::int - 1) * interval '1 minute' AS first),
        counts AS (
          SELECT date_trunc('minute', occurred_at) AS minute,
                 count(*) FILTER (WHERE kind = 'CREATED')::int AS created,
                 count(*) FILTER (WHERE kind = 'UPDATED')::int AS updated,
                 count(*) FILTER (WHERE kind = 'DELETED')::int AS deleted
          FROM change_events, bounds
          WHERE occurred_at >= bounds.first
          GROUP BY 1
        )
        SELECT m.minute, coalesce(c.created, 0) AS created, coalesce(c.updated, 0) AS updated, coalesce(c.deleted, 0) AS deleted
        FROM bounds, generate_series(bounds.first, bounds.last, interval '1 minute') AS m(minute)
        LEFT JOIN counts c ON c.minute = m.minute
        ORDER BY m.minute`;
      return rows.map((r) => ({ minute: r.minute, created: Number(r.created), updated: Number(r.updated), deleted: Number(r.deleted) }));
    },
  }),
);

builder.queryField('latestChangeCursor', (t) =>
  t.string({
    description:
      'The cursor of the latest change committed so far ("0" when there is none): subscribe to `changes(after: …)` with it to get every change from now on, even across a reconnect before the first event arrives.',
    resolve: async (_root, _args, ctx) => String(await newestChangeSeq(ctx.prisma)),
  }),
);
