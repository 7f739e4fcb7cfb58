// A subscriber resuming with cursor C on a process whose change feed stands behind C (it got C
// from a process further ahead) receives exactly the events after C: none it had, none missed.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createPrismaClient, type PrismaClient } from '../../src/db/client.ts';
import { createChangeFeed, type ChangeEvent, type ChangeFeed } from '../../src/events/change-feed.ts';
import { changeStream } from '../../src/events/change-stream.ts';
import { silentLogger } from '../../src/logger.ts';
import { applyPage, type StoreItem } from '../../src/store/apply-page.ts';
import { useTestDatabase } from '../fixtures/database.ts';
import { eventually } from '../fixtures/gateway.ts';
import { startTcpProxy, type TcpProxy } from '../fixtures/tcp-proxy.ts';

const db = useTestDatabase();
let prisma: PrismaClient;
let ahead: ChangeFeed;
let behind: ChangeFeed;
let proxy: TcpProxy;

const leads = (from: number, n: number): StoreItem[] =>
  Array.from({ length: n }, (_, i) => ({ type: 'lead', revision: 1, deleted: false, data: { id: from + i, first_name: `Lead ${from + i}` } }));

beforeAll(async () => {
  prisma = createPrismaClient({ databaseUrl: db.url, poolSize: 3 });
  await applyPage(prisma, leads(1, 10));
  ahead = createChangeFeed({ databaseUrl: db.url, prisma, logger: silentLogger() });
  await ahead.start();
  // The other process hears of new events only through its LISTEN connection (no polling), and
  // that connection is cut off for now: its feed stays behind.
  proxy = await startTcpProxy(Number(new URL(db.url).port));
  behind = createChangeFeed({ databaseUrl: proxy.via(db.url), prisma, logger: silentLogger(), pollIntervalMs: 3_600_000 });
  await behind.start();
  proxy.blackhole();
});
afterAll(async () => {
  await ahead?.close();
  await behind?.close();
  await prisma?.$disconnect();
});

it('resumes after the cursor on a process that is behind it: no duplicate, no gap', async () => {
  const start = behind.position;
  await applyPage(prisma, leads(100, 20));
  await eventually(() => ahead.position >= start + 20n);
  expect(behind.position).toBe(start);
  // The client saw the first 12 of the 20 on the process ahead.
  const cursor = start + 12n;

  const received: ChangeEvent[] = [];
  const stream = changeStream({ feed: behind, after: cursor, accept: () => true, bufferLimit: 1000 });
  const reading = (async () => {
    for await (const event of stream) received.push(event);
  })();
  // Back online: the feed catches up on what it missed, then new events come.
  proxy.restore();
  await applyPage(prisma, leads(200, 5));
  await eventually(() => received.length >= 13);
  await eventually(() => behind.position >= start + 25n);
  await stream.return(undefined);
  await reading;

  const seqs = received.map((e) => e.seq);
  expect(seqs).toEqual(Array.from({ length: 13 }, (_, i) => cursor + 1n + BigInt(i)));
});
