// Composition: a world, device queues, faults, activity and the HTTP server, behind the small
// `Simulator` interface that demo mode, tests and benchmarks code against.
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { silentLogger, type Logger } from '../logger.ts';
import { createActivity } from './activity.ts';
import { DEMO_TOKEN } from './auth.ts';
import { applyChanges, type Change, type ChangeResult } from './changes.ts';
import { liveObjects, type SimObject } from './control.ts';
import { createFaults, faultsSchema, type FaultConfig } from './faults.ts';
import { createQueues, type Queues } from './queue.ts';
import type { SeedRequest, SeedResult, SimContext } from './context.ts';
import { createSimServer } from './server.ts';
import type { RevisionModel } from './revisions.ts';
import { createCounters, type Counters } from './stats.ts';
import type { CustomFieldDefinition, CustomFieldResource } from './custom-fields.ts';
import { createWorld, type NewCustomField, type World } from './world.ts';

export interface SimulatorOptions {
  /** Bearer token clients must send (default {@link DEMO_TOKEN}). */
  token?: string;
  /** What the token may do (default both): `sync` for the Sync API, `read` for REST reads (custom field definitions). */
  scopes?: ReadonlyArray<'sync' | 'read'>;
  /** Seed of the world, the activity and the faults (default 1). */
  seed?: number;
  /** Items per queue page (default 100, as Base). */
  pageSize?: number;
  /** The initial world: `total` objects spread over the types, or exact per-type `counts` (default total 2000). */
  world?: { total?: number; counts?: Partial<Record<string, number>> };
  /** How object states are numbered: `clock` (default), one account-wide increasing number as in Base's example; `counter`, per object from 1. Deletes are 0 either way. */
  revisions?: RevisionModel;
  /** Live creates/updates/deletes per second while listening (default 0). */
  activityPerSecond?: number;
  /** Delay before acks are applied, in ms, as Base processes them in the background (default 50; 0 = at once). */
  ackDelayMs?: number;
  /** A session unused for this long expires (default 5 minutes). */
  sessionIdleTimeoutMs?: number;
  /** Unfinished sessions allowed at once, per account (default 100, as Base). */
  maxSessions?: number;
  /** Initial faults (default none); see `PUT /_sim/faults`. */
  faults?: FaultConfig;
  /** Called with every ack's keys before the ack is accepted; awaited (for tests). */
  onAck?: (deviceUuid: string, keys: readonly string[]) => void | Promise<void>;
  /** Where the simulator logs (default silent). */
  logger?: Logger;
}

/** Counters plus current gauges (`GET /_sim/stats`). */
export interface SimulatorStats extends Counters {
  sessionsActive: number;
  devices: number;
  objects: number;
  activityPerSecond: number;
  faultsInjected: Record<string, number>;
}

export interface Simulator {
  /** Base URL, e.g. `http://127.0.0.1:3030` (valid after `listen`). */
  readonly url: string;
  /** The bearer token it accepts. */
  readonly token: string;
  /** Starts serving (port 0 = a free port; host default 127.0.0.1) and the activity; answers the URL. */
  listen(port?: number, host?: string): Promise<string>;
  /** Stops the server, the activity and pending background work. */
  close(): Promise<void>;
  /** Replaces the world (devices and sessions are forgotten); answers live objects per type. */
  seed(request: SeedRequest): SeedResult;
  /** Applies a batch of changes, all or nothing (throws `ChangeBatchError`). */
  changes(changes: Change[]): ChangeResult[];
  /**
   * Queues items given as their exact JSON text (`{"data":…,"meta":…}`), served byte for byte to
   * every device until it acks the key the text names (ids past 2^53 and other values JSON.parse
   * would change). They are not objects of the world: `objects()` does not list them.
   */
  injectItems(texts: readonly string[]): Array<{ ack_key: string | null }>;
  /** One live object, or undefined. */
  object(type: string, id: number): SimObject | undefined;
  /** Every live object (of one type), lazily. */
  objects(type?: string): Iterable<SimObject>;
  /** Live objects per type. */
  counts(): Record<string, number>;
  setFaults(config: FaultConfig): void;
  faults(): FaultConfig;
  stats(): SimulatorStats;
  /** Applies acks still waiting for their background delay. */
  flushAcks(): void;
  /** Forgets the unfinished sessions (of one device), as if they had expired; answers how many. */
  expireSessions(deviceUuid?: string): number;
  /** Changes the activity rate (per second). */
  setActivity(perSecond: number): void;
  /** Applies `n` activity changes at once (deterministic given the seed). */
  runActivity(n: number): void;
  /** The account's custom field definitions of a type. */
  customFieldDefinitions(resource: CustomFieldResource): readonly CustomFieldDefinition[];
  /** Defines a new custom field of a type (throws if the name is taken). */
  addCustomField(resource: CustomFieldResource, field: NewCustomField): CustomFieldDefinition;
  /** Items queued for a device (undefined if the device never started a session). */
  pendingCount(deviceUuid: string): number | undefined;
}

const DEFAULT_TOTAL = 2000;

export function createSimulator(options: SimulatorOptions = {}): Simulator {
  const token = options.token ?? DEMO_TOKEN;
  const logger = options.logger ?? silentLogger();
  const baseSeed = options.seed ?? 1;
  const queueOptions = {
    pageSize: options.pageSize ?? 100,
    maxSessions: options.maxSessions ?? 100,
    sessionIdleTimeoutMs: options.sessionIdleTimeoutMs ?? 5 * 60_000,
    ackDelayMs: options.ackDelayMs ?? 50,
  };
  const counters = createCounters();
  const faults = createFaults(baseSeed, faultsSchema.parse(options.faults ?? {}));
  const initialWorld = options.world ?? { total: DEFAULT_TOTAL };

  const revisions = options.revisions ?? 'clock';
  let world: World = createWorld({ seed: baseSeed, ...initialWorld, revisions });
  let queues: Queues = createQueues(world, queueOptions, faults, counters);
  const activity = createActivity(() => world, baseSeed, options.activityPerSecond ?? 0, logger);
  let url = '';
  let server: Server | undefined;

  const seedResult = (): SeedResult => {
    const counts = world.counts();
    return { seed: world.seed, total: Object.values(counts).reduce((s, n) => s + n, 0), counts };
  };

  const ctx: SimContext = {
    token,
    scopes: new Set(options.scopes ?? ['sync', 'read']),
    logger,
    baseUrl: () => url,
    world: () => world,
    queues: () => queues,
    faults,
    activity,
    onAck: options.onAck,
    seed(request) {
      queues.close();
      world = createWorld({
        seed: request.seed ?? baseSeed,
        ...(request.counts ? { counts: request.counts } : { total: request.total ?? 0 }),
        // The account's clock goes on: a new world's states are newer than the old one's.
        revisions,
        clockAfter: world.lastRevision() || undefined,
      });
      queues = createQueues(world, queueOptions, faults, counters);
      logger.info({ seed: world.seed, objects: world.liveCount() }, 'simulator world seeded');
      return seedResult();
    },
    changes: (list) => applyChanges(world, list),
    rawItems(texts) {
      const items = texts.map((text) => {
        const value = JSON.parse(text) as { meta?: { sync?: { ack_key?: unknown } } } | null;
        const ackKey = value?.meta?.sync?.ack_key;
        return { text, ackKey: typeof ackKey === 'string' ? ackKey : undefined };
      });
      queues.addRawItems(items);
      return items.map((i) => ({ ack_key: i.ackKey ?? null }));
    },
    stats: () => ({
      ...counters,
      sessionsActive: queues.activeSessions(),
      devices: queues.devices(),
      objects: world.liveCount(),
      activityPerSecond: activity.rate(),
      faultsInjected: faults.injected(),
    }),
    flushAcks: () => queues.flushAcks(),
    expireSessions: (uuid) => queues.expireSessions(uuid),
  };

  return {
    get url() {
      return url;
    },
    token,
    async listen(port = 0, host = '127.0.0.1') {
      if (server) throw new Error('simulator is already listening');
      const s = createSimServer(ctx);
      await new Promise<void>((resolve, reject) => {
        s.once('error', reject);
        s.listen(port, host, () => {
          s.off('error', reject);
          resolve();
        });
      });
      server = s;
      const address = s.address() as AddressInfo;
      // A wildcard bind is reached through loopback from this machine.
      const shownHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
      url = `http://${shownHost}:${address.port}`;
      activity.start();
      logger.info({ url, objects: world.liveCount() }, 'simulator listening');
      return url;
    },
    async close() {
      activity.stop();
      queues.close();
      const s = server;
      server = undefined;
      if (!s) return;
      await new Promise<void>((resolve) => {
        s.close(() => resolve());
        s.closeAllConnections();
      });
    },
    seed: (request) => ctx.seed(request),
    changes: (list) => ctx.changes(list),
    injectItems: (texts) => ctx.rawItems(texts),
    object(type, id) {
      const table = world.table(type);
      const h = table && world.handleOf(table, id);
      if (h === undefined || !world.isLive(h)) return undefined;
      return { type, id, revision: world.revisionOf(h), data: world.payload(h) };
    },
    *objects(type) {
      const w = world;
      const tables = type === undefined ? w.types : [w.table(type)].filter((t) => t !== undefined);
      for (const { object } of liveObjects(w, tables)) yield object;
    },
    counts: () => world.counts(),
    setFaults: (config) => faults.set(faultsSchema.parse(config)),
    faults: () => faults.config(),
    stats: () => ctx.stats() as SimulatorStats,
    flushAcks: () => queues.flushAcks(),
    expireSessions: (uuid) => ctx.expireSessions(uuid?.toLowerCase()),
    setActivity: (perSecond) => activity.setRate(perSecond),
    runActivity: (n) => activity.step(n),
    customFieldDefinitions: (resource) => world.customFieldDefinitions(resource),
    addCustomField: (resource, field) => world.addCustomField(resource, field),
    pendingCount: (uuid) => queues.pendingCount(uuid.toLowerCase()),
  };
}
