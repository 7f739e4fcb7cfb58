// Subscriptions with the same document and variables share one execution: each event is
// executed once per distinct subscription in the process (relations loaded once), and the
// result is fanned out to every subscriber. Each subscriber has a bounded buffer; one that
// falls too far behind is ended with an error giving the cursor to resume from, and nobody
// else waits for it. A subscriber may be fed directly (`deliver`: a WebSocket writes each result
// itself, its bytes built once per result for everyone) instead of reading an iterator of results.
import { GraphQLError, Kind, print, type ExecutionArgs, type ExecutionResult } from 'graphql';
import { abortable, waitUnlessAborted } from '../events/abortable.ts';
import { createBoundedBuffer, type BoundedBuffer } from '../events/bounded-buffer.ts';
import { cursorOf } from '../events/change-stream.ts';

type Result = ExecutionResult;
type Source = AsyncIterableIterator<Result> | AsyncGenerator<Result>;

/** Options for {@link createSharedSubscriptions}. */
export interface SharedSubscriptionsOptions {
  /** Results held for one subscriber before it is cut off. */
  bufferLimit: number;
}

/** A result and the cursor of the event it was executed for. */
interface Delivery {
  result: Result;
  cursor: string | undefined;
}

interface Consumer {
  buffer: BoundedBuffer<Delivery>;
  /** The cursor of the last result handed to it. */
  delivered: string | undefined;
  /** Set for a subscriber fed directly. */
  direct?: Direct;
}

/** A directly fed subscriber's state: results are handed over as they come, in the pump's own loop. */
interface Direct {
  deliver: Deliver;
  /** Its socket is draining: nothing more is handed over until then (what comes meanwhile waits in its buffer). */
  draining: boolean;
  /** The execution ended: once its buffer is handed over, the subscription completes. */
  ending: boolean;
  /** Why it ended: the error that cut it off, or the execution's (null: completed). */
  settled: GraphQLError | null | undefined;
  /** Wakes its iterator, waiting for the end. */
  wake: (() => void) | undefined;
}

interface Shared {
  consumers: Set<Consumer>;
  source: Source;
}

/**
 * Whether the subscription replays from a cursor (`after`): such a subscriber needs every
 * event from its cursor, so it cannot join an execution already under way.
 */
function replays(args: ExecutionArgs): boolean {
  for (const definition of args.document.definitions) {
    if (definition.kind !== Kind.OPERATION_DEFINITION) continue;
    for (const selection of definition.selectionSet.selections) {
      if (selection.kind !== Kind.FIELD) continue;
      for (const argument of selection.arguments ?? []) {
        if (argument.name.value !== 'after') continue;
        const value = argument.value;
        if (value.kind === Kind.VARIABLE) {
          if ((args.variableValues as Record<string, unknown> | undefined)?.[value.name.value] != null) return true;
        } else if (value.kind !== Kind.NULL) return true;
      }
    }
  }
  return false;
}

/** The cursor of the event a result was executed for: subscriptions record it in the context. */
const cursorOfResult = (args: ExecutionArgs): string | undefined => {
  const seq = (args.contextValue as { currentSeq?: bigint } | undefined)?.currentSeq;
  return seq === undefined ? undefined : cursorOf({ seq });
};

/**
 * Hands one result of a shared execution to a subscriber fed directly, in the execution's own loop
 * (no iterator step per subscriber and result). Returns nothing when the subscriber keeps up, or a
 * promise that resolves once it has caught up (its socket drained): nothing more is handed to it
 * meanwhile, so that a subscriber that stops reading fills its buffer and is cut off.
 */
export type Deliver = (result: Result) => Promise<void> | undefined;

export interface SharedSubscriptions {
  /**
   * Subscribes through a shared execution: `start` runs graphql's subscribe for the first
   * subscriber of this document and variables; later ones join it. With `deliver`, each result is
   * handed to it and the iterator returned yields none: it ends (or throws the error that cut the
   * subscriber off) when the subscription does, and returning it unsubscribes.
   */
  subscribe(args: ExecutionArgs, start: () => Promise<Source | Result> | Source | Result, deliver?: Deliver): Promise<Source | Result>;
  /** Distinct executions running now. */
  readonly executions: number;
}

export function createSharedSubscriptions(options: SharedSubscriptionsOptions): SharedSubscriptions {
  const running = new Map<string, Promise<Shared | Result>>();

  const keyOf = (args: ExecutionArgs) =>
    `${args.operationName ?? ''}\u0000${print(args.document)}\u0000${JSON.stringify(args.variableValues ?? {})}`;

  /** Hands a directly fed subscriber what its buffer holds, while it keeps up; settles it at the end. */
  function handOver(consumer: Consumer, direct: Direct): void {
    if (direct.settled !== undefined) return;
    try {
      while (!direct.draining) {
        const next = consumer.buffer.poll();
        if (!next) {
          if (direct.ending) settle(direct, null);
          return;
        }
        consumer.delivered = next.cursor ?? consumer.delivered;
        const drained = direct.deliver(next.result);
        if (drained) {
          direct.draining = true;
          void drained.then(() => {
            direct.draining = false;
            handOver(consumer, direct);
          });
        }
      }
    } catch (error) {
      settle(direct, error instanceof GraphQLError ? error : new GraphQLError((error as Error).message));
    }
  }

  function settle(direct: Direct, outcome: GraphQLError | null): void {
    direct.settled ??= outcome;
    direct.wake?.();
  }

  function pump(key: string, shared: Shared, args: ExecutionArgs): void {
    void (async () => {
      try {
        for await (const result of shared.source) {
          const delivery = { result, cursor: cursorOfResult(args) };
          for (const consumer of shared.consumers) {
            consumer.buffer.push(delivery);
            if (consumer.direct) handOver(consumer, consumer.direct);
          }
          if (shared.consumers.size === 0) break;
        }
      } catch (error) {
        const failure = error instanceof GraphQLError ? error : new GraphQLError((error as Error).message);
        for (const consumer of shared.consumers) consumer.buffer.end(failure);
      } finally {
        running.delete(key);
        for (const consumer of shared.consumers) {
          consumer.buffer.end();
          if (consumer.direct) {
            consumer.direct.ending = true;
            handOver(consumer, consumer.direct);
          }
        }
      }
    })();
  }

  function leave(shared: Shared, consumer: Consumer): void {
    shared.consumers.delete(consumer);
    // The last subscriber gone: stop the execution (and its change stream).
    if (shared.consumers.size === 0) void shared.source.return?.(undefined);
  }

  async function* consume(shared: Shared, consumer: Consumer, signal: AbortSignal): AsyncGenerator<Result> {
    try {
      for (let next = await consumer.buffer.take(signal); next; next = await consumer.buffer.take(signal)) {
        consumer.delivered = next.cursor ?? consumer.delivered;
        yield next.result;
      }
    } finally {
      leave(shared, consumer);
    }
  }

  /** A directly fed subscriber's iterator: yields nothing, ends with the subscription or throws what cut it off. */
  async function* fed(shared: Shared, consumer: Consumer, direct: Direct, signal: AbortSignal): AsyncGenerator<Result> {
    try {
      if (direct.settled === undefined) {
        await waitUnlessAborted(signal, (wake) => {
          direct.wake = wake;
        });
      }
      if (direct.settled && !signal.aborted) throw direct.settled;
    } finally {
      leave(shared, consumer);
    }
  }

  return {
    get executions() {
      return running.size;
    },
    async subscribe(args, start, deliver) {
      if (replays(args)) return start();
      const key = keyOf(args);
      let entry = running.get(key);
      if (!entry) {
        entry = (async () => {
          const source = await start();
          if (!(Symbol.asyncIterator in source)) return source;
          const shared: Shared = { consumers: new Set(), source };
          pump(key, shared, args);
          return shared;
        })();
        running.set(key, entry);
        // A failed start (validation, bad cursor) is not shared with later subscribers.
        void entry.then((value) => {
          if (!('consumers' in value)) running.delete(key);
        }, () => running.delete(key));
      }
      const shared = await entry;
      if (!('consumers' in shared)) return shared;
      const consumer: Consumer = {
        delivered: undefined,
        // Cut off, it resumes after the last cursor it got, or, having got none, just before the first it missed.
        buffer: createBoundedBuffer<Delivery>({
          limit: options.bufferLimit,
          resumeAfter: (first) => consumer.delivered ?? (first?.cursor === undefined ? undefined : String(BigInt(first.cursor) - 1n)),
        }),
      };
      shared.consumers.add(consumer);
      if (!deliver) return abortable((signal) => consume(shared, consumer, signal));
      const direct: Direct = { deliver, draining: false, ending: false, settled: undefined, wake: undefined };
      consumer.direct = direct;
      return abortable((signal) => fed(shared, consumer, direct, signal));
    },
  };
}
