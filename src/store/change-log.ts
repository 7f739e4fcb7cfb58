// The change log as its writer and its readers both know it: the channel a page's commit
// notifies (store/page-sql.ts) and listeners wake on (events/change-feed.ts), and where the log
// stands. It lives with the writer: the readers (events, schema, server) are downstream of the
// store and may import from it; the store importing from events would point against the flow.
// The newest `seq` outlives the events themselves: retention may prune every event of a quiet
// mirror, and keeps the newest pruned `seq` in change_log_state.
import type { PrismaClient } from '../db/client.ts';

/** The channel listeners are woken on; the payload is the newest `seq`. */
export const CHANGE_CHANNEL = 'bsg_change_events';

/** The `seq` of the newest change committed so far (0 when there has been none). */
export async function newestChangeSeq(prisma: PrismaClient): Promise<bigint> {
  const [row] = await prisma.$queryRaw<Array<{ seq: string }>>`
    SELECT GREATEST((SELECT max("seq") FROM "change_events"), (SELECT "pruned_through_seq" FROM "change_log_state" WHERE "id" = 1), 0)::text AS "seq"`;
  return BigInt(row?.seq ?? 0);
}
