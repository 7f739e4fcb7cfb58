// Liveness and readiness, in short reason codes (never a driver's error text), and without
// scanning a table. /healthz: the process is up. /readyz: it can serve queries (the database
// answers, every committed migration is applied), so an upstream outage never takes the read
// API out of a load balancer. /readyz/sync: the sync makes progress (for alerting).
import type { PrismaClient } from '../db/client.ts';
import { readMigrations } from '../db/migrations.ts';
import { syncReadiness, type SyncStatusSource } from '../sync/status.ts';

export interface Readiness {
  ready: boolean;
  /** The answer's body (besides `status`). */
  checks: Record<string, string | number | null>;
}

/** Options for {@link createReadinessCheck}. */
export interface ReadinessOptions {
  prisma: PrismaClient;
  /** A database that has not answered within this long is unreachable (default 2 s). */
  timeoutMs?: number;
}

function within<T>(promise: Promise<T>, ms: number): Promise<T> {
  promise.catch(() => undefined);
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([promise, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('timeout')), ms)))]).finally(() => clearTimeout(timer));
}

/** /readyz: `database` ok or unreachable; `migrations` ok, pending or unknown. */
export function createReadinessCheck(options: ReadinessOptions): () => Promise<Readiness> {
  const timeoutMs = options.timeoutMs ?? 2000;
  // The migrations this code needs; read once.
  const expected = readMigrations().then((list) => list.map((m) => m.name));
  expected.catch(() => undefined); // reported by the check that awaits it
  // Applied migrations stay applied: once seen complete, later probes only ask whether the database answers.
  let migrated = false;
  return async () => {
    const checks = { database: 'ok', migrations: 'ok' };
    try {
      if (migrated) {
        await within(options.prisma.$queryRawUnsafe('SELECT 1'), timeoutMs);
      } else {
        const applied = await within(
          options.prisma.$queryRaw<{ migration_name: string }[]>`
            SELECT migration_name FROM "_prisma_migrations" WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`,
          timeoutMs,
        );
        const names = new Set(applied.map((row) => row.migration_name));
        migrated = (await expected).every((name) => names.has(name));
        if (!migrated) checks.migrations = 'pending';
      }
    } catch {
      checks.database = 'unreachable';
      checks.migrations = migrated ? 'ok' : 'unknown';
    }
    return { ready: checks.database === 'ok' && checks.migrations === 'ok', checks };
  };
}

/**
 * /readyz/sync: ready unless the sync is stalled (no progress for SYNC_STALL_SECONDS), stopped
 * by a fatal error, or stopped with nobody taking over; `reason` says why, as a short code.
 */
export function createSyncReadinessCheck(status: SyncStatusSource): () => Promise<Readiness> {
  return async () => {
    const current = await status.summary();
    const verdict = syncReadiness(current, status.stallMs);
    const lag = current.lagSeconds === null ? null : Math.round(current.lagSeconds * 10) / 10;
    return {
      ready: verdict.ready,
      checks: { state: current.state, lagSeconds: lag, ...(verdict.ready ? {} : { reason: verdict.reason }) },
    };
  };
}
