// syncStatus: what the syncer is doing and how far it got; from this process's engine while it
// leads (true while the database is down), else from sync_state and failed_objects.
import type { PrismaClient } from '../db/client.ts';
import { createSyncStatusSource, type SyncStatusShape, type SyncStatusSource } from '../sync/status.ts';
import { builder, type Context } from './builder.ts';

/** The stall time of a status source made here, for a server started without one (tests, tools). */
const DEFAULT_STALL_MS = 120_000;
const defaultSources = new WeakMap<PrismaClient, SyncStatusSource>();

/** The context's status source, or one reading sync_state through its Prisma client. */
export function syncStatusOf(ctx: Context): SyncStatusSource {
  if (ctx.syncStatus) return ctx.syncStatus;
  let source = defaultSources.get(ctx.prisma);
  if (!source) defaultSources.set(ctx.prisma, (source = createSyncStatusSource({ prisma: ctx.prisma, stallMs: DEFAULT_STALL_MS, cacheMs: 0 })));
  return source;
}

const SyncPhase = builder.enumType('SyncPhase', {
  description: 'What the sync is doing.',
  values: {
    IDLE: { value: 'idle', description: 'Up to date; waiting for the next session.' },
    SYNCING: { value: 'syncing', description: 'A session is running and making progress.' },
    RETRYING: { value: 'retrying', description: 'The last attempt failed for a transient reason (see lastError); it is retried with backoff.' },
    STALLED: { value: 'stalled', description: 'No progress (no page committed, no session completed) for SYNC_STALL_SECONDS; still retrying (see lastError).' },
    ERROR: { value: 'error', description: 'Stopped by a fatal error such as a refused token (see lastError); not retried until restarted.' },
    STOPPED: { value: 'stopped', description: 'The syncer was stopped, and no other process has taken over.' },
    NEVER_SYNCED: { value: 'never', description: 'No sync has run against this database yet.' },
  },
});

interface FailedObjectShape {
  type: string;
  id: bigint;
  firstReportedAt: Date;
  lastReportedAt: Date;
}

const FailedObject = builder.objectRef<FailedObjectShape>('FailedObject').implement({
  description: 'An object Base reported it could not read, not received since.',
  fields: (t) => ({
    type: t.exposeString('type'),
    baseId: t.field({ type: 'BigInt', resolve: (f) => f.id }),
    firstReportedAt: t.field({ type: 'DateTime', resolve: (f) => f.firstReportedAt }),
    lastReportedAt: t.field({ type: 'DateTime', resolve: (f) => f.lastReportedAt }),
  }),
});

export const SyncStatus = builder.objectRef<SyncStatusShape>('SyncStatus').implement({
  description: 'The state of the sync from Base into this mirror.',
  fields: (t) => ({
    state: t.field({ type: SyncPhase, resolve: (s) => s.state as never }),
    deviceUuid: t.exposeString('deviceUuid', { nullable: true, description: "This mirror's device UUID at Base." }),
    sessionStartedAt: t.field({ type: 'DateTime', nullable: true, resolve: (s) => s.sessionStartedAt }),
    sessionFinishedAt: t.field({ type: 'DateTime', nullable: true, resolve: (s) => s.sessionFinishedAt }),
    lastSuccessAt: t.field({ type: 'DateTime', nullable: true, description: 'When a session last completed or found nothing new.', resolve: (s) => s.lastSuccessAt }),
    lastProgressAt: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'When the sync last made progress: a page committed, or a session completed or found nothing new.',
      resolve: (s) => s.lastProgressAt,
    }),
    lagSeconds: t.float({ nullable: true, description: 'Seconds since the last progress; past SYNC_STALL_SECONDS the state is STALLED.', resolve: (s) => s.lagSeconds }),
    itemsSynced: t.field({ type: 'BigInt', description: 'Items received in the current or last session.', resolve: (s) => s.itemsSynced }),
    totalCount: t.field({ type: 'BigInt', nullable: true, description: "The session's total_count (approximate, as Base says).", resolve: (s) => s.totalCount }),
    countLeft: t.field({ type: 'BigInt', nullable: true, resolve: (s) => s.countLeft }),
    progress: t.float({
      nullable: true,
      description: 'Share of the session done, 0 to 1.',
      resolve: (s) => {
        if (s.totalCount === null || s.countLeft === null) return null;
        const total = Number(s.itemsSynced) + Number(s.countLeft);
        return total === 0 ? 1 : Math.min(1, Number(s.itemsSynced) / total);
      },
    }),
    itemsPerSecond: t.float({ nullable: true, resolve: (s) => s.itemsPerSecond }),
    secondsLeft: t.float({
      nullable: true,
      description: 'Estimated time to finish the session.',
      resolve: (s) => (s.state === 'syncing' && s.itemsPerSecond && s.countLeft !== null ? Number(s.countLeft) / s.itemsPerSecond : null),
    }),
    lastError: t.exposeString('lastError', { nullable: true, description: 'The last failure, in one short line (it stays after recovery; see lastErrorAt and state).' }),
    lastErrorAt: t.field({ type: 'DateTime', nullable: true, resolve: (s) => s.lastErrorAt }),
    failedObjectsPending: t.exposeInt('failedObjectsPending', { description: 'Objects Base could not read that have not arrived since.' }),
    rejectedItems: t.exposeInt('rejectedItems', { description: 'Items kept whole in rejected_items instead of stored as objects (see the rejectedItems query).' }),
    failedObjects: t.field({
      type: [FailedObject],
      args: { first: t.arg.int({ required: false, defaultValue: 20 }) },
      resolve: (_s, args, ctx) => syncStatusOf(ctx).failedObjects(args.first ?? 20),
    }),
  }),
});

builder.queryField('syncStatus', (t) =>
  t.field({ type: SyncStatus, description: 'The state of the sync from Base.', resolve: (_root, _args, ctx) => syncStatusOf(ctx).current() }),
);
