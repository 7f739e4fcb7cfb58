// One subscriber's queue: filled by a producer that never waits for it, read at the subscriber's
// own pace. A subscriber that falls more than `limit` events behind is cut off (what it had not
// read is dropped) with an error giving the cursor to resume from, so that nobody else waits.
import { GraphQLError } from 'graphql';

/** The error that ends a subscriber who fell more than `limit` events behind; `resumeAfter`: its cursor, when known. */
export function subscriberTooSlow(limit: number, resumeAfter: string | undefined): GraphQLError {
  const resume = resumeAfter === undefined ? 'subscribe again' : `subscribe again with after: "${resumeAfter}" to resume`;
  return new GraphQLError(`this subscriber fell more than ${limit} events behind and was cut off; ${resume}`, {
    extensions: { code: 'SUBSCRIBER_TOO_SLOW', resumeAfter: resumeAfter ?? null },
  });
}

/** Options for {@link createBoundedBuffer}. */
export interface BoundedBufferOptions<T> {
  /** Events the subscriber may leave unread; one more arriving cuts it off. */
  limit: number;
  /** Events an entry holds (default 1): a batch that arrives at once is never "behind" by itself. */
  sizeOf?: (entry: T) => number;
  /** The cursor to resume after when cut off, given the first entry it had not read (undefined: none queued). */
  resumeAfter: (firstUnread: T | undefined) => string | undefined;
}

export interface BoundedBuffer<T> {
  /** Queues an entry, or cuts the subscriber off when `limit` events are unread already; nothing once ended. */
  push(entry: T): void;
  /** Ends the buffer: the subscriber reads what is queued, then the end (or `error`). */
  end(error?: GraphQLError): void;
  /** The next entry, waiting for one; undefined at the end or once `signal` aborts; throws the error that ended it. */
  take(signal: AbortSignal): Promise<T | undefined>;
  /** The next entry without waiting: undefined while none is queued (and at the end); throws the error that ended it. */
  poll(): T | undefined;
}

export function createBoundedBuffer<T>({ limit, sizeOf = () => 1, resumeAfter }: BoundedBufferOptions<T>): BoundedBuffer<T> {
  const queue: T[] = [];
  let unread = 0;
  let ended: GraphQLError | 'done' | undefined;
  let wake: (() => void) | undefined;
  /** The signal whose abort wakes a waiting take: watched once, not once per wait (a wait per event per subscriber adds up). */
  let watched: AbortSignal | undefined;

  return {
    push(entry) {
      if (ended) return;
      if (unread >= limit) {
        ended = subscriberTooSlow(limit, resumeAfter(queue[0]));
        queue.length = 0;
        unread = 0;
      } else {
        queue.push(entry);
        unread += sizeOf(entry);
      }
      wake?.();
    },
    end(error) {
      ended ??= error ?? 'done';
      wake?.();
    },
    poll() {
      const entry = queue.shift();
      if (entry !== undefined) {
        unread -= sizeOf(entry);
        return entry;
      }
      if (ended && ended !== 'done') throw ended;
      return undefined;
    },
    async take(signal) {
      for (;;) {
        const entry = queue.shift();
        if (entry !== undefined) {
          unread -= sizeOf(entry);
          return entry;
        }
        if (ended === 'done' || signal.aborted) return undefined;
        if (ended) throw ended;
        if (watched !== signal) {
          watched = signal;
          signal.addEventListener('abort', () => wake?.(), { once: true });
        }
        await new Promise<void>((resolve) => (wake = resolve));
        wake = undefined;
      }
    },
  };
}
