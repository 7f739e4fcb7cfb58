// A subscriber that stops reading is cut off once its buffer is full, with the cursor to
// resume from; a subscriber that keeps up gets every event and is not held back.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createPrismaClient, type PrismaClient } from '../../src/db/client.ts';
import { createChangeFeed, type ChangeEvent, type ChangeFeed } from '../../src/events/change-feed.ts';
import { changeStream } from '../../src/events/change-stream.ts';
import { silentLogger } from '../../src/logger.ts';
import { createSharedSubscriptions } from '../../src/server/shared-subscriptions.ts';
import { applyPage } from '../../src/store/apply-page.ts';
import { useTestDatabase } from '../fixtures/database.ts';
import { eventually } from '../fixtures/gateway.ts';
import { parse, type ExecutionResult } from 'graphql';

const db = useTestDatabase();
let prisma: PrismaClient;
let feed: ChangeFeed;
beforeAll(async () => {
  prisma = createPrismaClient({ databaseUrl: db.url, poolSize: 3 });
  feed = createChangeFeed({ databaseUrl: db.url, prisma, logger: silentLogger() });
  await feed.start();
});
afterAll(async () => {
  await feed.close();
  await prisma.$disconnect();
});

let nextId = 1;
const createLeads = (n: number) =>
  applyPage(
    prisma,
    Array.from({ length: n }, () => ({ type: 'lead', revision: 1, deleted: false, data: { id: nextId++, first_name: 'x' } })),
  );

it('cuts off a change stream that fell behind, and only that one', async () => {
  const slow = changeStream({ feed, accept: () => true, bufferLimit: 5 });
  const fast = changeStream({ feed, accept: () => true, bufferLimit: 5 });
  const fastSeen: ChangeEvent[] = [];
  // The slow one reads one event, then stops reading.
  const firstSlow = slow.next();
  void (async () => {
    for await (const event of fast) fastSeen.push(event);
  })();
  await createLeads(1);
  const first = await firstSlow;
  for (let i = 0; i < 4; i++) {
    await createLeads(2);
    await eventually(() => fastSeen.length === 3 + 2 * i);
  }

  await expect(slow.next()).rejects.toThrow(`fell more than 5 events behind and was cut off; subscribe again with after: "${(first.value as ChangeEvent).seq}"`);
  await createLeads(1);
  await eventually(() => fastSeen.length === 10);
  await fast.return(undefined);
});

/** A subscription's execution whose results the test pushes, the first at cursor `firstSeq`. */
function pushedResults(document: string, firstSeq: bigint) {
  const args = { schema: undefined as never, document: parse(document), contextValue: {} as { currentSeq?: bigint } };
  let next: (r: ExecutionResult) => void = () => {};
  const source = (async function* () {
    for (let seq = firstSeq; ; seq++) {
      const result = await new Promise<ExecutionResult>((resolve) => (next = resolve));
      args.contextValue.currentSeq = seq;
      yield result;
    }
  })();
  return { args, source, push: (result: ExecutionResult) => next(result) };
}

it('cuts off a subscriber of a shared execution that stopped reading, not the others', async () => {
  const shared = createSharedSubscriptions({ bufferLimit: 3 });
  const { args, source, push } = pushedResults('subscription { x }', 1n);
  const slow = (await shared.subscribe(args, () => source)) as AsyncGenerator<ExecutionResult>;
  const fast = (await shared.subscribe(args, () => source)) as AsyncGenerator<ExecutionResult>;
  expect(shared.executions).toBe(1);

  const fastSeen: unknown[] = [];
  void (async () => {
    for await (const result of fast) fastSeen.push(result.data);
  })();
  const slowFirst = slow.next();
  for (let i = 0; i < 6; i++) {
    push({ data: { x: i } });
    await eventually(() => fastSeen.length === i + 1);
  }
  expect((await slowFirst).value).toEqual({ data: { x: 0 } });
  await expect(slow.next()).rejects.toThrow('fell more than 3 events behind and was cut off; subscribe again with after: "1"');
  expect(fastSeen).toEqual([0, 1, 2, 3, 4, 5].map((x) => ({ x })));
  await fast.return(undefined);
});

it('gives a shared subscriber cut off before reading anything the cursor that misses nothing', async () => {
  const shared = createSharedSubscriptions({ bufferLimit: 2 });
  const { args, source, push } = pushedResults('subscription { y }', 41n);
  const idle = (await shared.subscribe(args, () => source)) as AsyncGenerator<ExecutionResult>;
  const reader = (await shared.subscribe(args, () => source)) as AsyncGenerator<ExecutionResult>;
  const seen: unknown[] = [];
  void (async () => {
    for await (const result of reader) seen.push(result.data);
  })();
  for (let i = 0; i < 3; i++) {
    push({ data: { y: i } });
    await eventually(() => seen.length === i + 1);
  }
  // Its first missed event was seq 41: resuming after 40 misses nothing.
  await expect(idle.next()).rejects.toThrow('subscribe again with after: "40" to resume');
  await reader.return(undefined);
});

it('ends an idle subscription at once when the client leaves, releasing its listener', async () => {
  const stream = changeStream({ feed, accept: () => true, bufferLimit: 5 });
  const listening = new Promise<void>((resolve) => {
    const off = feed.onListen(() => (off(), resolve()));
  });
  const pending = stream.next();
  await listening;
  expect(feed.listenerCount).toBe(1);
  // Nothing happens upstream: the stream is waiting. Leaving must not wait for the next event.
  await expect(stream.return(undefined)).resolves.toEqual({ done: true, value: undefined });
  await expect(pending).resolves.toEqual({ done: true, value: undefined });
  expect(feed.listenerCount).toBe(0);
});

it('does not pile up listeners on a long-lived stream', async () => {
  const controller = new AbortController();
  const { waitUnlessAborted } = await import('../../src/events/abortable.ts');
  let wake: () => void = () => {};
  for (let i = 0; i < 50; i++) {
    const waiting = waitUnlessAborted(controller.signal, (resolve) => (wake = resolve));
    wake();
    await waiting;
  }
  // Node warns past 10 listeners on one signal: a leak would leave one per wait.
  const { EventEmitter } = await import('node:events');
  expect(EventEmitter.getEventListeners(controller.signal, 'abort')).toHaveLength(0);
});
