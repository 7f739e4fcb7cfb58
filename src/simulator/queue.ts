// Device queues and sync sessions.
//
// Each device has an insertion-ordered `Map<handle, entry>` of the objects whose freshest state
// it has not acked yet. An entry is `seq * 2 + delivered`: `seq` is the device's insertion
// counter (entries are in seq order), the low bit says whether this state was handed out already.
// A session holds a live iterator over that Map: JS Map iterators see entries added after they
// were created and skip deleted ones, so a page costs O(page size) however long the queue is,
// an object updated mid-session (delete + set: moved to the end) comes again later in the same
// session, and handed-out items stay queued until acked, so a new session delivers them again.
// `count_left` is kept exact by counting, per session, the entries ahead of its iterator.
//
// Raw items (`addRawItems`) are items given as their exact JSON text (ids past 2^53, odd
// values): they are queued like objects under negative handles, served byte for byte, and
// leave a device's queue when it acks the key their text names (never, if it names none).
import { randomUUID } from 'node:crypto';
import type { Faults } from './faults.ts';
import type { Payload } from './generator.ts';
import { ackKey, parseAckKey } from './resource-types.ts';
import type { Counters } from './stats.ts';
import type { World } from './world.ts';

/** One item of a queue page, exactly as the Sync API sends it. */
export interface SyncItem {
  data: Payload;
  meta: { type: string; sync: { event_type: 'created' | 'updated' | 'deleted'; ack_key: string; revision: number } };
}

export interface QueueOptions {
  pageSize: number;
  maxSessions: number;
  sessionIdleTimeoutMs: number;
  ackDelayMs: number;
}

interface Bitset {
  has(i: number): boolean;
  set(i: number): void;
  clear(i: number): void;
}

function createBitset(): Bitset {
  let bits = new Uint8Array(0);
  return {
    has: (i) => ((bits[i >>> 3] ?? 0) & (1 << (i & 7))) !== 0,
    set(i) {
      const byte = i >>> 3;
      if (byte >= bits.length) {
        const next = new Uint8Array(Math.max(byte + 1, bits.length * 2, 1024));
        next.set(bits);
        bits = next;
      }
      bits[byte] = (bits[byte] as number) | (1 << (i & 7));
    },
    clear(i) {
      const byte = i >>> 3;
      if (byte < bits.length) bits[byte] = (bits[byte] as number) & ~(1 << (i & 7));
    },
  };
}

interface Device {
  readonly uuid: string;
  readonly pending: Map<number, number>;
  seq: number;
  /** Objects this device acked at some revision: `event_type` is `updated` for them. */
  readonly acked: Bitset;
  /** Objects handed out to this device at least once (it may hold them though it never acked). */
  readonly delivered: Bitset;
  /** Its unfinished sessions (their `ahead` counts follow the queue). */
  readonly sessions: Set<Session>;
}

interface Session {
  readonly id: string;
  readonly device: Device;
  readonly iter: Iterator<[number, number]>;
  /** Seq of the last entry the iterator yielded. */
  pos: number;
  /** Entries of the queue the iterator has not reached yet: `count_left`. */
  ahead: number;
  /** The iterator reached the end (the next empty fetch answers 204). */
  exhausted: boolean;
  /** It answered 204: no longer counts against the session limit. */
  done: boolean;
  lastUsedAt: number;
}

export type StartResult =
  | { kind: 'empty' }
  | { kind: 'too_many_sessions'; retryAfterSeconds: number }
  | { kind: 'started'; sessionId: string; totalCount: number; pages: number };

/** An item given as its exact JSON text, and the ack key that text names (if any). */
export interface RawItem {
  text: string;
  ackKey: string | undefined;
}

export type PageResult =
  | { kind: 'not_found' }
  | { kind: 'done' }
  /** A string is a raw item's exact JSON text. */
  | { kind: 'page'; items: Array<SyncItem | string>; countLeft: number; failedObjects: Array<{ type: string; id: number }> };

export interface Queues {
  start(deviceUuid: string): StartResult;
  page(sessionId: string, deviceUuid: string): PageResult;
  /** Records ack keys; they are applied after `ackDelayMs` (immediately when 0). */
  ack(deviceUuid: string, keys: readonly string[]): void;
  /** Applies every ack still waiting for its delay now. */
  flushAcks(): void;
  /** Queues raw items for every device, present and future. */
  addRawItems(items: readonly RawItem[]): void;
  /** Forgets the unfinished sessions (of one device): their queue URLs answer 404, as after an expiry. */
  expireSessions(deviceUuid?: string): number;
  /** Unfinished, unexpired sessions. */
  activeSessions(): number;
  devices(): number;
  /** Items queued for a device (undefined for a device never seen). */
  pendingCount(deviceUuid: string): number | undefined;
  close(): void;
}

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

/** A step near n/φ sharing no factor with n: `k * step mod n` visits every index once, well mixed. */
function coprimeStride(n: number): number {
  if (n < 3) return 1;
  let step = Math.floor(n * 0.6180339887) | 1;
  while (gcd(step, n) !== 1) step += 2;
  return step;
}

export function createQueues(world: World, options: QueueOptions, faults: Faults, counters: Counters): Queues {
  const devices = new Map<string, Device>();
  const sessions = new Map<string, Session>();
  const ackTimers = new Map<NodeJS.Timeout, () => void>();
  /** Raw items by their (negative) handle, and the handles of each ack key. */
  const rawItems = new Map<number, RawItem>();
  const rawByAckKey = new Map<string, Set<number>>();

  const removeEntry = (device: Device, h: number, entry: number): void => {
    device.pending.delete(h);
    const seq = Math.floor(entry / 2);
    for (const s of device.sessions) if (seq > s.pos) s.ahead--;
  };

  /** (Re)queues an object at the end of a device's queue. */
  const enqueue = (device: Device, h: number, keepDeliveredFlag = false): void => {
    const old = device.pending.get(h);
    if (old !== undefined) removeEntry(device, h, old);
    const flag = keepDeliveredFlag && old !== undefined ? old % 2 : 0;
    device.pending.set(h, ++device.seq * 2 + flag);
    for (const s of device.sessions) s.ahead++;
  };

  const deviceOf = (uuid: string): Device => {
    let device = devices.get(uuid);
    if (device) return device;
    // A new device has nothing: every live object is queued for it, types interleaved (Base
    // promises no order; a client must cope with a deal arriving before its contact).
    const pending = new Map<number, number>();
    let seq = 0;
    const n = world.handleCount();
    const stride = coprimeStride(n);
    for (let k = 0, h = 0; k < n; k++, h = (h + stride) % n) if (world.isLive(h)) pending.set(h, ++seq * 2);
    for (const h of rawItems.keys()) pending.set(h, ++seq * 2);
    device = { uuid, pending, seq, acked: createBitset(), delivered: createBitset(), sessions: new Set() };
    devices.set(uuid, device);
    return device;
  };

  world.onChange((h, kind) => {
    for (const device of devices.values()) {
      // A device that was never handed this object loses nothing if its delete is dropped;
      // the `phantomDeletes` fault sends it anyway, as the real service sometimes does.
      if (kind === 'delete' && !device.acked.has(h) && !device.delivered.has(h) && !faults.roll('phantomDeletes')) {
        const old = device.pending.get(h);
        if (old !== undefined) removeEntry(device, h, old);
        continue;
      }
      enqueue(device, h);
    }
  });

  const item = (device: Device, h: number): SyncItem | string => {
    if (h < 0) return rawItems.get(h)!.text;
    const table = world.typeOf(h);
    const id = world.idOf(h);
    if (!world.isLive(h)) {
      return { data: { id }, meta: { type: table.name, sync: { event_type: 'deleted', ack_key: ackKey(table.pascal, id, 0), revision: 0 } } };
    }
    const revision = world.revisionOf(h);
    return {
      data: world.payload(h),
      meta: {
        type: table.name,
        sync: { event_type: device.acked.has(h) ? 'updated' : 'created', ack_key: ackKey(table.pascal, id, revision), revision },
      },
    };
  };

  const exhaust = (session: Session): void => {
    session.exhausted = true;
    session.ahead = 0;
    session.device.sessions.delete(session);
  };

  const forget = (s: Session): void => {
    sessions.delete(s.id);
    s.device.sessions.delete(s);
    if (!s.done) counters.sessionsExpired++;
  };

  const expireIdle = (now: number): void => {
    for (const s of sessions.values()) if (now - s.lastUsedAt > options.sessionIdleTimeoutMs) forget(s);
  };

  const activeSessions = (): number => {
    let n = 0;
    for (const s of sessions.values()) if (!s.done) n++;
    return n;
  };

  const applyAck = (device: Device, key: string): void => {
    for (const h of rawByAckKey.get(key) ?? []) {
      const entry = device.pending.get(h);
      if (entry === undefined) continue;
      removeEntry(device, h, entry);
      counters.acksApplied++;
    }
    const parsed = parseAckKey(key);
    if (!parsed) return; // ack keys are opaque: one we did not issue is ignored
    const table = world.tableByPascal(parsed.pascal);
    const h = table && world.handleOf(table, parsed.id);
    if (h === undefined) return;
    const current = world.isLive(h) ? world.revisionOf(h) : 0;
    // An ack for an older state must not remove a newer one.
    if (parsed.revision !== current) return;
    const entry = device.pending.get(h);
    if (entry !== undefined) {
      removeEntry(device, h, entry);
      counters.acksApplied++;
    }
    if (current > 0) device.acked.set(h);
    else {
      device.acked.clear(h);
      device.delivered.clear(h);
    }
  };

  const sweeper = setInterval(() => expireIdle(Date.now()), Math.min(60_000, Math.max(1_000, options.sessionIdleTimeoutMs / 2)));
  sweeper.unref();

  return {
    start(uuid) {
      const now = Date.now();
      expireIdle(now);
      if (activeSessions() >= options.maxSessions) {
        let oldest = now;
        for (const s of sessions.values()) if (!s.done) oldest = Math.min(oldest, s.lastUsedAt);
        const wait = oldest + options.sessionIdleTimeoutMs - now;
        return { kind: 'too_many_sessions', retryAfterSeconds: Math.max(1, Math.ceil(wait / 1000)) };
      }
      const device = deviceOf(uuid);
      const total = device.pending.size;
      if (total === 0) {
        counters.startsEmpty++;
        return { kind: 'empty' };
      }
      const session: Session = {
        id: randomUUID(),
        device,
        iter: device.pending.entries(),
        pos: 0,
        ahead: total,
        exhausted: false,
        done: false,
        lastUsedAt: now,
      };
      sessions.set(session.id, session);
      device.sessions.add(session);
      counters.sessionsStarted++;
      return { kind: 'started', sessionId: session.id, totalCount: total, pages: Math.ceil(total / options.pageSize) };
    },

    page(sessionId, uuid) {
      const now = Date.now();
      const session = sessions.get(sessionId);
      if (!session || session.device.uuid !== uuid) return { kind: 'not_found' };
      if (now - session.lastUsedAt > options.sessionIdleTimeoutMs) {
        expireIdle(now);
        return { kind: 'not_found' };
      }
      if (!session.done && faults.roll('sessionExpiry')) {
        forget(session);
        return { kind: 'not_found' };
      }
      session.lastUsedAt = now;
      if (session.done) return { kind: 'done' };
      const device = session.device;
      if (session.ahead > 0 && faults.roll('emptyPages')) {
        counters.pagesServed++;
        counters.emptyPagesServed++;
        return { kind: 'page', items: [], countLeft: session.ahead, failedObjects: [] };
      }
      // Synchronous from here to the return: concurrent fetches of one session cannot
      // interleave, so no item is handed out twice by one page race.
      const items: Array<SyncItem | string> = [];
      const withheld: number[] = [];
      while (items.length + withheld.length < options.pageSize) {
        const next = session.iter.next();
        if (next.done) {
          exhaust(session);
          break;
        }
        const [h, entry] = next.value;
        session.pos = Math.floor(entry / 2);
        session.ahead--;
        if (h >= 0 && faults.roll('failedObjects')) {
          withheld.push(h);
          continue;
        }
        items.push(item(device, h));
        counters.itemsDelivered++;
        if (entry % 2 === 1) counters.itemsRedelivered++;
        else device.pending.set(h, entry + 1);
        if (h >= 0 && world.isLive(h)) device.delivered.set(h);
      }
      // Withheld objects go back to the end of the queue: a later page (or session) brings them.
      const failedObjects = withheld.map((h) => {
        enqueue(device, h, true);
        return { type: world.typeOf(h).name, id: world.idOf(h) };
      });
      counters.failedObjectsReported += failedObjects.length;
      if (items.length === 0 && failedObjects.length === 0) {
        session.done = true;
        counters.sessionsFinished++;
        return { kind: 'done' };
      }
      counters.pagesServed++;
      if (items.length === 0) counters.emptyPagesServed++;
      return { kind: 'page', items, countLeft: session.ahead, failedObjects };
    },

    ack(uuid, keys) {
      counters.ackRequests++;
      counters.acksReceived += keys.length;
      const apply = (): void => {
        const device = devices.get(uuid);
        if (device) for (const key of keys) applyAck(device, key);
        counters.acksProcessed += keys.length;
      };
      if (options.ackDelayMs <= 0) return apply();
      const timer = setTimeout(() => {
        ackTimers.delete(timer);
        apply();
      }, options.ackDelayMs);
      ackTimers.set(timer, apply);
    },

    flushAcks() {
      for (const [timer, apply] of [...ackTimers]) {
        clearTimeout(timer);
        ackTimers.delete(timer);
        apply();
      }
    },

    addRawItems(list) {
      for (const raw of list) {
        const h = -(rawItems.size + 1);
        rawItems.set(h, raw);
        if (raw.ackKey !== undefined) rawByAckKey.set(raw.ackKey, (rawByAckKey.get(raw.ackKey) ?? new Set()).add(h));
        for (const device of devices.values()) enqueue(device, h);
      }
    },

    expireSessions(uuid) {
      let n = 0;
      for (const s of [...sessions.values()]) {
        if (s.done || (uuid !== undefined && s.device.uuid !== uuid)) continue;
        forget(s);
        n++;
      }
      return n;
    },

    activeSessions: () => {
      expireIdle(Date.now());
      return activeSessions();
    },
    devices: () => devices.size,
    pendingCount: (uuid) => devices.get(uuid)?.pending.size,
    close() {
      clearInterval(sweeper);
      for (const timer of ackTimers.keys()) clearTimeout(timer);
      ackTimers.clear();
      world.onChange(() => {});
    },
  };
}
