// Retry-After is read in seconds or as an HTTP date.
import { expect, it } from 'vitest';
import { parseRetryAfter } from '../../src/sync/client.ts';

it('reads seconds, dates, and ignores what it cannot read', () => {
  expect(parseRetryAfter('2')).toBe(2_000);
  expect(parseRetryAfter(null)).toBeUndefined();
  expect(parseRetryAfter('soon')).toBeUndefined();
  const inFive = parseRetryAfter(new Date(Date.now() + 5_000).toUTCString())!;
  expect(inFive).toBeGreaterThan(3_000);
  expect(inFive).toBeLessThanOrEqual(5_000);
});
