// An async iterator that can be ended while it waits. An async generator's return() waits
// for its pending step, so a subscription idle until the next event could not be cancelled
// (and would keep its listener); this one aborts the step's waits and ends at once.

/** Waits for `wake` to be called or for `signal` to abort, whichever comes first. */
export function waitUnlessAborted(signal: AbortSignal, register: (wake: () => void) => void): Promise<void> {
  return new Promise<void>((resolve) => {
    if (signal.aborted) return resolve();
    // Removed again on wake: a stream waits once per event, and listeners must not pile up.
    const done = () => {
      signal.removeEventListener('abort', done);
      resolve();
    };
    signal.addEventListener('abort', done, { once: true });
    register(done);
  });
}

/**
 * Wraps the generator `start` makes: `return()` aborts its signal (its waits must watch it,
 * e.g. with {@link waitUnlessAborted}) and resolves immediately; the generator then finishes
 * on its own, running its `finally` blocks.
 */
export function abortable<T>(start: (signal: AbortSignal) => AsyncGenerator<T>): AsyncGenerator<T> {
  const controller = new AbortController();
  const inner = start(controller.signal);
  const iterator: AsyncGenerator<T> = {
    [Symbol.asyncIterator]: () => iterator,
    next: () => inner.next(),
    async return(value) {
      controller.abort();
      void inner.return(undefined as never).catch(() => undefined);
      return { done: true, value: (await value) as never };
    },
    throw: (error) => {
      controller.abort();
      return inner.throw(error);
    },
  };
  return iterator;
}

/** Maps each value of `source`; ending the result ends the source. */
export function mapIterator<T, U>(source: AsyncGenerator<T>, map: (value: T) => U): AsyncGenerator<U> {
  const iterator: AsyncGenerator<U> = {
    [Symbol.asyncIterator]: () => iterator,
    async next() {
      const step = await source.next();
      return step.done ? { done: true, value: undefined } : { done: false, value: map(step.value) };
    },
    async return(value) {
      await source.return(undefined);
      return { done: true, value: (await value) as never };
    },
    throw: async (error) => {
      await source.return(undefined);
      throw error;
    },
  };
  return iterator;
}
