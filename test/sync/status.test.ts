// The status told from a record (pure): a working sync without progress for the stall time is
// stalled, whatever it recorded; /readyz/sync is 503 then, or once stopped by a fatal error,
// with a short reason.
import { describe, expect, it } from 'vitest';
import { freshRecord, type SyncRecord } from '../../src/store/sync-state.ts';
import { deriveStatus, syncReadiness } from '../../src/sync/status.ts';

const now = new Date('2026-12-01T12:00:00Z');
const ago = (seconds: number) => new Date(now.getTime() - seconds * 1000);
const STALL_MS = 120_000;

const record = (change: Partial<SyncRecord> = {}): SyncRecord => ({ ...freshRecord('00000000-0000-4000-8000-000000000000', ago(3600)), lastSuccessAt: ago(5), lastProgressAt: ago(5), ...change });

const status = (change: Partial<SyncRecord>) => deriveStatus(record(change), { now, stallMs: STALL_MS });

describe('deriveStatus', () => {
  it('tells what was recorded while there is progress, with the lag', () => {
    expect(status({ state: 'syncing', lastProgressAt: ago(3) })).toMatchObject({ state: 'syncing', lagSeconds: 3 });
    expect(status({ state: 'retrying', lastProgressAt: ago(119) })).toMatchObject({ state: 'retrying', lagSeconds: 119 });
  });

  it('is stalled after the stall time without progress, whatever was recorded', () => {
    for (const state of ['idle', 'syncing', 'retrying'] as const) expect(status({ state, lastProgressAt: ago(121) }).state).toBe('stalled');
  });

  it('keeps a fatal error and a stop as they are', () => {
    expect(status({ state: 'error', lastProgressAt: ago(1000) }).state).toBe('error');
    expect(status({ state: 'stopped', lastProgressAt: ago(1000) }).state).toBe('stopped');
  });

  it('falls back to older records that have no progress time', () => {
    expect(status({ lastProgressAt: null, lastSuccessAt: ago(10) }).lagSeconds).toBe(10);
    expect(status({ lastProgressAt: null, lastSuccessAt: null }).lagSeconds).toBe(3600);
  });

  it('notices when no live syncer holds the lease', () => {
    expect(status({ leaseExpiresAt: ago(1) }).noSyncer).toBe(true);
    expect(status({ leaseExpiresAt: new Date(now.getTime() + 5000) }).noSyncer).toBe(false);
  });

  it('has never synced without a record', () => {
    expect(deriveStatus(null, { now, stallMs: STALL_MS })).toMatchObject({ state: 'never', lagSeconds: null });
  });
});

describe('syncReadiness', () => {
  it('is ready while the sync makes progress, or retries within the stall time', () => {
    for (const state of ['idle', 'syncing', 'retrying'] as const) expect(syncReadiness(status({ state }), STALL_MS)).toEqual({ ready: true });
  });

  it('says why it is not: the cause of a stall, a fatal error, a stop nobody took over', () => {
    expect(syncReadiness(status({ state: 'syncing', lastProgressAt: ago(200), lastErrorCode: 'database_unreachable' }), STALL_MS)).toEqual({ ready: false, reason: 'database_unreachable' });
    expect(syncReadiness(status({ state: 'idle', lastProgressAt: ago(200) }), STALL_MS)).toEqual({ ready: false, reason: 'no_progress' });
    expect(syncReadiness(status({ state: 'idle', lastProgressAt: ago(200), leaseExpiresAt: ago(150), lastErrorCode: 'upstream_error' }), STALL_MS)).toEqual({ ready: false, reason: 'no_syncer' });
    expect(syncReadiness(status({ state: 'error', lastErrorCode: 'token_refused' }), STALL_MS)).toEqual({ ready: false, reason: 'token_refused' });
    expect(syncReadiness(status({ state: 'stopped', lastProgressAt: ago(10) }), STALL_MS)).toEqual({ ready: true });
    expect(syncReadiness(status({ state: 'stopped', lastProgressAt: ago(200) }), STALL_MS)).toEqual({ ready: false, reason: 'stopped' });
    expect(syncReadiness(deriveStatus(null, { now, stallMs: STALL_MS }), STALL_MS)).toEqual({ ready: false, reason: 'never_synced' });
  });
});
