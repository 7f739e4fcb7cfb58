// Simulator benchmark: seed a 1,000,000-object world in-process, then drain it over HTTP with a
// plain fetch loop (start, pages until 204, ack each page). A page should cost the same whether
// the queue holds 1,000,000 items or 100: compare the first 1,000 pages with the last 1,000.
// `SIM_BENCH_TOTAL` changes the world size. The last line printed is one JSON object.
import { randomUUID } from 'node:crypto';
import { createSimulator, DEMO_TOKEN } from '../../src/simulator/index.ts';
import { round } from './harness.ts';

const TOTAL = Number(process.env.SIM_BENCH_TOTAL ?? 1_000_000);
const WINDOW = 1_000;

interface Figures {
  pages: number;
  meanMs: number;
  p50Ms: number;
  p99Ms: number;
  /** Mean body size: pages of big payloads (leads) cost more than pages of small ones. */
  meanKB: number;
}

function figures(times: readonly number[], bytes: readonly number[]): Figures {
  const sorted = [...times].sort((a, b) => a - b);
  const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  return {
    pages: times.length,
    meanMs: round(times.reduce((s, t) => s + t, 0) / Math.max(1, times.length), 3),
    p50Ms: round(at(0.5), 3),
    p99Ms: round(at(0.99), 3),
    meanKB: Math.round(bytes.reduce((s, b) => s + b, 0) / Math.max(1, bytes.length) / 100) / 10,
  };
}

const mb = (bytes: number): number => Math.round(bytes / 1e6);

const seedStart = performance.now();
const sim = createSimulator({ world: { total: TOTAL } });
const seedMs = performance.now() - seedStart;
const url = await sim.listen(0);
console.log(`seeded ${TOTAL} objects in ${seedMs.toFixed(0)} ms; rss ${mb(process.memoryUsage().rss)} MB; ${url}`);

const headers = {
  Authorization: `Bearer ${DEMO_TOKEN}`,
  'X-Basecrm-Device-UUID': randomUUID(),
  Accept: 'application/json',
  'User-Agent': 'simulator-bench/1.0',
};

const startAt = performance.now();
const started = await fetch(`${url}/v2/sync/start`, { method: 'POST', headers });
const session = (await started.json()) as { data: { id: string; queues: Array<{ data: { pages: number; total_count: number } }> } };
const startMs = performance.now() - startAt;
const queue = session.data.queues[0]!.data;
console.log(`session started in ${startMs.toFixed(0)} ms: total_count ${queue.total_count}, pages ${queue.pages}`);

const pageTimes: number[] = [];
const pageBytes: number[] = [];
let items = 0;
const drainStart = performance.now();
let windowStart = drainStart;
for (;;) {
  const t0 = performance.now();
  const res = await fetch(`${url}/v2/sync/${session.data.id}/queues/main`, { headers });
  const text = await res.text();
  const elapsed = performance.now() - t0;
  if (res.status === 204) break;
  if (res.status !== 200) throw new Error(`page answered ${res.status}: ${text}`);
  pageTimes.push(elapsed);
  pageBytes.push(text.length);
  const page = JSON.parse(text) as { items: Array<{ meta: { sync: { ack_key: string } } }> };
  items += page.items.length;
  if (page.items.length > 0) {
    const acked = await fetch(`${url}/v2/sync/ack`, {
      method: 'POST',
      headers: { ...headers, 'Content-Type': 'application/json' },
      body: JSON.stringify({ data: { ack_keys: page.items.map((i) => i.meta.sync.ack_key) } }),
    });
    await acked.arrayBuffer();
  }
  if (pageTimes.length % (WINDOW * 2) === 0) {
    const now = performance.now();
    const f = figures(pageTimes.slice(-WINDOW), pageBytes.slice(-WINDOW));
    console.log(
      `pages ${pageTimes.length}, items ${items}: last ${WINDOW} pages mean ${f.meanMs} ms p50 ${f.p50Ms} ms p99 ${f.p99Ms} ms, ${f.meanKB} KB; ` +
        `${Math.round((WINDOW * 2 * 100) / ((now - windowStart) / 1000))} items/s; rss ${mb(process.memoryUsage().rss)} MB`,
    );
    windowStart = now;
  }
}
const drainMs = performance.now() - drainStart;
sim.flushAcks();
const stats = sim.stats();
const first = figures(pageTimes.slice(0, WINDOW), pageBytes.slice(0, WINDOW));
const last = figures(pageTimes.slice(-WINDOW), pageBytes.slice(-WINDOW));
console.log(`drained ${items} items in ${pageTimes.length} pages, ${(drainMs / 1000).toFixed(1)} s`);
console.log(`first ${WINDOW} pages: mean ${first.meanMs} ms, p50 ${first.p50Ms} ms, p99 ${first.p99Ms} ms, ${first.meanKB} KB/page`);
console.log(`last ${WINDOW} pages:  mean ${last.meanMs} ms, p50 ${last.p50Ms} ms, p99 ${last.p99Ms} ms, ${last.meanKB} KB/page`);
const memory = process.memoryUsage();
const result = {
  bench: 'simulator',
  objects: TOTAL,
  seedMs: Math.round(seedMs),
  startMs: Math.round(startMs),
  pages: pageTimes.length,
  items,
  drainMs: Math.round(drainMs),
  itemsPerSecond: Math.round(items / (drainMs / 1000)),
  firstPages: first,
  lastPages: last,
  acksProcessed: stats.acksProcessed,
  queueLeft: sim.pendingCount(headers['X-Basecrm-Device-UUID']),
  rssMB: mb(memory.rss),
  heapUsedMB: mb(memory.heapUsed),
};
await sim.close();
console.log(JSON.stringify(result));
process.exit(items === TOTAL ? 0 : 1);
