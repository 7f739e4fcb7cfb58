// Subscribers of a shared execution fed directly (as WebSockets are): each gets every result in
// order; one whose deliveries stop completing (a socket that no longer drains) is cut off with
// SUBSCRIBER_TOO_SLOW and the cursor to resume from, while the others carry on.
import { parse, type ExecutionResult } from 'graphql';
import { expect, it } from 'vitest';
import { createSharedSubscriptions } from '../../src/server/shared-subscriptions.ts';
import { eventually } from '../fixtures/gateway.ts';

/** A subscription's execution whose results the test pushes (queued in order), the first at cursor `firstSeq`; undefined ends it. */
function pushedResults(document: string, firstSeq: bigint) {
  const args = { schema: undefined as never, document: parse(document), contextValue: {} as { currentSeq?: bigint } };
  const queue: Array<ExecutionResult | undefined> = [];
  let wake: () => void = () => {};
  const source = (async function* () {
    for (let seq = firstSeq; ; seq++) {
      while (!queue.length) await new Promise<void>((resolve) => (wake = resolve));
      const result = queue.shift();
      if (!result) return;
      args.contextValue.currentSeq = seq;
      yield result;
    }
  })();
  const add = (result: ExecutionResult | undefined) => {
    queue.push(result);
    wake();
  };
  return { args, source, push: (result: ExecutionResult) => add(result), end: () => add(undefined) };
}

it('cuts off a directly fed subscriber whose deliveries stopped completing, not the others', async () => {
  const shared = createSharedSubscriptions({ bufferLimit: 3 });
  const { args, source, push } = pushedResults('subscription { z }', 1n);
  const fastSeen: ExecutionResult[] = [];
  const slowSeen: ExecutionResult[] = [];
  let drained: () => void = () => {};
  // The fast one keeps up (nothing to wait for); the slow one's socket stops draining at its first result.
  const fast = (await shared.subscribe(args, () => source, (result) => void fastSeen.push(result))) as AsyncGenerator<ExecutionResult>;
  const slow = (await shared.subscribe(args, () => source, (result) => {
    slowSeen.push(result);
    return new Promise<void>((resolve) => (drained = resolve));
  })) as AsyncGenerator<ExecutionResult>;
  expect(shared.executions).toBe(1);
  // graphql-ws iterates each: a directly fed subscriber's iterator yields nothing, it ends or throws.
  const fastEnd = fast.next();
  const slowEnd = slow.next();

  for (let i = 0; i < 6; i++) {
    push({ data: { z: i } });
    await eventually(() => fastSeen.length === i + 1);
  }
  expect(fastSeen.map((r) => r.data)).toEqual([0, 1, 2, 3, 4, 5].map((z) => ({ z })));
  // Every subscriber was handed the very same result object: it is serialized once for all.
  expect(slowSeen).toHaveLength(1);
  expect(slowSeen[0]).toBe(fastSeen[0]);

  drained();
  await expect(slowEnd).rejects.toMatchObject({
    message: 'this subscriber fell more than 3 events behind and was cut off; subscribe again with after: "1" to resume',
    extensions: { code: 'SUBSCRIBER_TOO_SLOW', resumeAfter: '1' },
  });
  expect(slowSeen).toHaveLength(1);
  push({ data: { z: 6 } });
  await eventually(() => fastSeen.length === 7);
  // Returning the iterator unsubscribes (graphql-ws does so when the client completes or leaves).
  await fast.return(undefined);
  await expect(fastEnd).resolves.toEqual({ done: true, value: undefined });
});

it('hands a subscriber whose socket drained in time everything that waited, in order, then completes', async () => {
  const shared = createSharedSubscriptions({ bufferLimit: 3 });
  const { args, source, push, end } = pushedResults('subscription { w }', 1n);
  const seen: unknown[] = [];
  const drains: Array<() => void> = [];
  // Its socket backs up at every other result.
  const sub = (await shared.subscribe(args, () => source, (result) => {
    seen.push(result.data);
    return seen.length % 2 ? new Promise<void>((resolve) => drains.push(resolve)) : undefined;
  })) as AsyncGenerator<ExecutionResult>;
  const ended = sub.next();
  push({ data: { w: 0 } });
  await eventually(() => drains.length === 1);
  push({ data: { w: 1 } });
  push({ data: { w: 2 } });
  push({ data: { w: 3 } });
  expect(seen).toEqual([{ w: 0 }]);
  drains[0]!();
  // 1 then 2 (which backs up again); 3 waits for that drain.
  await eventually(() => drains.length === 2);
  expect(seen).toEqual([{ w: 0 }, { w: 1 }, { w: 2 }]);
  end();
  drains[1]!();
  await expect(ended).resolves.toEqual({ done: true, value: undefined });
  expect(seen).toEqual([0, 1, 2, 3].map((w) => ({ w })));
});
