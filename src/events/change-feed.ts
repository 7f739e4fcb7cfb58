// The change feed of one process: a single LISTEN connection wakes it; it reads the new
// `change_events` rows by `seq` (the table is the source of truth, NOTIFY only a hint),
// loads each event's object once, and hands the batch to every listener in the process.
// After a dropped connection it reconnects and catches up from the table: nothing is lost.
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import type { PrismaClient } from '../db/client.ts';
import { findManyOf } from '../db/delegates.ts';
import { isResourceType, type ResourceType } from '../resource-types.ts';
import type { Logger } from '../logger.ts';
import { CHANGE_CHANNEL, newestChangeSeq } from '../store/change-log.ts';

export type ChangeKind = 'CREATED' | 'UPDATED' | 'DELETED';

/** One real change, with the object as stored now (for a delete: its last state, tombstoned). */
export interface ChangeEvent {
  seq: bigint;
  type: ResourceType;
  resourceId: bigint;
  kind: ChangeKind;
  revision: bigint;
  occurredAt: Date;
  /** The row (Prisma shape) of the object. */
  node: Record<string, unknown>;
}

const batches = new WeakMap<ChangeEvent, readonly ChangeEvent[]>();

/** The batch an event was read in (the same array every listener got), to load objects per batch. */
export function batchOf(event: ChangeEvent): readonly ChangeEvent[] {
  return batches.get(event) ?? [event];
}

/** Called with each new batch of events, in `seq` order. */
export type ChangeListener = (events: readonly ChangeEvent[]) => void;

/** Options for {@link createChangeFeed}. */
export interface ChangeFeedOptions {
  /** For the LISTEN connection. */
  databaseUrl: string;
  prisma: PrismaClient;
  logger: Logger;
  /** Rows read per query (default 500). */
  batchSize?: number;
  /** Reads the table this often even without a notification, as a safety net (default 5 s). */
  pollIntervalMs?: number;
}

export interface ChangeFeed {
  /** Connects, and starts after the newest event now in the table. */
  start(): Promise<void>;
  /** The newest `seq` handed to listeners. */
  readonly position: bigint;
  /** Registers a listener of batches after {@link position}; returns the unsubscribe function. */
  listen(listener: ChangeListener): () => void;
  /** Listeners registered now: the change streams of this process's subscriptions. */
  readonly listenerCount: number;
  /** Calls `callback` each time a listener is registered (a subscription is live from then on); returns the unsubscribe function. */
  onListen(callback: () => void): () => void;
  /**
   * Events with `after < seq <= upTo`, oldest first, reading at most `limit` rows (for replays);
   * `through` is the last `seq` read (null: nothing left), where the next read starts.
   */
  read(after: bigint, upTo: bigint, limit: number): Promise<{ events: ChangeEvent[]; through: bigint | null }>;
  /** Events up to this `seq` were pruned by retention (0: none). */
  prunedThrough(): Promise<bigint>;
  close(): Promise<void>;
}

interface EventRow {
  seq: bigint;
  type: string;
  resourceId: bigint;
  kind: ChangeKind;
  revision: bigint;
  occurredAt: Date;
}

export function createChangeFeed(options: ChangeFeedOptions): ChangeFeed {
  const { prisma } = options;
  const log = options.logger.child({ component: 'change-feed' });
  const batchSize = options.batchSize ?? 500;
  const listeners = new Set<ChangeListener>();
  const listenWatchers = new Set<() => void>();
  let position = 0n;
  let client: pg.Client | undefined;
  let closed = false;
  let catching: Promise<void> | undefined;
  let again = false;
  let poller: NodeJS.Timeout | undefined;

  /** Loads the objects of a batch: one query per type present, never one per event. */
  async function withNodes(rows: readonly EventRow[]): Promise<ChangeEvent[]> {
    const byType = new Map<ResourceType, bigint[]>();
    for (const row of rows) {
      if (!isResourceType(row.type)) continue;
      const ids = byType.get(row.type) ?? [];
      ids.push(row.resourceId);
      byType.set(row.type, ids);
    }
    const nodes = new Map<string, Record<string, unknown>>();
    await Promise.all(
      [...byType].map(async ([type, ids]) => {
        for (const node of await findManyOf(prisma, type, { where: { id: { in: ids } } })) nodes.set(`${type}:${String(node.id)}`, node);
      }),
    );
    const events: ChangeEvent[] = [];
    for (const row of rows) {
      const node = nodes.get(`${row.type}:${row.resourceId}`);
      // Types without a table (kept in other_resources) have no GraphQL object to show.
      if (node && isResourceType(row.type)) events.push({ ...row, type: row.type, node });
    }
    for (const event of events) batches.set(event, events);
    return events;
  }

  async function readRows(after: bigint, upTo: bigint | undefined, limit: number): Promise<EventRow[]> {
    return prisma.changeEvent.findMany({
      where: { seq: upTo === undefined ? { gt: after } : { gt: after, lte: upTo } },
      orderBy: { seq: 'asc' },
      take: limit,
    });
  }

  /** Reads everything after `position` and dispatches it; one run at a time, re-run if woken meanwhile. */
  function catchUp(): Promise<void> {
    if (catching) {
      again = true;
      return catching;
    }
    catching = (async () => {
      do {
        again = false;
        for (;;) {
          const rows = await readRows(position, undefined, batchSize);
          if (rows.length === 0) break;
          // With nobody listening (no subscriber in this process), no object is loaded: a sync
          // would otherwise have every row it writes read back by each gateway process.
          const events = listeners.size ? await withNodes(rows) : [];
          position = rows[rows.length - 1]!.seq;
          if (events.length) for (const listener of [...listeners]) listener(events);
          if (rows.length < batchSize) break;
        }
      } while (again && !closed);
    })()
      .catch((error: unknown) => log.error({ err: error }, 'could not read new change events; will retry'))
      .finally(() => {
        catching = undefined;
      });
    return catching;
  }

  async function connect(): Promise<void> {
    for (let attempt = 0; !closed; attempt++) {
      const next = new pg.Client({ connectionString: options.databaseUrl, application_name: 'base-sync-gateway change feed' });
      try {
        next.on('notification', () => void catchUp());
        next.on('error', (error) => {
          log.warn({ err: error }, 'change feed connection lost; reconnecting');
          if (client === next) client = undefined;
          void next.end().catch(() => undefined);
          if (!closed) void connect();
        });
        await next.connect();
        await next.query(`LISTEN ${CHANGE_CHANNEL}`);
        client = next;
        // Whatever happened while not listening is in the table.
        await catchUp();
        return;
      } catch (error) {
        await next.end().catch(() => undefined);
        log.warn({ err: error, attempt }, 'change feed cannot connect; retrying');
        await sleep(Math.min(5000, 200 * 2 ** attempt));
      }
    }
  }

  return {
    get position() {
      return position;
    },
    async start() {
      position = await newestChangeSeq(prisma);
      await connect();
      poller = setInterval(() => void catchUp(), options.pollIntervalMs ?? 5000);
      poller.unref();
    },
    listen(listener) {
      listeners.add(listener);
      for (const watcher of [...listenWatchers]) watcher();
      return () => listeners.delete(listener);
    },
    get listenerCount() {
      return listeners.size;
    },
    onListen(callback) {
      listenWatchers.add(callback);
      return () => listenWatchers.delete(callback);
    },
    async read(after, upTo, limit) {
      const rows = await readRows(after, upTo, limit);
      return { events: await withNodes(rows), through: rows.length ? rows[rows.length - 1]!.seq : null };
    },
    async prunedThrough() {
      const state = await prisma.changeLogState.findUnique({ where: { id: 1 } });
      return state?.prunedThroughSeq ?? 0n;
    },
    async close() {
      closed = true;
      if (poller) clearInterval(poller);
      listeners.clear();
      await catching;
      await client?.end().catch(() => undefined);
      client = undefined;
    },
  };
}
