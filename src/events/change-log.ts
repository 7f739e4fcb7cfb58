// Where the change log stands. Its newest `seq` outlives the events themselves: retention may
// prune every event of a quiet mirror, and keeps the newest pruned `seq` in change_log_state.
import type { PrismaClient } from '../db/client.ts';

/** The `seq` of the newest change committed so far (0 when there has been none). */
export async function newestChangeSeq(prisma: PrismaClient): Promise<bigint> {
  const [row] = await prisma.$queryRaw<Array<{ seq: string }>>`
    SELECT GREATEST((SELECT max("seq") FROM "change_events"), (SELECT "pruned_through_seq" FROM "change_log_state" WHERE "id" = 1), 0)::text AS "seq"`;
  return BigInt(row?.seq ?? 0);
}
