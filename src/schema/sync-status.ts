// syncStatus: what the syncer is doing and how far it got, from sync_state and failed_objects.
import { loadFailedObjects, loadSyncStatus, type SyncStatusShape } from '../store/sync-state.ts';
import { builder } from './builder.ts';

const SyncPhase = builder.enumType('SyncPhase', {
  description: 'What the sync engine is doing.',
  values: {
    IDLE: { value: 'idle', description: 'Up to date; waiting for the next session.' },
    SYNCING: { value: 'syncing', description: 'A session is running.' },
    ERROR: { value: 'error', description: 'The last session failed (see lastError); it will be retried unless the error is fatal.' },
    STOPPED: { value: 'stopped', description: 'The syncer was stopped.' },
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
    lastError: t.exposeString('lastError', { nullable: true }),
    lastErrorAt: t.field({ type: 'DateTime', nullable: true, resolve: (s) => s.lastErrorAt }),
    failedObjectsPending: t.exposeInt('failedObjectsPending', { description: 'Objects Base could not read that have not arrived since.' }),
    rejectedItems: t.exposeInt('rejectedItems', { description: 'Items kept whole in rejected_items instead of stored as objects (see the rejectedItems query).' }),
    failedObjects: t.field({
      type: [FailedObject],
      args: { first: t.arg.int({ required: false, defaultValue: 20 }) },
      resolve: (_s, args, ctx) => loadFailedObjects(ctx.prisma, args.first ?? 20),
    }),
  }),
});

builder.queryField('syncStatus', (t) =>
  t.field({ type: SyncStatus, description: 'The state of the sync from Base.', resolve: (_root, _args, ctx) => loadSyncStatus(ctx.prisma) }),
);
