// The sync's status as every reader shows it (syncStatus, /readyz/sync, metrics, `status`):
// what the syncer recorded, with the truth it cannot record itself (a stall: no progress for
// the stall time, however busy it says it is). A process whose engine leads tells it from
// memory, so it stays true while the database is down; any other process reads sync_state,
// and says so when it cannot.
import type { PrismaClient } from '../db/client.ts';
import { countFailedObjects, countRejectedItems, freshRecord, loadFailedObjects, loadSyncRecord, type SyncRecord } from '../store/sync-state.ts';
import type { SyncEngine } from './engine.ts';

/**
 * `idle`, `syncing`, `retrying` (the last attempt failed for a transient reason), `stalled` (no
 * progress for the stall time), `error` (stopped by a fatal error), `stopped`, `never` (synced).
 */
export type SyncState = 'never' | 'idle' | 'syncing' | 'retrying' | 'stalled' | 'error' | 'stopped';

/** The sync status as the API and the `status` command show it. */
export interface SyncStatusShape extends Omit<SyncRecord, 'state' | 'deviceUuid' | 'leaseExpiresAt' | 'createdAt'> {
  state: SyncState;
  deviceUuid: string | null;
  /** Seconds since the last progress (null before any). */
  lagSeconds: number | null;
  failedObjectsPending: number;
  /** Items kept whole in rejected_items. */
  rejectedItems: number;
  /** No process holds a live lease on the device (its syncer is gone). */
  noSyncer: boolean;
}

const { leaseExpiresAt: _lease, createdAt: _created, ...nothing } = freshRecord('', new Date(0));
const NEVER: SyncStatusShape = { ...nothing, state: 'never', deviceUuid: null, lagSeconds: null, failedObjectsPending: 0, rejectedItems: 0, noSyncer: false };

/** What the status counts in tables besides sync_state. */
type Counts = Pick<SyncStatusShape, 'failedObjectsPending' | 'rejectedItems'>;

/** The status told by a record (none: never synced) at `now`, stalls included. Pure. */
export function deriveStatus(record: SyncRecord | null, options: { now: Date; stallMs: number } & Partial<Counts>): SyncStatusShape {
  if (!record) return { ...NEVER, failedObjectsPending: options.failedObjectsPending ?? 0, rejectedItems: options.rejectedItems ?? 0 };
  const { leaseExpiresAt, createdAt: _created, ...shown } = record;
  const lastProgress = record.lastProgressAt ?? record.lastSuccessAt ?? record.createdAt;
  const lagMs = Math.max(0, options.now.getTime() - lastProgress.getTime());
  const working = record.state === 'idle' || record.state === 'syncing' || record.state === 'retrying';
  return {
    ...shown,
    state: working && lagMs > options.stallMs ? 'stalled' : record.state,
    lastProgressAt: record.lastProgressAt ?? record.lastSuccessAt,
    lagSeconds: lagMs / 1000,
    failedObjectsPending: options.failedObjectsPending ?? 0,
    rejectedItems: options.rejectedItems ?? 0,
    noSyncer: working && leaseExpiresAt !== null && leaseExpiresAt.getTime() < options.now.getTime(),
  };
}

/** `/readyz/sync`: ready, or why not (a short code, never an error's text). Pure. */
export function syncReadiness(status: SyncStatusShape, stallMs: number): { ready: true } | { ready: false; reason: string } {
  switch (status.state) {
    case 'error':
      return { ready: false, reason: status.lastErrorCode ?? 'fatal_error' };
    case 'never':
      return { ready: false, reason: status.lastErrorCode === 'database_unreachable' ? 'database_unreachable' : 'never_synced' };
    case 'stalled':
      return { ready: false, reason: status.noSyncer ? 'no_syncer' : (status.lastErrorCode ?? 'no_progress') };
    case 'stopped':
      return (status.lagSeconds ?? 0) * 1000 > stallMs ? { ready: false, reason: 'stopped' } : { ready: true };
    default:
      return { ready: true };
  }
}

/** Options for {@link createSyncStatusSource}. */
export interface SyncStatusSourceOptions {
  prisma: PrismaClient;
  /** This process's engine, if it runs one. */
  engine?: Pick<SyncEngine, 'status' | 'deviceUuid'>;
  /** SYNC_STALL_SECONDS, in ms. */
  stallMs: number;
  /** A read of sync_state is reused this long (default 500 ms): probes and scrapes never queue reads. */
  cacheMs?: number;
  /** A read that takes longer counts as the database being unreachable (default 2 s). */
  timeoutMs?: number;
}

export interface SyncStatusSource {
  /** The status now, with the failed objects pending counted (for the API). */
  current(): Promise<SyncStatusShape>;
  /** The status now without counting anything (probes, metrics): failed objects as last counted. */
  summary(): Promise<SyncStatusShape>;
  /** The first `first` failed objects (the last list read while the database cannot be read). */
  failedObjects(first?: number): Promise<Awaited<ReturnType<typeof loadFailedObjects>>>;
  readonly stallMs: number;
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  promise.catch(() => undefined);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer from the database within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export function createSyncStatusSource(options: SyncStatusSourceOptions): SyncStatusSource {
  const { prisma, engine, stallMs } = options;
  const cacheMs = options.cacheMs ?? 500;
  const timeoutMs = options.timeoutMs ?? 2000;
  let read: { at: number; counted: boolean; promise: Promise<{ record: SyncRecord | null; counts: Counts | undefined }> } | undefined;
  let lastGood: { record: SyncRecord | null } | undefined;
  let lastCounts: Counts | undefined;
  let unreachableSince: Date | undefined;
  let lastFailedList: Awaited<ReturnType<typeof loadFailedObjects>> = [];

  function readDatabase(count: boolean) {
    if (read && Date.now() - read.at < cacheMs && (read.counted || !count)) return read.promise;
    const device = engine?.deviceUuid;
    const counting = count ? Promise.all([countFailedObjects(prisma), countRejectedItems(prisma)]) : Promise.resolve(undefined);
    const promise = withTimeout(Promise.all([loadSyncRecord(prisma, device), counting]), timeoutMs).then(([record, counted]) => ({
      record,
      counts: counted && { failedObjectsPending: counted[0], rejectedItems: counted[1] },
    }));
    read = { at: Date.now(), counted: count, promise };
    promise.catch(() => {
      // A failed read is not reused.
      if (read?.promise === promise) read = undefined;
    });
    return promise;
  }

  async function status(count: boolean): Promise<SyncStatusShape> {
    const own = engine?.status();
    // The syncer knows best, and in memory: true while the database is down.
    if (own?.record && own.led && (own.role === 'syncer' || own.role === 'failed')) {
      return deriveStatus(own.record, {
        now: new Date(),
        stallMs,
        failedObjectsPending: own.failedObjectsPending ?? lastCounts?.failedObjectsPending ?? 0,
        rejectedItems: own.rejectedItems ?? lastCounts?.rejectedItems ?? 0,
      });
    }
    try {
      const fresh = await readDatabase(count);
      lastGood = fresh;
      if (fresh.counts) lastCounts = fresh.counts;
      unreachableSince = undefined;
      return deriveStatus(fresh.record, { now: new Date(), stallMs, ...lastCounts });
    } catch {
      unreachableSince ??= new Date();
      const known = own?.led && own.record ? own.record : lastGood?.record;
      const lost = { lastError: 'this process cannot reach the database', lastErrorCode: 'database_unreachable', lastErrorAt: unreachableSince };
      if (!known) return { ...NEVER, ...lost };
      const state = known.state === 'idle' || known.state === 'syncing' ? 'retrying' : known.state;
      // What the database would say now is unknown, the syncer's lease included.
      return deriveStatus({ ...known, ...lost, state, leaseExpiresAt: null }, { now: new Date(), stallMs, ...lastCounts });
    }
  }

  return {
    stallMs,
    current: () => status(true),
    summary: () => status(false),
    async failedObjects(first = 20) {
      try {
        lastFailedList = await withTimeout(loadFailedObjects(prisma, first), timeoutMs);
        return lastFailedList;
      } catch {
        return lastFailedList.slice(0, Math.max(0, first));
      }
    },
  };
}
