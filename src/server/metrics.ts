// Prometheus metrics of one gateway process (GET /metrics): the sync (items by type and kind,
// sessions, retries and errors by cause, lag, failed objects, rejected items), GraphQL requests (yoga's
// plugin) and subscriptions (open, events delivered).
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { SyncObserver } from '../sync/engine.ts';
import type { SyncStatusShape } from '../sync/status.ts';

export interface Metrics {
  readonly registry: Registry;
  /** Hooks the sync engine reports to. */
  readonly sync: SyncObserver;
  /** Counts change events delivered to subscribers. */
  eventDelivered(n?: number): void;
}

/** Options for {@link createMetrics}. */
export interface MetricsOptions {
  /** The sync's status at scrape time (in memory, or a cached read of one row: a scrape never scans a table). */
  syncStatus?: () => Promise<SyncStatusShape | undefined>;
  /** Open WebSocket connections, running subscriptions and the change streams listening to the feed, read at scrape time. */
  subscriptions?: () => { connections: number; executions: number; feedListeners: number };
}

export function createMetrics(options: MetricsOptions): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'bsg_process_' });

  const items = new Counter({
    name: 'bsg_sync_items_total',
    help: 'Items received from the Sync API, by type.',
    labelNames: ['type'] as const,
    registers: [registry],
  });
  const changes = new Counter({
    name: 'bsg_sync_changes_total',
    help: 'Real changes written to the mirror, by type and kind (replays and stale items are not changes).',
    labelNames: ['type', 'kind'] as const,
    registers: [registry],
  });
  const sessions = new Counter({
    name: 'bsg_sync_sessions_total',
    help: 'Sync sessions, by outcome: completed, nothing_new, interrupted, failed.',
    labelNames: ['outcome'] as const,
    registers: [registry],
  });
  const retries = new Counter({
    name: 'bsg_sync_retries_total',
    help: 'Retried Sync API calls, by cause.',
    labelNames: ['cause'] as const,
    registers: [registry],
  });
  const errors = new Counter({
    name: 'bsg_sync_errors_total',
    help: 'Failed sync attempts (sessions, lock or device look-ups), by cause: database_unreachable, upstream_error, token_refused, ...',
    labelNames: ['cause'] as const,
    registers: [registry],
  });
  const rejected = new Counter({
    name: 'bsg_sync_rejected_items_total',
    help: 'Items received that could not be stored as objects and were kept whole in rejected_items, by type.',
    labelNames: ['type'] as const,
    registers: [registry],
  });
  const status = () => (options.syncStatus?.() ?? Promise.resolve(undefined)).catch(() => undefined);
  new Gauge({
    name: 'bsg_sync_lag_seconds',
    help: 'Seconds since the sync last made progress (a page committed, a session completed or found nothing new); it grows during a stall (absent before any progress).',
    registers: [registry],
    async collect() {
      const lag = (await status())?.lagSeconds;
      if (lag !== null && lag !== undefined) this.set(lag);
    },
  });
  new Gauge({
    name: 'bsg_sync_failed_objects_pending',
    help: 'Objects Base reported it could not read that have not arrived since (as last counted by the sync).',
    registers: [registry],
    async collect() {
      const pending = (await status())?.failedObjectsPending;
      if (pending !== undefined) this.set(pending);
    },
  });
  new Gauge({
    name: 'bsg_websocket_connections',
    help: 'Open GraphQL WebSocket connections.',
    registers: [registry],
    collect() {
      this.set(options.subscriptions?.().connections ?? 0);
    },
  });
  new Gauge({
    name: 'bsg_subscription_executions',
    help: 'Distinct subscriptions running (identical ones share one).',
    registers: [registry],
    collect() {
      this.set(options.subscriptions?.().executions ?? 0);
    },
  });
  new Gauge({
    name: 'bsg_change_feed_listeners',
    help: "Change streams listening to this process's change feed (subscriptions over WebSocket and SSE; shared ones count once).",
    registers: [registry],
    collect() {
      this.set(options.subscriptions?.().feedListeners ?? 0);
    },
  });
  const delivered = new Counter({
    name: 'bsg_subscription_events_delivered_total',
    help: 'Change events delivered to subscribers.',
    registers: [registry],
  });

  return {
    registry,
    sync: {
      pageApplied(page) {
        for (const [type, n] of Object.entries(page.received)) items.inc({ type }, n);
        for (const { type, kind, count } of page.changes) changes.inc({ type, kind }, count);
      },
      sessionEnded: (outcome) => sessions.inc({ outcome }),
      rejected(items) {
        for (const item of items) rejected.inc({ type: item.type ?? '' });
      },
      retried: (cause) => retries.inc({ cause }),
      failed: (cause) => errors.inc({ cause }),
    },
    eventDelivered: (n = 1) => delivered.inc(n),
  };
}
