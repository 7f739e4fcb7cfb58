// The `sync_state` row of a device and the `failed_objects` list: what the syncer is doing,
// how far it got, and what went wrong, for `status`, the API and operators. The syncer's
// writes are fenced like its pages: they land only while its epoch is the device's.
import { randomUUID } from 'node:crypto';
import type { PrismaClient } from '../db/client.ts';
import { FencedError } from './apply-page.ts';

/** What the syncer last recorded it was doing (stalls are derived from `lastProgressAt`, not recorded). */
export type RecordedState = 'idle' | 'syncing' | 'retrying' | 'error' | 'stopped';

/** The syncer of a device, as its fenced writes name it. */
export interface Lead {
  deviceUuid: string;
  epoch: bigint;
}

/** A failure as recorded: a short message (no secrets) and a code for probes. */
export interface RecordedError {
  message: string;
  code: string;
}

// Taken around reading and creating the device, so that two first starts end with one.
const DEVICE_LOCK_SQL = `SELECT pg_advisory_xact_lock(hashtext('base-sync-gateway'), hashtext('device uuid'))::text`;

/** The configured device UUID, else the one kept in the database, else a new one (kept). Race-free. */
export async function resolveDeviceUuid(prisma: PrismaClient, configured: string | undefined): Promise<string> {
  if (configured) {
    await prisma.syncState.createMany({ data: [{ deviceUuid: configured }], skipDuplicates: true });
    return configured;
  }
  return prisma.$transaction(async (tx) => {
    await tx.$queryRawUnsafe(DEVICE_LOCK_SQL);
    const known = await tx.syncState.findFirst({ orderBy: { createdAt: 'asc' } });
    if (known) return known.deviceUuid;
    const fresh = randomUUID();
    await tx.syncState.create({ data: { deviceUuid: fresh } });
    return fresh;
  });
}

/** Updates the device's row if `lead` still leads it; throws {@link FencedError} otherwise. */
async function fencedUpdate(prisma: PrismaClient, lead: Lead, data: Parameters<PrismaClient['syncState']['updateMany']>[0]['data']): Promise<void> {
  const { count } = await prisma.syncState.updateMany({ where: { deviceUuid: lead.deviceUuid, leaderEpoch: lead.epoch }, data });
  if (count === 0) throw new FencedError(lead.deviceUuid);
}

export async function markSessionStarted(prisma: PrismaClient, lead: Lead, sessionId: string, totalCount: number): Promise<void> {
  const now = new Date();
  await fencedUpdate(prisma, lead, {
    state: 'syncing',
    sessionId,
    sessionStartedAt: now,
    sessionFinishedAt: null,
    totalCount: BigInt(totalCount),
    countLeft: BigInt(totalCount),
    itemsSynced: 0n,
    pagesFetched: 0n,
    itemsPerSecond: null,
    updatedAt: now,
  });
}

export async function markSessionFinished(prisma: PrismaClient, lead: Lead): Promise<void> {
  const now = new Date();
  await fencedUpdate(prisma, lead, { state: 'idle', sessionFinishedAt: now, lastSuccessAt: now, lastProgressAt: now, countLeft: 0n, updatedAt: now });
}

/** Records a start that found nothing new (204): the mirror is up to date. */
export async function markIdleNoNews(prisma: PrismaClient, lead: Lead): Promise<void> {
  const now = new Date();
  await fencedUpdate(prisma, lead, { state: 'idle', lastSuccessAt: now, lastProgressAt: now, updatedAt: now });
}

export async function markPhase(prisma: PrismaClient, lead: Lead, state: RecordedState, error?: RecordedError): Promise<void> {
  const now = new Date();
  await fencedUpdate(prisma, lead, {
    state,
    updatedAt: now,
    ...(error === undefined ? {} : { lastError: error.message, lastErrorCode: error.code, lastErrorAt: now }),
  });
}

/** What sync_state says about a device: what its syncer recorded, and its lease. */
export interface SyncRecord {
  state: RecordedState;
  deviceUuid: string;
  sessionId: string | null;
  sessionStartedAt: Date | null;
  sessionFinishedAt: Date | null;
  lastSuccessAt: Date | null;
  lastProgressAt: Date | null;
  totalCount: bigint | null;
  countLeft: bigint | null;
  itemsSynced: bigint;
  itemsPerSecond: number | null;
  lastError: string | null;
  lastErrorAt: Date | null;
  lastErrorCode: string | null;
  /** Until when the syncer's lease holds (null: no syncer has taken one). */
  leaseExpiresAt: Date | null;
  createdAt: Date;
}

/** The record of a device nothing has been recorded for yet, created `at`. */
export function freshRecord(deviceUuid: string, at: Date): SyncRecord {
  return {
    state: 'idle',
    deviceUuid,
    sessionId: null,
    sessionStartedAt: null,
    sessionFinishedAt: null,
    lastSuccessAt: null,
    lastProgressAt: null,
    totalCount: null,
    countLeft: null,
    itemsSynced: 0n,
    itemsPerSecond: null,
    lastError: null,
    lastErrorAt: null,
    lastErrorCode: null,
    leaseExpiresAt: null,
    createdAt: at,
  };
}

/** The record of `deviceUuid`, or of the device synced most recently when none is given; null when there is none. */
export async function loadSyncRecord(prisma: PrismaClient, deviceUuid?: string): Promise<SyncRecord | null> {
  const found = deviceUuid
    ? await prisma.syncState.findUnique({ where: { deviceUuid } })
    : await prisma.syncState.findFirst({ orderBy: { updatedAt: 'desc' } });
  if (!found) return null;
  const { leaderEpoch: _epoch, pagesFetched: _pages, updatedAt: _updated, ...record } = found;
  return { ...record, state: record.state as RecordedState };
}

/** Objects Base reported it could not read that have not arrived since. */
export function countFailedObjects(prisma: PrismaClient): Promise<number> {
  return prisma.failedObject.count();
}

/** Items kept whole in rejected_items. */
export function countRejectedItems(prisma: PrismaClient): Promise<number> {
  return prisma.rejectedItem.count();
}

/** The objects Base could not read that have not arrived since, oldest report first (at most `first`, 0 to 100). */
export function loadFailedObjects(prisma: PrismaClient, first = 20) {
  return prisma.failedObject.findMany({ orderBy: { firstReportedAt: 'asc' }, take: Math.min(Math.max(first, 0), 100) });
}
