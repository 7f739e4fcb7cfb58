// Retrying the items kept in rejected_items: each is read again from its text as received and
// applied like a page of the stream. Those that now store (a newer version of the gateway takes
// them, or what refused them is gone) leave rejected_items; the others stay, with the new error.
import type { PrismaClient } from '../db/client.ts';
import { parseExact, traitsOf } from '../store/exact-json.ts';
import { applyPage, type StoreItem } from '../store/apply-page.ts';
import type { Lead } from '../store/sync-state.ts';
import { readItem } from './client.ts';

/** An item's text as kept, read as the client reads an item of a page. */
function itemOf(text: string): StoreItem {
  const json = traitsOf(text);
  let value: unknown;
  try {
    value = json.exactNumbers ? parseExact(text) : JSON.parse(text);
  } catch {
    value = JSON.parse(text);
  }
  return readItem(value, () => text, json);
}

/**
 * Applies every rejected item again, `batchSize` at a time, oldest first (fenced, when the
 * syncer's lead is given); answers how many were retried and how many are stored now.
 */
export async function retryRejectedItems(
  prisma: PrismaClient,
  { batchSize = 100, fence }: { batchSize?: number; fence?: Lead } = {},
): Promise<{ retried: number; stored: number }> {
  const before = await prisma.rejectedItem.count();
  if (before === 0) return { retried: 0, stored: 0 };
  const last = await prisma.rejectedItem.aggregate({ _max: { id: true } });
  let after = 0n;
  let retried = 0;
  for (;;) {
    // Rows re-rejected keep their id: going by id, each is retried once.
    const rows = await prisma.rejectedItem.findMany({
      where: { id: { gt: after, lte: last._max.id ?? 0n } },
      orderBy: { id: 'asc' },
      take: batchSize,
      select: { id: true, rawText: true },
    });
    if (rows.length === 0) break;
    after = rows[rows.length - 1]!.id;
    retried += rows.length;
    await applyPage(prisma, rows.map((row) => itemOf(row.rawText)), fence ? { fence: { deviceUuid: fence.deviceUuid, epoch: fence.epoch } } : {});
  }
  return { retried, stored: before - (await prisma.rejectedItem.count()) };
}
