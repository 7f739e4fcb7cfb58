// The `status` command's text: the sync state an operator wants at a glance.
import type { SyncStatusShape } from './sync/status.ts';

const number = new Intl.NumberFormat('en-US');
const when = (date: Date | null) => (date ? `${date.toISOString()} (${ago(date)})` : 'never');

function ago(date: Date): string {
  const seconds = Math.round((Date.now() - date.getTime()) / 1000);
  if (seconds < 90) return `${seconds} s ago`;
  if (seconds < 5400) return `${Math.round(seconds / 60)} min ago`;
  if (seconds < 129_600) return `${Math.round(seconds / 3600)} h ago`;
  return `${Math.round(seconds / 86_400)} days ago`;
}

export function formatStatus(status: SyncStatusShape, failed: ReadonlyArray<{ type: string; id: bigint; firstReportedAt: Date }>): string {
  const lines = [
    `state:            ${status.state === 'never' ? 'never synced' : status.state}${status.noSyncer ? ' (no process holds the syncer lease)' : ''}`,
    `device UUID:      ${status.deviceUuid ?? '-'}`,
    `last session:     started ${when(status.sessionStartedAt)}, finished ${when(status.sessionFinishedAt)}`,
    `last success:     ${when(status.lastSuccessAt)}`,
    `last progress:    ${when(status.lastProgressAt)}`,
    `items:            ${number.format(Number(status.itemsSynced))} in the last session` +
      (status.countLeft !== null && status.countLeft > 0n ? `, ${number.format(Number(status.countLeft))} left` : '') +
      (status.itemsPerSecond ? `, ${number.format(Math.round(status.itemsPerSecond))} items/s` : ''),
    `failed objects:   ${status.failedObjectsPending}` +
      (failed.length ? ` (${failed.map((f) => `${f.type} ${f.id} since ${f.firstReportedAt.toISOString()}`).join('; ')})` : ''),
    `rejected items:   ${status.rejectedItems}${status.rejectedItems ? ' (kept whole in rejected_items; see README "Rejected items")' : ''}`,
    `last error:       ${status.lastError ? `${status.lastError} (${when(status.lastErrorAt)})` : 'none'}`,
  ];
  return `${lines.join('\n')}\n`;
}
