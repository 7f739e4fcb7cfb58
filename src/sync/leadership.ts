// One syncer per device. The syncer holds a Postgres advisory lock on a connection of its own
// (TCP keepalive on both ends) and a lease in sync_state that it renews on that connection,
// which is how it checks the connection too. Taking the lock raises the device's epoch; every
// page and sync_state write of the syncer names its epoch and fails once a newer one exists.
// A syncer that stops renewing (killed host, half-open connection, SIGSTOP) keeps its lock on
// the server until the server notices, maybe never: a standby that finds the lease expired
// terminates the holder's backend and takes over with a new epoch.
import pg from 'pg';
import type { Logger } from '../logger.ts';
import type { Lead } from '../store/sync-state.ts';

/** Options for {@link createLeadership}. */
export interface LeadershipOptions {
  /** For the connection holding the lock (with credentials: never logged). */
  databaseUrl: string;
  deviceUuid: string;
  /** A standby takes over within about this long of the syncer's death (SYNC_FAILOVER_SECONDS). */
  failoverMs: number;
  logger: Logger;
}

/** This process leads the device. */
export interface Lease extends Lead {
  /** Aborted (with the reason) once this process no longer leads: lost connection, unrenewed lease, newer epoch. */
  readonly signal: AbortSignal;
  /** Gives the lead up: the lock is released, the connection closed. */
  release(): Promise<void>;
}

export interface Leadership {
  /**
   * Becomes the syncer unless a live process is: resolves with the lease, or undefined when
   * another process leads. Rejects when the database cannot be asked (retry later).
   */
  acquire(): Promise<Lease | undefined>;
  /** Closes the connection of a standby (a lease is given up with its own release()). */
  close(): Promise<void>;
}

/** How the failover time is spent: renewals, the lease's length, a standby's polls. Pure. */
export function leaseTimings(failoverMs: number): { renewMs: number; leaseMs: number; pollMs: number } {
  // Taken over at worst a lease plus a poll after the last renewal: two thirds of the failover
  // time, the rest for the new syncer's first session. Three renewals per lease.
  return { renewMs: Math.round(failoverMs / 6), leaseMs: Math.round(failoverMs / 2), pollMs: Math.min(2000, Math.round(failoverMs / 6)) };
}

const LOCK_KEYS = `hashtext('base-sync-gateway'), hashtext($1)`;
const HOLDER = `SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted AND objsubid = 2
  AND classid = hashtext('base-sync-gateway')::oid AND objid = hashtext($1)::oid`;

// One statement: the lock, and with it a new epoch and a fresh lease (no moment when a standby
// could see the lock held under an expired lease of an earlier syncer).
const ACQUIRE = `WITH l AS (SELECT pg_try_advisory_lock(${LOCK_KEYS}) AS locked),
  e AS (INSERT INTO "sync_state" ("device_uuid", "leader_epoch", "lease_expires_at")
    SELECT $1::uuid, 1, now() + $2 * interval '1 millisecond' FROM l WHERE l.locked
    ON CONFLICT ("device_uuid") DO UPDATE SET "leader_epoch" = "sync_state"."leader_epoch" + 1, "lease_expires_at" = EXCLUDED."lease_expires_at"
    RETURNING "leader_epoch")
  SELECT l.locked, (SELECT "leader_epoch"::text FROM e) AS epoch,
    (SELECT "lease_expires_at" < now() FROM "sync_state" WHERE "device_uuid" = $1::uuid) AS expired,
    (${HOLDER}) AS holder
  FROM l`;

const RENEW = `UPDATE "sync_state" SET "lease_expires_at" = now() + $3 * interval '1 millisecond' WHERE "device_uuid" = $1::uuid AND "leader_epoch" = $2::bigint`;

/** A query that fails when no answer has come within `timeoutMs` (pg reads `query_timeout` per query; its types omit it). */
function query<R extends pg.QueryResultRow>(client: pg.Client, text: string, values: unknown[], timeoutMs: number): Promise<pg.QueryResult<R>> {
  return client.query<R>({ text, values, query_timeout: timeoutMs } as pg.QueryConfig);
}

/** Closes a connection that may not answer any more (half-open): its socket first. */
function drop(client: pg.Client): void {
  (client as unknown as { connection?: { stream?: { destroy(): void } } }).connection?.stream?.destroy();
  client.end().catch(() => undefined);
}

export function createLeadership(options: LeadershipOptions): Leadership {
  const { deviceUuid } = options;
  const log = options.logger.child({ component: 'sync' });
  const { renewMs, leaseMs } = leaseTimings(options.failoverMs);
  const seconds = (ms: number) => Math.max(1, Math.round(ms / 1000));
  /** The standby's connection, kept between polls; a lease takes it over. */
  let standby: pg.Client | undefined;

  async function connect(): Promise<pg.Client> {
    const client = new pg.Client({
      connectionString: options.databaseUrl,
      application_name: 'base-sync-gateway syncer',
      connectionTimeoutMillis: Math.max(1000, renewMs * 2),
      // Both ends probe the idle connection: a dead peer is noticed within the failover time.
      keepAlive: true,
      keepAliveInitialDelayMillis: Math.max(1000, Math.round(options.failoverMs / 3)),
      options: [
        `-c tcp_keepalives_idle=${seconds(options.failoverMs / 3)}`,
        `-c tcp_keepalives_interval=${seconds(options.failoverMs / 10)}`,
        '-c tcp_keepalives_count=3',
        `-c tcp_user_timeout=${Math.max(1000, Math.round(options.failoverMs / 2))}`,
      ].join(' '),
    });
    // Errors of an idle connection come as events; each owner of the connection handles them.
    client.on('error', () => undefined);
    try {
      await client.connect();
    } catch (error) {
      drop(client);
      throw error;
    }
    return client;
  }

  function lease(client: pg.Client, epoch: bigint): Lease {
    const controller = new AbortController();
    let renewedAt = Date.now();
    let timer: NodeJS.Timeout | undefined;
    const lose = (why: string, error?: unknown) => {
      if (controller.signal.aborted) return;
      clearTimeout(timer);
      log.warn({ err: error, epoch: String(epoch) }, `no longer the syncer: ${why}`);
      controller.abort(new Error(`no longer the syncer: ${why}`));
      drop(client);
    };
    client.on('error', (error) => lose('the connection holding the syncer lock was lost', error));
    client.on('end', () => lose('the connection holding the syncer lock was closed'));
    const renew = async () => {
      try {
        const { rowCount } = await query(client, RENEW, [deviceUuid, epoch.toString(), leaseMs], renewMs);
        if (rowCount === 0) return lose('another process has become the syncer');
        renewedAt = Date.now();
      } catch (error) {
        // Unsure whether the lease holds: a standby may take over once it has run out.
        if (Date.now() - renewedAt >= leaseMs - renewMs) return lose('the lease could not be renewed', error);
        log.warn({ err: error }, 'could not renew the syncer lease; trying again');
      }
      if (!controller.signal.aborted) timer = setTimeout(() => void renew(), renewMs);
    };
    timer = setTimeout(() => void renew(), renewMs);
    return {
      deviceUuid,
      epoch,
      signal: controller.signal,
      async release() {
        if (controller.signal.aborted) return;
        clearTimeout(timer);
        controller.abort(new Error('the syncer stepped down'));
        // Ending the session releases the lock; a connection that does not answer is dropped.
        await Promise.race([client.end(), new Promise((resolve) => setTimeout(resolve, renewMs).unref())]).catch(() => undefined);
        drop(client);
      },
    };
  }

  async function attempt(client: pg.Client): Promise<{ epoch?: bigint; expired: boolean; holder: number | null }> {
    const { rows } = await query<{ locked: boolean; epoch: string | null; expired: boolean | null; holder: number | null }>(client, ACQUIRE, [deviceUuid, leaseMs], renewMs * 2);
    const row = rows[0]!;
    return { ...(row.locked && row.epoch !== null ? { epoch: BigInt(row.epoch) } : {}), expired: row.expired === true, holder: row.holder };
  }

  return {
    async acquire() {
      const client = standby ?? (await connect());
      standby = client;
      try {
        let result = await attempt(client);
        if (result.epoch === undefined && result.expired && result.holder !== null) {
          // The syncer stopped renewing: it is dead, paused or cut off, yet may still hold the lock.
          log.warn({ holderPid: result.holder }, 'the syncer stopped renewing its lease; ending its database session to take over');
          await query(client, 'SELECT pg_terminate_backend($1, $2)', [result.holder, renewMs], renewMs * 2);
          result = await attempt(client);
        }
        if (result.epoch === undefined) return undefined;
        standby = undefined;
        return lease(client, result.epoch);
      } catch (error) {
        if (standby === client) standby = undefined;
        drop(client);
        throw error;
      }
    },
    async close() {
      const client = standby;
      standby = undefined;
      if (client) drop(client);
    },
  };
}
