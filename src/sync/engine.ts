// The session loop: one syncer per device (leadership.ts), which starts a session, drains the
// queue until 204, and for each page commits it (fenced by its epoch), then acks it. Other
// processes stand by and take over when the syncer dies. Every failure but a refused token is
// retried with capped backoff and jitter, whatever it hit (the device, the lock, a page, an
// ack, a standby's poll); what the engine is doing is kept in memory, true while the database
// is down, and recorded in sync_state for the other processes.
import { setTimeout as sleep } from 'node:timers/promises';
import type { Config } from '../config.ts';
import type { PrismaClient } from '../db/client.ts';
import type { Logger } from '../logger.ts';
import { applyPrepared, clearingRejected, preparePage, type ChangeCount, type PreparedPage, type RejectedRow } from '../store/apply-page.ts';
import { createStatisticsKeeper } from '../store/statistics.ts';
import {
  countFailedObjects,
  countRejectedItems,
  freshRecord,
  loadSyncRecord,
  markIdleNoNews,
  markPhase,
  markSessionFinished,
  markSessionStarted,
  resolveDeviceUuid,
  type RecordedState,
  type SyncRecord,
} from '../store/sync-state.ts';
import { createSyncClient, type Page, type RetryCause, type SyncClient, type SyncClientOptions } from './client.ts';
import { backoffDelay, describeFailure, type Failure, type FailureCode } from './failure.ts';
import { createCustomFieldDiscovery } from './custom-field-discovery.ts';
import { holdLeanHeap } from './lean-heap.ts';
import { createLeadership, leaseTimings, type Lease, type Leadership } from './leadership.ts';
import { createProgress, type Progress } from './progress.ts';
import { createSessionLog } from './session-log.ts';
import { retryRejectedItems } from './rejected-retry.ts';
import { USER_AGENT } from '../version.ts';

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
  /** A standby takes over within about this long of the syncer's death (SYNC_FAILOVER_SECONDS; default 15 s). */
  failoverMs?: number;
  /** No progress for this long is a stall (SYNC_STALL_SECONDS; default 120 s): `runOnce` then gives up. */
  stallMs?: number;
  /** How often a standby checks whether it should take over (default: a fifth of the failover time, at most 2 s). */
  standbyPollMs?: number;
  /** First wait after a failure; it doubles with each failure in a row (default 500 ms). */
  errorBackoffMs?: number;
  /** Longest wait after a failure (default 10 s). */
  errorBackoffMaxMs?: number;
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

/** The engine's options that the configuration decides, alike for `start` and `sync --once`. */
export function syncEngineOptions(config: Config): Pick<SyncEngineOptions, 'deviceUuid' | 'userAgent' | 'intervalMs' | 'stallMs' | 'failoverMs' | 'progressBar'> {
  return {
    deviceUuid: config.base.deviceUuid,
    userAgent: USER_AGENT,
    intervalMs: config.sync.intervalMs,
    stallMs: config.sync.stallMs,
    failoverMs: config.sync.failoverMs,
    // A progress bar on a terminal, log lines otherwise.
    progressBar: Boolean(process.stderr.isTTY),
  };
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
  /** An attempt failed: the failure's code (database_unreachable, upstream_error, token_refused, ...). */
  failed?(cause: FailureCode): void;
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

/** What this process's engine knows, in memory. */
export interface EngineStatus {
  role: SyncRole;
  /** Whether this process has been the syncer (its record then speaks for the sync). */
  led: boolean;
  /** The sync as this process last saw it (undefined before the device is known). */
  record: SyncRecord | undefined;
  /** Failed objects pending at the last count (undefined before the first). */
  failedObjectsPending: number | undefined;
  /** Items kept in rejected_items at the last count (undefined before the first). */
  rejectedItems: number | undefined;
}

export interface SyncEngine {
  /**
   * Syncs continuously (as the syncer, or standing by) until stop(), retrying every transient
   * failure; resolves when stopped, or when a fatal error (a refused token) stopped the sync.
   */
  run(): Promise<void>;
  /**
   * One full session, then returns. Transient failures are retried within the run (a new
   * session after an expired one); rejects on a fatal error, when another process is the
   * syncer, or once it has made no progress for the stall time.
   */
  runOnce(): Promise<SessionSummary>;
  /** Finishes the page in hand (committed and acked) or drops it unapplied, then resolves. */
  stop(): Promise<void>;
  /** Resolves when the custom fields of what was synced so far have been discovered (discovery runs after sessions, in the background). */
  customFieldsDiscovered(): Promise<void>;
  readonly role: SyncRole;
  /** The device UUID in use (after start). */
  readonly deviceUuid: string | undefined;
  /** What the engine knows now (no I/O). */
  status(): EngineStatus;
}

/** Another process holds the device's lock. */
export class NotTheSyncerError extends Error {}

/** `runOnce` gave up: no progress for the stall time; `failure` is the last one. */
export class StalledError extends Error {
  constructor(
    stallMs: number,
    readonly failure: Pick<Failure, 'code' | 'message'>,
  ) {
    super(`no progress for ${stallMs / 1000} s (SYNC_STALL_SECONDS): giving up; the last failure: ${failure.message}`);
    this.name = 'StalledError';
  }
}

/** The failure of a Sync API call being retried within a session. */
function retryFailure(cause: RetryCause, detail: string): Pick<Failure, 'code' | 'message'> {
  const code: FailureCode = cause === 'network' || cause === 'timeout' ? 'upstream_unreachable' : cause === 'rate_limited' || cause === 'conflict' ? 'rate_limited' : 'upstream_error';
  return { code, message: `the Sync API call failed, retrying: ${detail}`.slice(0, 200) };
}

/** Waits for `promise` unless `signal` aborts first (then rejects with its reason; the promise is left to settle). */
function unlessAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  promise.catch(() => undefined);
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

export function createSyncEngine(options: SyncEngineOptions): SyncEngine {
  const {
    prisma,
    logger,
    failoverMs = 15_000,
    stallMs = 120_000,
    standbyPollMs: pollMs = leaseTimings(failoverMs).pollMs,
    errorBackoffMs = 500,
    errorBackoffMaxMs = 10_000,
    progressIntervalMs = 5000,
    progressBar = false,
  } = options;
  const log = logger.child({ component: 'sync' });
  const sessionLog = createSessionLog({ logger: log });
  const backoff = { baseMs: errorBackoffMs, maxMs: errorBackoffMaxMs };
  const secrets = [options.token];
  const stopController = new AbortController();
  const { signal } = stopController;
  const startedAt = new Date();
  let role: SyncRole = 'starting';
  let led = false;
  let deviceUuid: string | undefined;
  let record: SyncRecord | undefined;
  let failedObjectsPending: number | undefined;
  let running: Promise<unknown> | undefined;
  /** The ack of the last committed page, in flight while the next page is written. */
  let acking: Promise<void> = Promise.resolve();
  /** Whether failed objects are remembered, so that pages must clear those that arrive. */
  let failedPending = false;
  /** Items kept in rejected_items at the last count; pages must clear those a newer revision supersedes. */
  let rejectedItems: number | undefined;
  /** Rejected items are retried once per process, when it first syncs (a new version may take them). */
  let rejectedRetried = false;
  const statistics = createStatisticsKeeper({ prisma, logger });
  /** Types whose objects changed since custom fields were last discovered (all of them at first). */
  const touched = new Set<string>(['lead', 'contact', 'deal']);
  const discovery = createCustomFieldDiscovery({
    prisma,
    readDefinitions: (type) => client().customFieldDefinitions(type),
    logger,
    ...(options.customFieldRefreshMs !== undefined ? { minIntervalMs: options.customFieldRefreshMs } : {}),
  });

  /** Discovers the custom fields of the types that changed; never fails (discovery logs its own errors). */
  function discoverCustomFields(): Promise<void> {
    const types = [...touched];
    touched.clear();
    return discovery.refresh(types);
  }

  /** Updates the in-memory record (the one the sync's status is told from while this process leads). */
  function note(change: Partial<SyncRecord>): void {
    if (record) record = { ...record, ...change };
  }

  /** No progress for the stall time during this run (`runOnce` gives up then). */
  const stalled = () => Date.now() - Math.max(startedAt.getTime(), record?.lastProgressAt?.getTime() ?? 0) > stallMs;

  /** Remembers a failure and, while leading, records it for the other processes (best effort, given up with the lead). */
  function noteFailure(failure: Pick<Failure, 'code' | 'message'>, lease?: Lease, state: RecordedState = 'retrying'): Promise<void> {
    note({ state, lastError: failure.message, lastErrorCode: failure.code, lastErrorAt: new Date() });
    if (!lease) return Promise.resolve();
    return unlessAborted(markPhase(prisma, lease, state, { message: failure.message, code: failure.code }), lease.signal).catch((error: unknown) =>
      log.debug({ err: error }, 'could not record the sync error in the database'),
    );
  }

  /** Waits `ms`, or less if the engine stops or `also` aborts. */
  const pause = (ms: number, also?: AbortSignal) => sleep(ms, undefined, { signal: also ? AbortSignal.any([signal, also]) : signal }).catch(() => undefined);

  /** The API client of a lead's sessions (or, without one, of the REST calls beside them). */
  function client(lease?: Lease): SyncClient {
    return createSyncClient({
      baseUrl: options.baseUrl,
      token: options.token,
      deviceUuid: lease?.deviceUuid ?? deviceUuid!,
      userAgent: options.userAgent,
      // Shutdown, or losing the lead, ends fetches and waits; acks of committed pages still go out.
      signal: lease ? AbortSignal.any([signal, lease.signal]) : signal,
      logger,
      ...options.client,
      onRetry: (cause, attempt, detail) => {
        options.observer?.retried?.(cause);
        options.client?.onRetry?.(cause, attempt, detail);
        // The sync's own calls: told at once, recorded for the other processes once per streak of retries.
        if (!lease) return;
        const failure = retryFailure(cause, detail);
        void noteFailure(failure, record?.state === 'retrying' && record.lastErrorCode === failure.code ? undefined : lease);
      },
    });
  }

  async function session(lease: Lease): Promise<SessionSummary> {
    const api = client(lease);
    // A database call that hangs (a half-open connection) is given up once the lead is lost.
    const held = <T>(work: Promise<T>) => unlessAborted(work, lease.signal);
    const summary: SessionSummary = { started: false, items: 0, pages: 0, events: 0, interrupted: false };
    if (!rejectedRetried) {
      const { retried, stored } = await held(retryRejectedItems(prisma, { fence: lease }));
      rejectedRetried = true;
      if (retried > 0) log.info({ retried, stored }, `retried ${retried} rejected items: ${stored} stored now, ${retried - stored} still rejected`);
    }
    const start = await api.start();
    if (start.kind === 'nothing-new') {
      await held(markIdleNoNews(prisma, lease));
      const now = new Date();
      note({ state: 'idle', lastSuccessAt: now, lastProgressAt: now });
      options.observer?.sessionEnded?.('nothing_new');
      return summary;
    }
    summary.started = true;
    acking = Promise.resolve();
    [failedObjectsPending, rejectedItems] = await held(Promise.all([countFailedObjects(prisma), countRejectedItems(prisma)]));
    failedPending = failedObjectsPending > 0;
    await held(markSessionStarted(prisma, lease, start.id, start.totalCount));
    note({
      state: 'syncing',
      sessionId: start.id,
      sessionStartedAt: new Date(),
      sessionFinishedAt: null,
      totalCount: BigInt(start.totalCount),
      countLeft: BigInt(start.totalCount),
      itemsSynced: 0n,
      itemsPerSecond: null,
    });
    const progress = createProgress({
      total: start.totalCount,
      intervalMs: progressIntervalMs,
      bar: progressBar && start.totalCount >= LONG_SESSION_ITEMS,
      logger: log,
    });
    const big = start.totalCount >= LONG_SESSION_ITEMS;
    log[big ? 'info' : 'debug']({ session: start.id, totalCount: start.totalCount, pages: start.pages }, 'sync session started');

    // The next page is fetched, and its statement built, while the current one is written:
    // the API allows parallel fetches, and a page is acked only after its own commit, so this
    // loses nothing; and Postgres gets the next statement as soon as it has committed one.
    const fetchNext = () => {
      const promise = api.fetchPage(start.id).then((page) => page && prepareWrite(lease, page, progress));
      promise.catch(() => undefined);
      return promise;
    };
    let next: Promise<PageWrite | null> = fetchNext();
    // A long session churns through large pages: keep the heap near its live size meanwhile.
    const releaseHeap = big ? holdLeanHeap() : undefined;
    try {
      for (;;) {
        const page = await next.catch((error: unknown) => {
          if (signal.aborted && !lease.signal.aborted) return undefined;
          throw error;
        });
        if (page === null) break;
        if (page === undefined || signal.aborted) {
          summary.interrupted = true;
          break;
        }
        next = fetchNext();
        summary.events += await writePage(api, lease, page, progress);
        summary.items += page.items;
        summary.pages += 1;
      }
      // Every committed page is acked before the session ends (or the process stops).
      await held(acking);
      await held(statistics.settled());
    } finally {
      releaseHeap?.();
      next.catch(() => undefined);
    }
    progress.done();
    options.observer?.sessionEnded?.(summary.interrupted ? 'interrupted' : 'completed');
    if (!summary.interrupted) {
      await held(markSessionFinished(prisma, lease));
      const now = new Date();
      note({ state: 'idle', sessionFinishedAt: now, lastSuccessAt: now, lastProgressAt: now, countLeft: 0n });
      [failedObjectsPending, rejectedItems] = await held(Promise.all([countFailedObjects(prisma), countRejectedItems(prisma)])).catch(() => [failedObjectsPending, rejectedItems]);
      // After the session is recorded as finished (the status says idle meanwhile), and never on the
      // way out of an interrupted one: a full ANALYZE of a big table takes seconds.
      await held(statistics.analyzeGrown());
      sessionLog.finished({ session: start.id, items: summary.items, pages: summary.pages, events: summary.events }, big);
    }
    return summary;
  }

  /** A fetched page, its items and its statement (fenced by the lease); notes the failed objects it reports. */
  function prepareWrite(lease: Lease, page: Page, progress: Progress): PageWrite {
    const { items } = page;
    if (page.failedObjects.length) {
      log.warn({ failedObjects: page.failedObjects }, `${page.failedObjects.length} objects could not be read by Base this time; they will come later`);
      failedPending = true;
    }
    const prepared = preparePage(items, {
      fence: { deviceUuid: lease.deviceUuid, epoch: lease.epoch },
      progress: { deviceUuid: lease.deviceUuid, items: items.length, countLeft: page.countLeft, itemsPerSecond: progress.rate() },
      failedObjects: page.failedObjects,
      clearFailedObjects: failedPending,
      clearRejectedItems: (rejectedItems ?? 0) > 0,
    });
    const received: Record<string, number> = {};
    for (const item of items) received[item.type] = (received[item.type] ?? 0) + 1;
    // A malformed item without an ack key cannot be acked: it is kept (rejected) and comes again.
    const ackKeys = items.flatMap((item) => (item.ackKey === undefined ? [] : [item.ackKey]));
    return { prepared, ackKeys, items: items.length, received, countLeft: page.countLeft };
  }

  async function writePage(api: SyncClient, lease: Lease, page: PageWrite, progress: Progress): Promise<number> {
    // Losing the lead abandons a write that hangs (a half-open connection): it can no longer
    // commit past the fence, and is never acked.
    // Rejected rows may have been kept since this page was prepared: its objects then clear theirs.
    const prepared = (rejectedItems ?? 0) > 0 ? clearingRejected(page.prepared) : page.prepared;
    const result = await unlessAborted(applyPrepared(prisma, prepared), lease.signal);
    statistics.record(result.changes);
    for (const change of result.changes) touched.add(change.type);
    options.observer?.pageApplied?.({ received: page.received, changes: result.changes });
    if (result.rejected.length) {
      rejectedItems = (rejectedItems ?? 0) + result.rejected.length;
      options.observer?.rejected?.(result.rejected);
      for (const r of result.rejected) {
        log.warn(
          { type: r.type, baseId: r.base_id, revision: r.revision, ackKey: r.ack_key, error: r.error },
          `kept a ${r.type || 'malformed'} item whole in rejected_items instead of storing it: ${r.error}`,
        );
      }
    }
    progress.add(page.items, page.countLeft);
    note({
      state: 'syncing',
      lastProgressAt: new Date(),
      itemsSynced: (record?.itemsSynced ?? 0n) + BigInt(page.items),
      ...(page.countLeft === undefined ? {} : { countLeft: BigInt(page.countLeft) }),
      itemsPerSecond: progress.rate(),
    });
    // Acked only now that the page has committed: a crash before this means redelivery, never
    // loss. The ack goes out while the next page is written; acks stay in order, and the
    // session waits for the last one before it ends.
    const previous = acking;
    acking = previous.then(() => api.ack(page.ackKeys));
    acking.catch(() => undefined);
    await previous;
    return result.events;
  }

  /** Runs `attempt` until it succeeds or the engine stops (then undefined), backing off after each failure. */
  async function retrying<T>(what: string, attempt: () => Promise<T>): Promise<T | undefined> {
    for (let failures = 1; !signal.aborted; failures++) {
      try {
        return await attempt();
      } catch (error) {
        const failure = describeFailure(error, secrets);
        if (failure.fatal) throw error;
        const delay = backoffDelay(failures, backoff);
        log.warn({ code: failure.code, delayMs: Math.round(delay) }, `${what} failed; trying again: ${failure.message}`);
        options.observer?.failed?.(failure.code);
        await pause(delay);
      }
    }
    return undefined;
  }

  async function device(): Promise<string | undefined> {
    deviceUuid ??= await retrying('resolving the device UUID', () => unlessAborted(resolveDeviceUuid(prisma, options.deviceUuid), AbortSignal.timeout(failoverMs)));
    // Until its first progress, a stall is counted from the engine's start.
    if (deviceUuid && !record) record = freshRecord(deviceUuid, startedAt);
    return deviceUuid;
  }

  /**
   * Leads or stands by until stopped; `once`: until one session is done. Resolves with that
   * session (once), or undefined; rejects only on a fatal failure (and, once, the cases above).
   */
  async function loop(once: boolean): Promise<SessionSummary | undefined> {
    const uuid = await device();
    if (!uuid) return undefined;
    log.info({ deviceUuid: uuid, upstream: options.baseUrl }, 'sync engine starting');
    const leadership: Leadership = createLeadership({ databaseUrl: options.databaseUrl, deviceUuid: uuid, failoverMs, logger });
    let failures = 0;
    try {
      while (!signal.aborted) {
        let lease: Lease | undefined;
        try {
          lease = await leadership.acquire();
        } catch (error) {
          const failure = describeFailure(error, secrets);
          void noteFailure(failure);
          options.observer?.failed?.(failure.code);
          if (once && stalled()) throw new StalledError(stallMs, failure);
          const delay = backoffDelay(++failures, backoff);
          log.warn({ code: failure.code, delayMs: Math.round(delay) }, `could not ask the database who syncs; trying again: ${failure.message}`);
          await pause(delay);
          continue;
        }
        if (!lease) {
          if (once) throw new NotTheSyncerError(`another process is syncing device ${uuid}; try again when it stops`);
          if (role !== 'standby') log.info('another process is the syncer for this device; standing by');
          role = 'standby';
          failures = 0;
          await pause(pollMs);
          continue;
        }
        // The sync as the last syncer left it (maybe another process: its progress, its errors),
        // about to start a session here: what this process tells from now on.
        const left = await unlessAborted(loadSyncRecord(prisma, uuid), lease.signal).catch(() => null);
        if (left) record = { ...left, state: 'idle' };
        role = 'syncer';
        led = true;
        log.info({ deviceUuid: uuid, epoch: String(lease.epoch) }, 'this process is the syncer');
        failures = 0;
        let outcome: Awaited<ReturnType<typeof lead>> = 'lost';
        try {
          outcome = await lead(lease, once);
          if (outcome === 'fatal') return undefined;
          if (outcome !== 'lost') return outcome;
        } finally {
          if (signal.aborted && outcome !== 'fatal') {
            // Only the syncer speaks for the device: a standby's stop says nothing about the sync.
            await unlessAborted(markPhase(prisma, lease, 'stopped'), AbortSignal.any([lease.signal, AbortSignal.timeout(leaseTimings(failoverMs).renewMs)])).catch(() => undefined);
            note({ state: 'stopped' });
          }
          await lease.release();
          // (lead() may have set the role: it is read again here.)
          if ((role as SyncRole) !== 'failed') role = 'starting';
        }
        // Lost the lead: a standby that is well gets the first chance to take over.
        if (!signal.aborted) await pause(3 * pollMs);
      }
      return once ? { started: true, items: 0, pages: 0, events: 0, interrupted: true } : undefined;
    } finally {
      await leadership.close();
    }
  }

  /** Sessions while `lease` holds: the session (once); `lost` when the lead is lost or the engine stops; `fatal`. */
  async function lead(lease: Lease, once: boolean): Promise<SessionSummary | 'lost' | 'fatal'> {
    let failures = 0;
    while (!signal.aborted && !lease.signal.aborted) {
      try {
        const summary = await session(lease);
        failures = 0;
        if (!summary.interrupted) void discoverCustomFields();
        if (once) return summary;
        // Also after a drained session: Base applies acks in the background, and starting again
        // at once would mostly fetch the items just acked.
        await pause(options.intervalMs, lease.signal);
      } catch (error) {
        if (signal.aborted && !lease.signal.aborted) return once ? { started: true, items: 0, pages: 0, events: 0, interrupted: true } : 'lost';
        const failure: Failure = lease.signal.aborted
          ? { code: 'not_leader', message: String((lease.signal.reason as Error | undefined)?.message ?? 'no longer the syncer'), fatal: false }
          : describeFailure(error, secrets);
        options.observer?.sessionEnded?.('failed');
        options.observer?.failed?.(failure.code);
        if (failure.fatal) {
          role = 'failed';
          log.fatal({ code: failure.code }, `sync stopped: ${failure.message}`);
          await noteFailure(failure, lease, 'error');
          if (once) throw error;
          return 'fatal';
        }
        if (failure.code === 'not_leader') {
          // A write refused by the fence (the lease's own loss is logged where it is noticed).
          if (!lease.signal.aborted) log.warn(failure.message);
          void noteFailure(failure);
          return 'lost';
        }
        await noteFailure(failure, lease);
        if (failure.code === 'session_expired') {
          log.warn(failure.message);
          continue;
        }
        if (once && stalled()) throw new StalledError(stallMs, failure);
        const delay = backoffDelay(++failures, backoff);
        log.error({ code: failure.code, delayMs: Math.round(delay) }, `sync session failed; trying again in ${Math.round(delay)} ms: ${failure.message}`);
        await pause(delay, lease.signal);
      }
    }
    return 'lost';
  }

  function start<T>(work: Promise<T>): Promise<T> {
    running = work.catch(() => undefined);
    return work;
  }

  return {
    get role() {
      return role;
    },
    get deviceUuid() {
      return deviceUuid;
    },
    status: () => ({ role, led, record: record && { ...record }, failedObjectsPending, rejectedItems }),

    run() {
      return start(
        loop(false)
          .then(() => undefined)
          .finally(() => {
            if (role !== 'failed') role = 'stopped';
          }),
      );
    },

    runOnce() {
      return start(
        loop(true)
          .then((summary) => summary ?? { started: true, items: 0, pages: 0, events: 0, interrupted: true })
          .finally(() => {
            if (role !== 'failed') role = 'stopped';
          }),
      );
    },

    customFieldsDiscovered: () => discovery.refresh([]),

    async stop() {
      stopController.abort(new Error('sync engine stopping'));
      await running;
      if (role !== 'failed') role = 'stopped';
      sessionLog.flush();
      // A discovery under way finishes (it may be building an index); none starts any more.
      await discovery.stop();
    },
  };
}
