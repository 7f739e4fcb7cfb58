// Progress lines read like `synced 12,300/45,000 (27%), 3,100 items/s, ~11 s left`.
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/logger.ts';
import { createProgress, formatProgress } from '../../src/sync/progress.ts';

describe('progress', () => {
  it('formats counts, percentage, rate and time left', () => {
    expect(formatProgress(12_300, 45_000, 3_100, 32_700)).toBe('synced 12,300/45,000 (27%), 3,100 items/s, ~11 s left');
  });

  it('grows the total when the queue holds more than total_count said (counts are approximate)', () => {
    expect(formatProgress(900, 1_000, null, 600)).toBe('synced 900/1,500 (60%)');
  });

  it('measures the rate over the session and logs at most once per interval', () => {
    let now = 0;
    const lines: string[] = [];
    const logger = silentLogger();
    logger.info = ((_o: unknown, msg: string) => void lines.push(msg)) as typeof logger.info;
    const progress = createProgress({ total: 1_000, intervalMs: 5_000, logger, now: () => now });
    now = 1_000;
    progress.add(100, 900);
    now = 5_000;
    progress.add(400, 500);
    now = 6_000;
    progress.add(100, 400);
    expect(progress.rate()).toBe(100);
    expect(lines).toEqual(['synced 500/1,000 (50%), 100 items/s, ~5 s left']);
  });
});
