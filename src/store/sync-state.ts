// The `sync_state` row of a device and the `failed_objects` list: what the syncer is doing,
// how far it got, and what went wrong, for `status`, the API and operators.
import { randomUUID } from 'node:crypto';
import type { PrismaClient } from '../db/client.ts';

export type SyncPhase = 'idle' | 'syncing' | 'error' | 'stopped';

/** The configured device UUID, else the one kept in the database, else a new one (kept). */
export async function resolveDeviceUuid(prisma: PrismaClient, configured: string | undefined): Promise<string> {
  if (configured) {
    await prisma.syncState.upsert({ where: { deviceUuid: configured }, create: { deviceUuid: configured }, update: {} });
    return configured;
  }
  const known = await prisma.syncState.findFirst({ orderBy: { createdAt: 'asc' } });
  if (known) return known.deviceUuid;
  const fresh = randomUUID();
  await prisma.syncState.create({ data: { deviceUuid: fresh } });
  return fresh;
}

export async function markSessionStarted(prisma: PrismaClient, deviceUuid: string, sessionId: string, totalCount: number): Promise<void> {
  await prisma.syncState.update({
    where: { deviceUuid },
    data: {
      state: 'syncing',
      sessionId,
      sessionStartedAt: new Date(),
      sessionFinishedAt: null,
      totalCount: BigInt(totalCount),
      countLeft: BigInt(totalCount),
      itemsSynced: 0n,
      pagesFetched: 0n,
      itemsPerSecond: null,
      updatedAt: new Date(),
    },
  });
}

export async function markSessionFinished(prisma: PrismaClient, deviceUuid: string): Promise<void> {
  const now = new Date();
  await prisma.syncState.update({
    where: { deviceUuid },
    data: { state: 'idle', sessionFinishedAt: now, lastSuccessAt: now, countLeft: 0n, updatedAt: now },
  });
}

export async function markPhase(prisma: PrismaClient, deviceUuid: string, state: SyncPhase, error?: string): Promise<void> {
  const now = new Date();
  await prisma.syncState.update({
    where: { deviceUuid },
    data: { state, updatedAt: now, ...(error === undefined ? {} : { lastError: error, lastErrorAt: now }) },
  });
}

/** Records a start that found nothing new (204): the mirror is up to date. */
export async function markIdleNoNews(prisma: PrismaClient, deviceUuid: string): Promise<void> {
  const now = new Date();
  await prisma.syncState.update({ where: { deviceUuid }, data: { state: 'idle', lastSuccessAt: now, updatedAt: now } });
}

/** The sync status as the API and the `status` command show it. */
export interface SyncStatusShape {
  state: string;
  deviceUuid: string | null;
  sessionId: string | null;
  sessionStartedAt: Date | null;
  sessionFinishedAt: Date | null;
  lastSuccessAt: Date | null;
  totalCount: bigint | null;
  countLeft: bigint | null;
  itemsSynced: bigint;
  itemsPerSecond: number | null;
  lastError: string | null;
  lastErrorAt: Date | null;
  failedObjectsPending: number;
  /** Items kept whole in rejected_items. */
  rejectedItems: number;
}

/** The status of the device synced most recently. */
export async function loadSyncStatus(prisma: PrismaClient): Promise<SyncStatusShape> {
  const [state, failedObjectsPending, rejectedItems] = await Promise.all([
    prisma.syncState.findFirst({ orderBy: { updatedAt: 'desc' } }),
    prisma.failedObject.count(),
    prisma.rejectedItem.count(),
  ]);
  if (!state) {
    return {
      state: 'never', deviceUuid: null, sessionId: null, sessionStartedAt: null, sessionFinishedAt: null, lastSuccessAt: null,
      totalCount: null, countLeft: null, itemsSynced: 0n, itemsPerSecond: null, lastError: null, lastErrorAt: null, failedObjectsPending,
      rejectedItems,
    };
  }
  return { ...state, failedObjectsPending, rejectedItems };
}


/** The objects Base could not read that have not arrived since, oldest report first (at most `first`, 0 to 100). */
export function loadFailedObjects(prisma: PrismaClient, first = 20) {
  return prisma.failedObject.findMany({ orderBy: { firstReportedAt: 'asc' }, take: Math.min(Math.max(first, 0), 100) });
}
