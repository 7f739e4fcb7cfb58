// A subscriber may leave `limit` events unread; the next one cuts it off with the cursor to
// resume from. A batch that arrives at once is never "behind" by itself.
import { describe, expect, it } from 'vitest';
import { createBoundedBuffer } from '../../src/events/bounded-buffer.ts';

const signal = new AbortController().signal;
const buffer = (limit: number, sizeOf?: (entry: number[]) => number) =>
  createBoundedBuffer<number[]>({ limit, ...(sizeOf ? { sizeOf } : {}), resumeAfter: (first) => (first ? String(first[0]! - 1) : undefined) });

describe('a bounded buffer', () => {
  it('holds up to the limit unread, and cuts the reader off at one more, naming where to resume', async () => {
    const b = buffer(3);
    b.push([10]);
    b.push([11]);
    b.push([12]);
    expect(await b.take(signal)).toEqual([10]);
    b.push([13]);
    b.push([14]);
    await expect(b.take(signal)).rejects.toThrow('this subscriber fell more than 3 events behind and was cut off; subscribe again with after: "10" to resume');
    // Cut off for good: nothing more is queued.
    b.push([15]);
    await expect(b.take(signal)).rejects.toMatchObject({ extensions: { code: 'SUBSCRIBER_TOO_SLOW', resumeAfter: '10' } });
  });

  it('takes a batch larger than the limit when it is not behind, and counts its events after', async () => {
    const b = buffer(2, (entry) => entry.length);
    b.push([1, 2, 3, 4, 5]);
    b.push([6]);
    await expect(b.take(signal)).rejects.toMatchObject({ extensions: { resumeAfter: '0' } });
  });

  it('hands out what is queued, then the end; and stops waiting when the reader leaves', async () => {
    const b = buffer(5);
    b.push([1]);
    b.end();
    expect(await b.take(signal)).toEqual([1]);
    expect(await b.take(signal)).toBeUndefined();

    const idle = buffer(5);
    const leaving = new AbortController();
    const waiting = idle.take(leaving.signal);
    leaving.abort();
    expect(await waiting).toBeUndefined();
  });

  it('hands out what is queued without waiting, then throws the error that cut the reader off', () => {
    const b = buffer(2);
    expect(b.poll()).toBeUndefined();
    b.push([20]);
    expect(b.poll()).toEqual([20]);
    b.push([21]);
    b.push([22]);
    b.push([23]);
    expect(() => b.poll()).toThrow('this subscriber fell more than 2 events behind and was cut off; subscribe again with after: "20" to resume');
    const done = buffer(2);
    done.push([1]);
    done.end();
    expect(done.poll()).toEqual([1]);
    expect(done.poll()).toBeUndefined();
  });
});
