// Retention of the change log: events older than CHANGE_EVENT_RETENTION are deleted, in
// batches, and the newest deleted `seq` is recorded so that an expired cursor gets a clear error.
import type { PrismaClient } from '../db/client.ts';
import type { Logger } from '../logger.ts';

/** Options for {@link startRetention}. */
export interface RetentionOptions {
  prisma: PrismaClient;
  /** Age after which events are pruned. */
  retentionMs: number;
  /** How often to prune (default hourly). */
  intervalMs?: number;
  logger: Logger;
}

const BATCH = 10_000;

/** Deletes events older than the retention; returns how many. */
export async function pruneChangeEvents(prisma: PrismaClient, retentionMs: number): Promise<number> {
  const before = new Date(Date.now() - retentionMs);
  let total = 0;
  for (;;) {
    const [row] = await prisma.$queryRaw<{ n: number }[]>`
      WITH gone AS (
        DELETE FROM "change_events" WHERE "seq" IN (
          SELECT "seq" FROM "change_events" WHERE "occurred_at" < ${before} ORDER BY "seq" LIMIT ${BATCH})
        RETURNING "seq"),
      mark AS (
        INSERT INTO "change_log_state" ("id", "pruned_through_seq", "pruned_at")
        SELECT 1, max("seq"), now() FROM gone HAVING count(*) > 0
        ON CONFLICT ("id") DO UPDATE SET
          "pruned_through_seq" = GREATEST("change_log_state"."pruned_through_seq", EXCLUDED."pruned_through_seq"),
          "pruned_at" = EXCLUDED."pruned_at")
      SELECT count(*)::int AS n FROM gone`;
    total += row?.n ?? 0;
    if ((row?.n ?? 0) < BATCH) return total;
  }
}

/** Prunes now and then periodically; returns the function that stops it. */
export function startRetention(options: RetentionOptions): () => void {
  const log = options.logger.child({ component: 'retention' });
  const run = () =>
    pruneChangeEvents(options.prisma, options.retentionMs).then(
      (n) => n > 0 && log.info({ pruned: n }, `pruned ${n} change events older than the retention`),
      (error: unknown) => log.warn({ err: error }, 'could not prune change events'),
    );
  void run();
  const timer = setInterval(() => void run(), options.intervalMs ?? 3_600_000);
  timer.unref();
  return () => clearInterval(timer);
}
