// One subscriber's view of the change feed: the events after its cursor replayed from the
// table, then live ones, with no gap and no duplicate across the seam; filtered; and held in
// a bounded buffer, so that a subscriber who falls too far behind is ended (with the cursor
// to resume from) instead of slowing anyone else down.
import { GraphQLError } from 'graphql';
import { abortable } from './abortable.ts';
import { createBoundedBuffer } from './bounded-buffer.ts';
import type { ChangeEvent, ChangeFeed } from './change-feed.ts';

/** Options for {@link changeStream}. */
export interface ChangeStreamOptions {
  feed: ChangeFeed;
  /** Replay the events after this cursor first; undefined: live events only. */
  after?: bigint;
  /** Keeps an event (types, kinds): cheap, synchronous. */
  accept: (event: ChangeEvent) => boolean;
  /**
   * Keeps the events that match a condition on the stored object (one query a batch). `batch`
   * is the feed's batch they came from, the same object for every subscriber of the process,
   * so that subscribers with the same condition can share one query.
   */
  match?: (events: ChangeEvent[], batch: readonly ChangeEvent[]) => Promise<ChangeEvent[]>;
  /** Events held for a subscriber before it is cut off. */
  bufferLimit: number;
  /** Rows read per replay query. */
  replayBatch?: number;
}

/** The cursor of an event: its `seq`, as a string (opaque to clients). */
export const cursorOf = (event: Pick<ChangeEvent, 'seq'>): string => event.seq.toString();

/** Reads a cursor given by a client; throws a clear error when it is not one of ours. */
export function parseCursor(cursor: string): bigint {
  if (!/^\d{1,19}$/.test(cursor)) {
    throw new GraphQLError(`"${cursor.slice(0, 40)}" is not a change cursor: pass the cursor of the last event you received`, {
      extensions: { code: 'BAD_USER_INPUT' },
    });
  }
  return BigInt(cursor);
}

/** The events for one subscriber; ending it (return()) stops at once, even while it waits. */
export function changeStream(options: ChangeStreamOptions): AsyncGenerator<ChangeEvent> {
  return abortable((signal) => events(options, signal));
}

async function* events(options: ChangeStreamOptions, signal: AbortSignal): AsyncGenerator<ChangeEvent> {
  const { feed } = options;
  let delivered: bigint | undefined = options.after;
  let seam = 0n;
  // Batches as the feed handed them out (their events that this subscriber keeps), held until read.
  const buffer = createBoundedBuffer<{ kept: ChangeEvent[]; batch: readonly ChangeEvent[] }>({
    limit: options.bufferLimit,
    sizeOf: (entry) => entry.kept.length,
    resumeAfter: () => String(delivered ?? seam),
  });

  // Listen first, then replay up to where the feed stood at that moment: events after it arrive live.
  // This process's feed may stand behind the cursor (the client last read from a process further
  // ahead): what it hands out up to the cursor was delivered already.
  const floor = options.after ?? -1n;
  const unlisten = feed.listen((events) => {
    const kept = events.filter((event) => event.seq > floor && options.accept(event));
    if (kept.length) buffer.push({ kept, batch: events });
  });
  seam = feed.position;

  const keep = async (events: ChangeEvent[], batch: readonly ChangeEvent[]) =>
    options.match && events.length ? options.match(events, batch) : events;

  try {
    if (options.after !== undefined) {
      const pruned = await feed.prunedThrough();
      if (options.after < pruned) {
        throw new GraphQLError(
          `cursor ${options.after} is older than the change log's retention (events up to ${pruned} were pruned): query the current state, then subscribe without after`,
          { extensions: { code: 'CURSOR_EXPIRED' } },
        );
      }
      let from = options.after;
      while (from < seam) {
        const { events, through } = await feed.read(from, seam, options.replayBatch ?? 500);
        if (through === null) break;
        for (const event of await keep(events.filter(options.accept), events)) {
          delivered = event.seq;
          yield event;
        }
        from = through;
      }
    }
    for (let next = await buffer.take(signal); next; next = await buffer.take(signal)) {
      for (const event of await keep(next.kept, next.batch)) {
        delivered = event.seq;
        yield event;
      }
    }
  } finally {
    unlisten();
  }
}
