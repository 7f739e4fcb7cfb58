// Liveness and readiness: /healthz says the process is up; /readyz says it can do its job:
// the database answers, every committed migration is applied, and the sync has not been
// stopped by a fatal error (such as a refused token).
import type { PrismaClient } from '../db/client.ts';
import { readMigrations } from '../db/migrations.ts';

export interface Readiness {
  ready: boolean;
  checks: { database: string; migrations: string; sync: string };
}

/** Options for {@link createReadinessCheck}. */
export interface ReadinessOptions {
  prisma: PrismaClient;
  /** The sync engine's role, when this process runs one. */
  syncRole?: () => string;
}

export function createReadinessCheck(options: ReadinessOptions): () => Promise<Readiness> {
  // The migrations this code needs; read once.
  const expected = readMigrations().then((list) => list.map((m) => m.name));
  expected.catch(() => undefined); // reported by the check that awaits it
  return async () => {
    const checks: Readiness['checks'] = { database: 'ok', migrations: 'ok', sync: 'ok' };
    try {
      const applied = await options.prisma.$queryRaw<{ migration_name: string }[]>`
        SELECT migration_name FROM "_prisma_migrations" WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`;
      const names = new Set(applied.map((row) => row.migration_name));
      const missing = (await expected).filter((name) => !names.has(name));
      if (missing.length) checks.migrations = `not applied: ${missing.join(', ')}`;
    } catch (error) {
      checks.database = `unreachable: ${(error as Error).message.split('\n').filter(Boolean).at(-1) ?? 'error'}`;
      checks.migrations = 'unknown';
    }
    const role = options.syncRole?.();
    if (role === 'failed') checks.sync = 'stopped by a fatal error (see syncStatus.lastError)';
    else if (role !== undefined) checks.sync = role === 'standby' ? 'ok (standing by; another process syncs)' : 'ok';
    else checks.sync = 'ok (not syncing in this process)';
    const ready = checks.database === 'ok' && checks.migrations === 'ok' && !checks.sync.startsWith('stopped');
    return { ready, checks };
  };
}
