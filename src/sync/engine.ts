// The session loop: one syncer per device (a Postgres advisory lock), which starts a
// session, drains the queue until 204, and for each page commits it, then acks it.
// Other processes stand by and take over when the syncer's connection goes away.
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import type { PrismaClient } from '../db/client.ts';
import type { Logger } from '../logger.ts';
import { applyPrepared, clearingRejected, preparePage, type ChangeCount, type PreparedPage, type RejectedRow } from '../store/store.ts';
import { createStatisticsKeeper } from '../store/statistics.ts';
import { markIdleNoNews, markPhase, markSessionFinished, markSessionStarted, resolveDeviceUuid } from '../store/sync-state.ts';
import { createCustomFieldDiscovery } from './custom-field-discovery.ts';
import { createSyncClient, FatalSyncError, TransientSyncError, type Page, type SyncClient, type SyncClientOptions } from './client.ts';
import { holdLeanHeap } from './lean-heap.ts';
import { createProgress, type Progress } from './progress.ts';
import { retryRejectedItems } from './rejected-retry.ts';

/** Options for {@link createSyncEngine}. */
export interface SyncEngineOptions {
  prisma: PrismaClient;
  /** For the connection that holds the syncer's advisory lock. */
  databaseUrl: string;
  /** Base API root (or the simulator's URL). */
  baseUrl: string;
  token: string;
  /** BASE_DEVICE_UUID; when unset, the one kept in the database (or a new one). */
  deviceUuid?: string;
  userAgent: string;
  /** Wait between sessions (SYNC_INTERVAL_MS). */
  intervalMs: number;
  /** How often a standby process tries to become the syncer (default 2 s). */
  standbyPollMs?: number;
  /** Pause after a failed session before the next one (default 5 s). */
  errorBackoffMs?: number;
  /** How often progress is logged during a session (default 5 s). */
  progressIntervalMs?: number;
  /** Show a progress bar on stderr during long sessions (for a terminal) instead of log lines. */
  progressBar?: boolean;
  /** Told about pages, sessions, retries and failures (metrics). */
  observer?: SyncObserver;
  /** Least pause between two refreshes of the custom fields' discovery (default 1 s). */
  customFieldRefreshMs?: number;
  /** Overrides for the HTTP client (timeouts, retries). */
  client?: Partial<Pick<SyncClientOptions, 'timeoutMs' | 'maxAttempts' | 'backoffBaseMs' | 'backoffMaxMs' | 'onRetry'>>;
  logger: Logger;
}

/** What the engine reports as it goes (metrics); every hook is optional. */
export interface SyncObserver {
  /** A page committed: items received per type, real changes per type and kind. */
  pageApplied?(page: { received: Record<string, number>; changes: readonly ChangeCount[] }): void;
  sessionEnded?(outcome: 'completed' | 'nothing_new' | 'interrupted' | 'failed'): void;
  /** Items of a committed page were kept whole in rejected_items instead of stored as objects. */
  rejected?(items: readonly RejectedRow[]): void;
  /** A Sync API call is retried. */
  retried?(cause: string): void;
  /** A session failed: the cause is the error's kind (fatal, network, server_error, database, ...). */
  failed?(cause: string): void;
}

/** A fetched page, ready to write: its statement and what is told once it has committed (the
 * payloads themselves are no longer needed, and can be collected while the page waits). */
interface PageWrite {
  prepared: PreparedPage;
  ackKeys: string[];
  /** Items in the page. */
  items: number;
  /** Items received per type. */
  received: Record<string, number>;
  countLeft: Page['countLeft'];
}

/** The kind of a session's failure, for metrics: fatal, a transient cause (network, ...), database or internal. */
function failureCause(error: unknown): string {
  if (error instanceof FatalSyncError) return 'fatal';
  if (error instanceof TransientSyncError) return error.reason;
  return error instanceof Error && error.name.startsWith('Prisma') ? 'database' : 'internal';
}

/** Sessions announcing at least this many items are long: logged at info, a progress bar, a lean heap. */
const LONG_SESSION_ITEMS = 1000;

export interface SessionSummary {
  /** False when the server had nothing new (204 at start). */
  started: boolean;
  items: number;
  pages: number;
  events: number;
  /** Stopped by {@link SyncEngine.stop} before the queue was drained. */
  interrupted: boolean;
}

export type SyncRole = 'starting' | 'syncer' | 'standby' | 'stopped' | 'failed';

export interface SyncEngine {
  /** Syncs continuously (as the syncer, or standing by) until stop(); rejects on a fatal error. */
  run(): Promise<void>;
  /** One full session, then returns; rejects if another process is the syncer or on a fatal error. */
  runOnce(): Promise<SessionSummary>;
  /** Finishes the page in hand (committed and acked) or drops it unapplied, then resolves. */
  stop(): Promise<void>;
  /** Resolves when the custom fields of what was synced so far have been discovered (discovery runs after sessions, in the background). */
  customFieldsDiscovered(): Promise<void>;
  readonly role: SyncRole;
  /** The device UUID in use (after start). */
  readonly deviceUuid: string | undefined;
}

/** Another process holds the device's lock. */
export class NotTheSyncerError extends Error {}

const LOCK_NAMESPACE = 'base-sync-gateway';

export function createSyncEngine(options: SyncEngineOptions): SyncEngine {
  const { prisma, logger } = options;
  const log = logger.child({ component: 'sync' });
  const stopController = new AbortController();
  const { signal } = stopController;
  let role: SyncRole = 'starting';
  let deviceUuid: string | undefined;
  let lockClient: pg.Client | undefined;
  let running: Promise<unknown> | undefined;
  let wasSyncer = false;
  /** The ack of the last committed page, in flight while the next page is written. */
  let acking: Promise<void> = Promise.resolve();
  /** Whether failed objects are remembered, so that pages must clear those that arrive. */
  let failedPending = false;
  /** Whether rejected items are kept, so that pages must clear those a newer revision supersedes. */
  let rejectedPending = false;
  /** Rejected items are retried once per process, when it first syncs (a new version may take them). */
  let rejectedRetried = false;
  const statistics = createStatisticsKeeper({ prisma, logger });
  /** Types whose objects changed since custom fields were last discovered (all of them at first). */
  const touched = new Set<string>(['lead', 'contact', 'deal']);
  const discovery = createCustomFieldDiscovery({
    prisma,
    readDefinitions: (type) => client(deviceUuid!).customFieldDefinitions(type),
    logger,
    ...(options.customFieldRefreshMs !== undefined ? { minIntervalMs: options.customFieldRefreshMs } : {}),
  });

  /** Discovers the custom fields of the types that changed; never fails (discovery logs its own errors). */
  function discoverCustomFields(): Promise<void> {
    const types = [...touched];
    touched.clear();
    return discovery.refresh(types);
  }

  async function tryLock(device: string): Promise<boolean> {
    const client = new pg.Client({ connectionString: options.databaseUrl, application_name: 'base-sync-gateway syncer' });
    // A lost connection releases the lock on the server; stop syncing here too.
    client.on('error', (error) => {
      log.error({ err: error }, 'lost the connection holding the syncer lock');
      if (lockClient === client) lockClient = undefined;
    });
    await client.connect();
    const { rows } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock(hashtext($1), hashtext($2)) AS locked', [LOCK_NAMESPACE, device]);
    if (rows[0]?.locked) {
      lockClient = client;
      return true;
    }
    await client.end();
    return false;
  }

  async function releaseLock(): Promise<void> {
    const client = lockClient;
    lockClient = undefined;
    await client?.end().catch(() => undefined);
  }

  function client(device: string): SyncClient {
    return createSyncClient({
      baseUrl: options.baseUrl,
      token: options.token,
      deviceUuid: device,
      userAgent: options.userAgent,
      signal,
      logger,
      ...options.client,
      onRetry: (cause, attempt) => {
        options.observer?.retried?.(cause);
        options.client?.onRetry?.(cause, attempt);
      },
    });
  }

  async function session(api: SyncClient, device: string): Promise<SessionSummary> {
    const summary: SessionSummary = { started: false, items: 0, pages: 0, events: 0, interrupted: false };
    if (!rejectedRetried) {
      const { retried, stored } = await retryRejectedItems(prisma);
      rejectedRetried = true;
      if (retried > 0) log.info({ retried, stored }, `retried ${retried} rejected items: ${stored} stored now, ${retried - stored} still rejected`);
    }
    const start = await api.start();
    if (start.kind === 'nothing-new') {
      await markIdleNoNews(prisma, device);
      options.observer?.sessionEnded?.('nothing_new');
      return summary;
    }
    summary.started = true;
    acking = Promise.resolve();
    failedPending = (await prisma.failedObject.count()) > 0;
    rejectedPending = (await prisma.rejectedItem.count()) > 0;
    await markSessionStarted(prisma, device, start.id, start.totalCount);
    const progress = createProgress({
      total: start.totalCount,
      intervalMs: options.progressIntervalMs ?? 5000,
      bar: (options.progressBar ?? false) && start.totalCount >= LONG_SESSION_ITEMS,
      logger: log,
    });
    const big = start.totalCount >= LONG_SESSION_ITEMS;
    log[big ? 'info' : 'debug']({ session: start.id, totalCount: start.totalCount, pages: start.pages }, 'sync session started');

    // The next page is fetched, and its statement built, while the current one is written:
    // the API allows parallel fetches, and a page is acked only after its own commit, so this
    // loses nothing; and Postgres gets the next statement as soon as it has committed one.
    const fetchNext = () => {
      const promise = api.fetchPage(start.id).then((page) => page && prepareWrite(device, page, progress));
      promise.catch(() => undefined);
      return promise;
    };
    let next: Promise<PageWrite | null> = fetchNext();
    // A long session churns through large pages: keep the heap near its live size meanwhile.
    const releaseHeap = big ? holdLeanHeap() : undefined;
    try {
      for (;;) {
        const page = await next.catch((error: unknown) => {
          if (signal.aborted) return undefined;
          throw error;
        });
        if (page === null) break;
        if (page === undefined || signal.aborted || !lockClient) {
          summary.interrupted = true;
          break;
        }
        next = fetchNext();
        summary.events += await writePage(api, page, progress);
        summary.items += page.items;
        summary.pages += 1;
      }
      // Every committed page is acked before the session ends (or the process stops).
      await acking;
      await statistics.settled();
    } finally {
      releaseHeap?.();
    }
    progress.done();
    options.observer?.sessionEnded?.(summary.interrupted ? 'interrupted' : 'completed');
    if (!summary.interrupted) {
      await markSessionFinished(prisma, device);
      // Quiet when a session only brought redeliveries; one line per session that changed something.
      log[big || summary.events > 0 ? 'info' : 'debug'](
        { session: start.id, items: summary.items, pages: summary.pages, events: summary.events },
        `sync session finished: ${summary.items} items, ${summary.events} changes`,
      );
    }
    return summary;
  }

  /** A fetched page, its items and its statement; notes the failed objects it reports. */
  function prepareWrite(device: string, page: Page, progress: Progress): PageWrite {
    const { items } = page;
    if (page.failedObjects.length) {
      log.warn({ failedObjects: page.failedObjects }, `${page.failedObjects.length} objects could not be read by Base this time; they will come later`);
      failedPending = true;
    }
    const prepared = preparePage(items, {
      progress: { deviceUuid: device, items: items.length, countLeft: page.countLeft, itemsPerSecond: progress.rate() },
      failedObjects: page.failedObjects,
      clearFailedObjects: failedPending,
      clearRejectedItems: rejectedPending,
    });
    if (prepared.rejected.length) rejectedPending = true;
    const received: Record<string, number> = {};
    for (const item of items) received[item.type] = (received[item.type] ?? 0) + 1;
    // A malformed item without an ack key cannot be acked: it is kept (rejected) and comes again.
    const ackKeys = items.flatMap((item) => (item.ackKey === undefined ? [] : [item.ackKey]));
    return { prepared, ackKeys, items: items.length, received, countLeft: page.countLeft };
  }

  async function writePage(api: SyncClient, page: PageWrite, progress: Progress): Promise<number> {
    // Rejected rows may have been kept since this page was prepared: its objects then clear theirs.
    const result = await applyPrepared(prisma, rejectedPending ? clearingRejected(page.prepared) : page.prepared);
    statistics.record(result.changes);
    for (const change of result.changes) touched.add(change.type);
    options.observer?.pageApplied?.({ received: page.received, changes: result.changes });
    if (result.rejected.length) {
      rejectedPending = true;
      options.observer?.rejected?.(result.rejected);
      for (const r of result.rejected) {
        log.warn(
          { type: r.type, baseId: r.base_id, revision: r.revision, ackKey: r.ack_key, error: r.error },
          `kept a ${r.type || 'malformed'} item whole in rejected_items instead of storing it: ${r.error}`,
        );
      }
    }
    // Acked only now that the page has committed: a crash before this means redelivery, never
    // loss. The ack goes out while the next page is written; acks stay in order, and the
    // session waits for the last one before it ends.
    const previous = acking;
    acking = previous.then(() => api.ack(page.ackKeys));
    acking.catch(() => undefined);
    await previous;
    progress.add(page.items, page.countLeft);
    return result.events;
  }

  async function prepare(): Promise<string> {
    deviceUuid ??= await resolveDeviceUuid(prisma, options.deviceUuid);
    return deviceUuid;
  }

  async function failed(device: string, error: unknown): Promise<void> {
    const message = error instanceof Error ? error.message : String(error);
    options.observer?.sessionEnded?.('failed');
    options.observer?.failed?.(failureCause(error));
    await markPhase(prisma, device, 'error', message).catch((e: unknown) => log.error({ err: e }, 'could not record the sync error'));
  }

  async function loop(): Promise<void> {
    const device = await prepare();
    log.info({ deviceUuid: device, upstream: options.baseUrl }, 'sync engine starting');
    while (!signal.aborted) {
      if (!lockClient) {
        if (!(await tryLock(device))) {
          if (role !== 'standby') log.info('another process is the syncer for this device; standing by');
          role = 'standby';
          await sleep(options.standbyPollMs ?? 2000, undefined, { signal }).catch(() => undefined);
          continue;
        }
        role = 'syncer';
        wasSyncer = true;
        log.info({ deviceUuid: device }, 'this process is the syncer');
      }
      try {
        await session(client(device), device);
        void discoverCustomFields();
        // Also after a drained session: Base applies acks in the background, and starting again
        // at once would mostly fetch the items just acked.
        await sleep(options.intervalMs, undefined, { signal }).catch(() => undefined);
      } catch (error) {
        if (signal.aborted) break;
        if (error instanceof FatalSyncError) {
          role = 'failed';
          log.fatal({ err: error }, `sync stopped: ${error.message}`);
          await failed(device, error);
          throw error;
        }
        log.error({ err: error }, `sync session failed; trying again in ${options.errorBackoffMs ?? 5000} ms`);
        await failed(device, error);
        await sleep(options.errorBackoffMs ?? 5000, undefined, { signal }).catch(() => undefined);
      }
    }
  }

  return {
    get role() {
      return role;
    },
    get deviceUuid() {
      return deviceUuid;
    },

    run() {
      const promise = loop().finally(async () => {
        await releaseLock();
        if (role !== 'failed') role = 'stopped';
      });
      running = promise.catch(() => undefined);
      return promise;
    },

    runOnce() {
      const promise = (async () => {
        const device = await prepare();
        if (!(await tryLock(device))) throw new NotTheSyncerError(`another process is syncing device ${device}; try again when it stops`);
        role = 'syncer';
        wasSyncer = true;
        try {
          const summary = await session(client(device), device);
          if (!summary.interrupted) void discoverCustomFields();
          return summary;
        } catch (error) {
          if (signal.aborted) return { started: true, items: 0, pages: 0, events: 0, interrupted: true };
          await failed(device, error);
          throw error;
        } finally {
          // Stopped mid-run: recorded before the run resolves, so that a caller closing the
          // database as soon as it does (sync --once) cannot race stop()'s own record of it.
          if (signal.aborted) await markPhase(prisma, device, 'stopped').catch(() => undefined);
          await releaseLock();
          role = 'stopped';
        }
      })();
      running = promise.catch(() => undefined);
      return promise;
    },

    customFieldsDiscovered: () => discovery.refresh([]),

    async stop() {
      stopController.abort(new Error('sync engine stopping'));
      await running;
      // Only the syncer speaks for the device: a standby's stop says nothing about the sync.
      if (deviceUuid && wasSyncer && role !== 'failed') await markPhase(prisma, deviceUuid, 'stopped').catch(() => undefined);
      role = role === 'failed' ? role : 'stopped';
      // A discovery under way finishes (it may be building an index); none starts any more.
      await discovery.stop();
    },
  };
}
