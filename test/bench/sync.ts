// Sync benchmark: the initial sync of a 200,000-object world, end to end (simulator → sync
// engine → Postgres), against the storage limit: the same pages written into the same tables
// by the fastest plain SQL we have, one transaction per page, sequentially. Goals: at least
// 0.5x the limit, at least 20,000 items/s, peak RSS of the gateway process under 300 MB.
//
// The simulator runs in a child process (this file again, with SYNC_BENCH_ROLE=simulator) so
// that its world does not count in the RSS of the process that syncs. Postgres is embedded in
// a temporary folder, or the server of BENCH_DATABASE_URL (throwaway databases on it, dropped at
// the end): one for the end-to-end run, one per limit method.
//
//   SYNC_BENCH_TOTAL=200000        objects in the world
//   SYNC_BENCH_LIMIT=copy,insert   limit methods to run (the fastest one is the limit; `none`: end to end only)
//   SYNC_BENCH_BREAKDOWN=1         also time fetch / map / write / ack in a copy of the engine's loop
//   BENCH_DATABASE_URL=postgresql://…  use that server instead of an embedded one
//
// The last line printed is one JSON object.
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { openDatabase, type Database } from '../../src/db/database.ts';
import { HEAP_GROWING_PERCENT } from '../../src/sync/lean-heap.ts';
import { applyMigrations } from '../../src/db/migrations.ts';
import { RESOURCE_TYPES, TABLES, type ResourceType } from '../../src/resource-types.ts';
import { silentLogger } from '../../src/logger.ts';
// Only the token: the simulator itself (and its generator's data) is loaded by the child alone.
import { DEMO_TOKEN } from '../../src/simulator/auth.ts';
import { COLUMNS } from '../../src/store/columns.ts';
import { planPage, type StoreItem } from '../../src/store/rows.ts';
import { applyPage } from '../../src/store/apply-page.ts';
import { createSyncClient, readPage, type Page, type WireItem } from '../../src/sync/client.ts';
import { createSyncEngine } from '../../src/sync/engine.ts';
import { withClient } from '../fixtures/postgres-admin.ts';
import { benchPostgres, mb, processCpuSeconds, round, runBench, type Cleanups } from './harness.ts';
import { SQL_TYPES } from '../../src/store/page-sql.ts';

const TOTAL = Number(process.env.SYNC_BENCH_TOTAL ?? 200_000);
const SEED = 1;
const PAGE_SIZE = 100;
const GOALS = { ratio: 0.5, itemsPerSecond: 20_000, rssMB: 300 };
const ROLE_ENV = 'SYNC_BENCH_ROLE';


// ─── The simulator child ──────────────────────────────────────────────────────────────────

/** Serves the world on a free port, prints `{ url, counts }` as one JSON line, lives until stdin closes. */
async function simulatorChild(): Promise<void> {
  const { createSimulator } = await import('../../src/simulator/index.ts');
  const sim = createSimulator({ world: { total: TOTAL }, seed: SEED, pageSize: PAGE_SIZE });
  const url = await sim.listen(0);
  process.stdout.write(`${JSON.stringify({ url, counts: sim.counts() })}\n`);
  const quit = () => void sim.close().finally(() => process.exit(0));
  process.stdin.on('end', quit).on('close', quit).resume();
  process.on('SIGTERM', quit);
}

interface SimulatorChild {
  url: string;
  counts: Record<string, number>;
  pid: number;
  stop(): Promise<void>;
}

async function startSimulatorChild(): Promise<SimulatorChild> {
  const self = fileURLToPath(import.meta.url);
  // The same loaders (tsx) as this process, not its other flags (profilers, heap limits).
  const execArgv: string[] = [];
  for (let i = 0; i < process.execArgv.length; i++) {
    const arg = process.execArgv[i]!;
    if (/^--(require|import)=/.test(arg)) execArgv.push(arg);
    else if ((arg === '--require' || arg === '--import' || arg === '-r') && i + 1 < process.execArgv.length) execArgv.push(arg, process.execArgv[++i]!);
  }
  const child: ChildProcess = spawn(process.execPath, [...execArgv, self], {
    env: { ...process.env, [ROLE_ENV]: 'simulator' },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.stdin?.end();
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  };
  try {
    const line = await new Promise<string>((resolve, reject) => {
      const lines = createInterface({ input: child.stdout! });
      lines.once('line', resolve);
      child.once('error', reject);
      child.once('exit', (code) => reject(new Error(`the simulator child exited (${code}) before it listened`)));
    });
    const { url, counts } = JSON.parse(line) as { url: string; counts: Record<string, number> };
    return { url, counts, pid: child.pid!, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

// ─── Measuring ────────────────────────────────────────────────────────────────────────────

function sumCpu(pids: readonly number[]): number | undefined {
  const each = pids.map(processCpuSeconds);
  return each.some((s) => s === undefined) || each.length === 0 ? undefined : each.reduce((s, x) => s! + x!, 0);
}

/** Resident anonymous memory (heap, malloc, wasm) and resident file mappings (code), in bytes (Linux). */
function residentKinds(): { anon: number; file: number } | undefined {
  try {
    const status = readFileSync('/proc/self/status', 'utf8');
    const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024;
    return { anon: kb('RssAnon'), file: kb('RssFile') };
  } catch {
    return undefined;
  }
}

/**
 * Samples this process's memory every 100 ms. `peak` is the kernel's max RSS (the true peak of
 * the process so far) or the highest sample; `atPeak` is the breakdown of the highest sample.
 */
function rssSampler() {
  const sample = () => ({ ...process.memoryUsage(), resident: residentKinds() });
  let atPeak = sample();
  const timer = setInterval(() => {
    const now = sample();
    if (now.rss > atPeak.rss) atPeak = now;
  }, 100);
  return {
    stop() {
      clearInterval(timer);
      const now = sample();
      if (now.rss > atPeak.rss) atPeak = now;
      // maxRSS is in kilobytes.
      return { peak: Math.max(atPeak.rss, process.resourceUsage().maxRSS * 1024), atPeak };
    },
  };
}

// ─── The storage limit: plain SQL through `pg` ───────────────────────────────────────────


const q = (identifier: string) => `"${identifier}"`;

/** Every column written for a type: key, typed columns, revision, raw (as the engine writes them). */
function columnsOf(type: ResourceType): (readonly [string, string])[] {
  return [
    ['id', 'bigint'] as const,
    ...COLUMNS[type].map(([name, kind]) => [name, SQL_TYPES[kind]] as const),
    ['revision', 'bigint'] as const,
    ['raw', 'jsonb'] as const,
  ];
}

const OTHER_COLUMNS = [
  ['type', 'text'],
  ['id', 'bigint'],
  ['revision', 'bigint'],
  ['raw', 'jsonb'],
] as const;

/** A page ready to write: all client-side work (parse, map, encode) done before the clock starts. */
type PreparedPage = (client: pg.Client) => Promise<unknown>;

interface LimitMethod {
  name: string;
  describe: string;
  prepare(items: StoreItem[]): PreparedPage;
}

function planInitial(items: StoreItem[]) {
  const plan = planPage(items);
  if (plan.deletes.size > 0 || plan.others.some((o) => o.deleted) || plan.rejected.length > 0) {
    throw new Error('the limit writer handles an initial sync only: this page has deletes or invalid items');
  }
  return plan;
}

// COPY text format: backslash, newline, CR and tab escaped; \N is NULL.
const COPY_ESCAPES: Record<string, string> = { '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t' };
const copyEscape = (s: string) => s.replace(/[\\\n\r\t]/g, (ch) => COPY_ESCAPES[ch]!);

function copyValue(sqlType: string, value: unknown): string {
  if (value === null || value === undefined) return '\\N';
  if (sqlType === 'jsonb') return copyEscape(JSON.stringify(value));
  if (sqlType === 'boolean') return value ? 't' : 'f';
  if (sqlType.endsWith('[]')) {
    return copyEscape(`{${(value as unknown[]).map((e) => `"${String(e).replace(/["\\]/g, '\\$&')}"`).join(',')}}`);
  }
  return copyEscape(String(value));
}

/** Runs one simple-protocol query holding COPY … FROM STDIN statements, feeding them `chunks` in order. */
function copyQuery(client: pg.Client, text: string, chunks: readonly Buffer[]): Promise<unknown> {
  return new Promise((resolve, reject) => {
    interface CopyConnection {
      sendCopyFromChunk(chunk: Buffer): void;
      endCopyFrom(): void;
      sendCopyFail(message: string): void;
    }
    const query = new pg.Query(text) as pg.Query & { handleCopyInResponse(connection: CopyConnection): void };
    let next = 0;
    query.handleCopyInResponse = (connection) => {
      const chunk = chunks[next++];
      if (!chunk) return connection.sendCopyFail('no data for this COPY');
      connection.sendCopyFromChunk(chunk);
      connection.endCopyFrom();
    };
    query.once('end', resolve);
    query.once('error', reject);
    client.query(query);
  });
}

const copyMethod: LimitMethod = {
  name: 'copy',
  describe: 'BEGIN; COPY <table> FROM STDIN per type; COMMIT — one simple query (one round trip) per page, insert-only',
  prepare(items) {
    const plan = planInitial(items);
    const statements: string[] = [];
    const chunks: Buffer[] = [];
    for (const [type, rows] of plan.upserts) {
      const columns = columnsOf(type);
      statements.push(`COPY ${q(TABLES[type])} (${columns.map(([n]) => q(n)).join(', ')}) FROM STDIN`);
      chunks.push(Buffer.from(rows.map((row) => `${columns.map(([n, t]) => copyValue(t, row[n])).join('\t')}\n`).join('')));
    }
    if (plan.others.length) {
      statements.push(`COPY "other_resources" (${OTHER_COLUMNS.map(([n]) => q(n)).join(', ')}) FROM STDIN`);
      chunks.push(
        Buffer.from(
          plan.others.map((o) => `${OTHER_COLUMNS.map(([n, t]) => copyValue(t, (o as Record<string, unknown>)[n])).join('\t')}\n`).join(''),
        ),
      );
    }
    const text = `BEGIN; ${statements.join('; ')}; COMMIT`;
    return (client) => copyQuery(client, text, chunks);
  },
};

/** One statement (its own transaction): a revision-guarded upsert CTE per type, rows as jsonb. */
function insertStatement(shape: readonly (ResourceType | 'other')[]): string {
  const ctes = shape.map((type, i) => {
    const columns = type === 'other' ? OTHER_COLUMNS : columnsOf(type);
    const table = type === 'other' ? '"other_resources"' : q(TABLES[type]);
    const key = type === 'other' ? '"type", "id"' : '"id"';
    const names = columns.map(([n]) => q(n));
    return `w${i} AS (INSERT INTO ${table} AS t (${names.join(', ')}, "synced_at")
      SELECT ${names.join(', ')}, now() FROM jsonb_to_recordset($${i + 1}::jsonb) AS x(${columns.map(([n, t]) => `${q(n)} ${t}`).join(', ')})
      ON CONFLICT (${key}) DO UPDATE SET ${[...names, '"deleted_at"', '"synced_at"'].map((c) => `${c} = EXCLUDED.${c}`).join(', ')}
      WHERE t."revision" < EXCLUDED."revision")`;
  });
  return `WITH ${ctes.join(',\n')} SELECT 1`;
}

const insertMethod: LimitMethod = {
  name: 'insert',
  describe: 'one statement per page: INSERT … SELECT FROM jsonb_to_recordset($n) … ON CONFLICT DO UPDATE WHERE newer, a CTE per type, named prepared',
  prepare(items) {
    const plan = planInitial(items);
    const shape: (ResourceType | 'other')[] = [];
    const values: string[] = [];
    for (const [type, rows] of plan.upserts) {
      shape.push(type);
      values.push(JSON.stringify(rows));
    }
    if (plan.others.length) {
      shape.push('other');
      values.push(JSON.stringify(plan.others.map(({ type, id, revision, raw }) => ({ type, id, revision, raw }))));
    }
    const text = insertStatement(shape);
    const name = `limit_${createHash('sha1').update(shape.join(',')).digest('hex').slice(0, 16)}`;
    return (client) => client.query({ name, text, values });
  },
};

const LIMIT_METHODS = [copyMethod, insertMethod];

interface LimitResult {
  method: string;
  items: number;
  pages: number;
  writeSeconds: number;
  itemsPerSecond: number;
  /** CPU its Postgres backend used (where /proc shows it): the server's share of the work. */
  postgresCpuSeconds: number | null;
}

async function writeLimit(databaseUrl: string, method: LimitMethod, pages: readonly string[]): Promise<LimitResult> {
  const client = new pg.Client({ connectionString: databaseUrl, application_name: `sync bench limit (${method.name})` });
  await client.connect();
  try {
    const pid = (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
    const cpu0 = processCpuSeconds(pid);
    let writeMs = 0;
    let items = 0;
    for (const text of pages) {
      const storeItems = readPage(text).items;
      items += storeItems.length;
      const write = method.prepare(storeItems);
      const t0 = performance.now();
      await write(client);
      writeMs += performance.now() - t0;
    }
    const cpu1 = processCpuSeconds(pid);
    return {
      method: method.name,
      items,
      pages: pages.length,
      writeSeconds: round(writeMs / 1000, 3),
      itemsPerSecond: Math.round(items / (writeMs / 1000)),
      postgresCpuSeconds: cpu0 === undefined || cpu1 === undefined ? null : round(cpu1 - cpu0, 1),
    };
  } finally {
    await client.end();
  }
}

// ─── Checks ───────────────────────────────────────────────────────────────────────────────

/** Live rows per table (resource tables and other_resources). */
async function rowCounts(client: pg.Client): Promise<Record<string, number>> {
  const tables = [...RESOURCE_TYPES.map((t) => TABLES[t]), 'other_resources'];
  const { rows } = await client.query<{ table: string; n: string }>(
    tables.map((t) => `SELECT '${t}' AS "table", count(*) AS n FROM ${q(t)} WHERE "deleted_at" IS NULL`).join(' UNION ALL '),
  );
  return Object.fromEntries(rows.map((r) => [r.table, Number(r.n)]));
}

/** One digest of every stored column the engine and the limit both write (not synced_at). */
async function contentDigest(client: pg.Client): Promise<string> {
  const parts: string[] = [];
  for (const type of RESOURCE_TYPES) {
    const columns = columnsOf(type).map(([n]) => q(n));
    const key = '"id"';
    const { rows } = await client.query<{ d: string | null }>(
      `SELECT md5(string_agg(row(${columns.join(', ')}, "deleted_at")::text, E'\\n' ORDER BY ${key})) AS d FROM ${q(TABLES[type])}`,
    );
    parts.push(`${type}:${rows[0]?.d}`);
  }
  const { rows } = await client.query<{ d: string | null }>(
    `SELECT md5(string_agg(row("type", "id", "revision", "raw", "deleted_at")::text, E'\\n' ORDER BY "type", "id")) AS d FROM "other_resources"`,
  );
  parts.push(`other:${rows[0]?.d}`);
  return createHash('sha1').update(parts.join('\n')).digest('hex');
}

// ─── Driving the simulator directly ──────────────────────────────────────────────────────

/** Drains a fresh device's queue over HTTP, keeping each page's body as received. */
async function capturePages(url: string): Promise<string[]> {
  const headers = { Authorization: `Bearer ${DEMO_TOKEN}`, 'X-Basecrm-Device-UUID': randomUUID(), Accept: 'application/json', 'User-Agent': 'sync-bench/1.0' };
  const started = await fetch(`${url}/v2/sync/start`, { method: 'POST', headers });
  const session = (await started.json()) as { data: { id: string } };
  const pages: string[] = [];
  for (;;) {
    const res = await fetch(`${url}/v2/sync/${session.data.id}/queues/main`, { headers });
    const text = await res.text();
    if (res.status === 204) break;
    if (res.status !== 200) throw new Error(`page answered ${res.status}: ${text.slice(0, 200)}`);
    const page = JSON.parse(text) as { items: WireItem[] };
    if (page.items.length === 0) continue;
    pages.push(text);
    const acked = await fetch(`${url}/v2/sync/ack`, {
      method: 'POST',
      headers: { ...headers, 'Content-Type': 'application/json' },
      body: JSON.stringify({ data: { ack_keys: page.items.map((i) => i.meta.sync.ack_key) } }),
    });
    await acked.arrayBuffer();
  }
  return pages;
}

/**
 * A copy of the engine's session loop (prefetch of the next page, applyPage with the progress
 * write, ack after commit) with a clock around each step. Diagnostic only.
 */
async function breakdown(databaseUrl: string, simUrl: string) {
  const db = await openDatabase({ config: { databaseUrl, dataDir: '.data' }, logger: silentLogger(), migrate: false });
  const device = randomUUID();
  await db.prisma.syncState.create({ data: { deviceUuid: device } });
  const api = createSyncClient({ baseUrl: simUrl, token: DEMO_TOKEN, deviceUuid: device, userAgent: 'sync-bench/1.0', logger: silentLogger() });
  const ms = { waitFetch: 0, map: 0, applyPage: 0, ack: 0 };
  const t0 = performance.now();
  let items = 0;
  try {
    const start = await api.start();
    if (start.kind !== 'session') throw new Error('no session');
    const fetchNext = () => {
      const p = api.fetchPage(start.id);
      p.catch(() => undefined);
      return p;
    };
    let next: Promise<Page | null> = fetchNext();
    for (;;) {
      let t = performance.now();
      const page = await next;
      ms.waitFetch += performance.now() - t;
      if (page === null) break;
      next = fetchNext();
      t = performance.now();
      const storeItems = page.items;
      const progress = { deviceUuid: device, items: storeItems.length, countLeft: page.countLeft, itemsPerSecond: null };
      ms.map += performance.now() - t;
      t = performance.now();
      await applyPage(db.prisma, storeItems, { progress });
      ms.applyPage += performance.now() - t;
      t = performance.now();
      await api.ack(page.items.map((i) => i.ackKey!));
      ms.ack += performance.now() - t;
      items += page.items.length;
    }
  } finally {
    await db.close();
  }
  const total = performance.now() - t0;
  return { items, seconds: round(total / 1000, 2), itemsPerSecond: Math.round(items / (total / 1000)), ...Object.fromEntries(Object.entries(ms).map(([k, v]) => [`${k}S`, round(v / 1000, 2)])) };
}

// ─── The run ──────────────────────────────────────────────────────────────────────────────

async function run(cleanups: Cleanups): Promise<number> {
  const load = () => loadavg().map((l) => l.toFixed(2)).join(' ');
  const loadAtStart = round(loadavg()[0]!);
  console.log(
    `sync bench: ${TOTAL} objects, page size ${PAGE_SIZE}; node ${process.version}, heap growing ${HEAP_GROWING_PERCENT}% during long sessions (the engine's policy); load average ${load()}`,
  );

  // Postgres: embedded in a temporary folder, or the given server.
  const pgStarted = performance.now();
  const { embedded, adminUrl, createDatabase } = await benchPostgres(cleanups, 'sync');
  if (embedded) console.log(`embedded Postgres up in ${((performance.now() - pgStarted) / 1000).toFixed(1)} s`);
  const serverVersion = await withClient(adminUrl, async (c) => (await c.query<{ v: string }>(`SELECT current_setting('server_version') AS v`)).rows[0]!.v);
  const methodNames = process.env.SYNC_BENCH_LIMIT ?? 'copy,insert';
  const methods = (methodNames === 'none' ? [] : methodNames.split(',')).map((name) => {
    const method = LIMIT_METHODS.find((m) => m.name === name.trim());
    if (!method) throw new Error(`SYNC_BENCH_LIMIT: unknown method ${name} (${LIMIT_METHODS.map((m) => m.name).join(', ')})`);
    return method;
  });
  const withBreakdown = process.env.SYNC_BENCH_BREAKDOWN === '1';
  const names = {
    e2e: 'bench_sync_e2e',
    ...Object.fromEntries(methods.map((m) => [m.name, `bench_sync_limit_${m.name}`])),
    ...(withBreakdown ? { breakdown: 'bench_sync_breakdown' } : {}),
  } as Record<string, string>;
  const urls: Record<string, string> = {};
  for (const [key, name] of Object.entries(names)) {
    urls[key] = await createDatabase(name);
    await applyMigrations({ databaseUrl: urls[key]!, logger: silentLogger() });
  }
  console.log(`Postgres ${serverVersion} (${embedded ? 'embedded' : 'BENCH_DATABASE_URL'}); databases ${Object.values(names).join(', ')} migrated`);

  // The simulator, in its own process.
  let t = performance.now();
  const sim = await startSimulatorChild();
  cleanups.push(() => sim.stop());
  const worldTotal = Object.values(sim.counts).reduce((s, n) => s + n, 0);
  console.log(`simulator (pid ${sim.pid}) seeded ${worldTotal} objects in ${((performance.now() - t) / 1000).toFixed(1)} s at ${sim.url}`);

  // End to end: the sync engine in this process.
  const e2eUrl = urls.e2e!;
  const db: Database = await openDatabase({ config: { databaseUrl: e2eUrl, dataDir: '.data' }, logger: silentLogger(), migrate: false });
  let dbClosing: Promise<void> | undefined;
  const closeDb = () => (dbClosing ??= db.close());
  cleanups.push(closeDb);
  const engine = createSyncEngine({
    prisma: db.prisma,
    databaseUrl: e2eUrl,
    baseUrl: sim.url,
    token: DEMO_TOKEN,
    deviceUuid: randomUUID(),
    userAgent: 'base-sync-gateway-bench/1.0',
    intervalMs: 1000,
    logger: silentLogger(),
  });
  const rssBefore = process.memoryUsage().rss;
  const simCpu0 = processCpuSeconds(sim.pid);
  const rss = rssSampler();
  const cpu0 = process.cpuUsage();
  t = performance.now();
  const summary = await engine.runOnce();
  const seconds = (performance.now() - t) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const { peak: peakRss, atPeak } = rss.stop();
  const simCpu1 = processCpuSeconds(sim.pid);
  const backendPids = await db.prisma.$queryRawUnsafe<{ pid: number }[]>('SELECT pid FROM pg_stat_activity WHERE datname = current_database()');
  const postgresCpu = sumCpu(backendPids.map((r) => r.pid));
  const cpuSeconds = {
    gateway: round((cpu.user + cpu.system) / 1e6, 1),
    postgresBackends: postgresCpu === undefined ? null : round(postgresCpu, 1),
    simulator: simCpu0 === undefined || simCpu1 === undefined ? null : round(simCpu1 - simCpu0, 1),
  };
  const itemsPerSecond = Math.round(summary.items / seconds);
  // After the session, in the background: not part of the sync's time, but of what it costs.
  t = performance.now();
  await engine.customFieldsDiscovered();
  const discoverySeconds = (performance.now() - t) / 1000;
  console.log(
    `end to end: ${summary.items} items in ${summary.pages} pages, ${seconds.toFixed(2)} s = ${itemsPerSecond} items/s; ` +
      `${summary.events} change events; custom field discovery after it (values read in SQL, indexes built): ${discoverySeconds.toFixed(2)} s`,
  );
  console.log(
    `peak RSS ${mb(peakRss)} MB (${mb(rssBefore)} MB before the sync; highest sample: heap used ${mb(atPeak.heapUsed)} MB of ${mb(atPeak.heapTotal)} MB, ` +
      `external ${mb(atPeak.external)} MB, array buffers ${mb(atPeak.arrayBuffers)} MB` +
      `${atPeak.resident ? `; resident anonymous ${mb(atPeak.resident.anon)} MB, files ${mb(atPeak.resident.file)} MB` : ''})`,
  );
  console.log(
    `CPU during the sync (${seconds.toFixed(1)} s wall × ${availableParallelism()} cores = ${(availableParallelism() * seconds).toFixed(1)} CPU-s): gateway ${cpuSeconds.gateway} s, ` +
      `Postgres backends ${cpuSeconds.postgresBackends ?? '?'} s, simulator ${cpuSeconds.simulator ?? '?'} s`,
  );
  const counts = await withClient(e2eUrl, rowCounts);
  const stored = Object.values(counts).reduce((s, n) => s + n, 0);
  const rowsMatch = stored === worldTotal && summary.items === worldTotal;
  console.log(`rows stored: ${stored} (other_resources ${counts.other_resources}); world: ${worldTotal}: ${rowsMatch ? 'match' : 'MISMATCH'}`);
  await closeDb();

  let breakdownResult: Awaited<ReturnType<typeof breakdown>> | undefined;
  if (withBreakdown) {
    breakdownResult = await breakdown(urls.breakdown!, sim.url);
    console.log(`breakdown (a copy of the engine loop, timed per step): ${JSON.stringify(breakdownResult)}`);
  }

  // The storage limit: the same pages (a second device's queue of the same world), plain SQL.
  const limits: LimitResult[] = [];
  const identical: Record<string, boolean> = {};
  if (methods.length) {
    t = performance.now();
    const pages = await capturePages(sim.url);
    console.log(`captured ${pages.length} pages for the limit in ${((performance.now() - t) / 1000).toFixed(1)} s`);
    await sim.stop();
    for (const method of methods) {
      const result = await writeLimit(urls[method.name]!, method, pages);
      limits.push(result);
      console.log(
        `limit "${method.name}": ${result.items} items, ${result.writeSeconds} s of SQL = ${result.itemsPerSecond} items/s` +
          `${result.postgresCpuSeconds === null ? '' : ` (Postgres backend CPU ${result.postgresCpuSeconds} s)`} — ${method.describe}`,
      );
    }
    pages.length = 0;
    console.log('limit: only the SQL writes are timed (parsing and mapping with planPage/toRow are not); no change events, no sync_state, no NOTIFY');

    // The limit wrote what the engine wrote.
    const e2eDigest = await withClient(e2eUrl, contentDigest);
    for (const l of limits) identical[l.method] = (await withClient(urls[l.method]!, contentDigest)) === e2eDigest;
    console.log(`tables identical to the end-to-end run (all columns but synced_at): ${Object.entries(identical).map(([m, ok]) => `${m} ${ok ? 'yes' : 'NO'}`).join(', ')}`);
  }
  const best = limits.reduce<LimitResult | undefined>((a, b) => (a === undefined || b.itemsPerSecond > a.itemsPerSecond ? b : a), undefined);

  const ratio = best ? round(itemsPerSecond / best.itemsPerSecond, 3) : null;
  const peakRssMB = mb(peakRss);
  const met = { ratio: ratio !== null && ratio >= GOALS.ratio, itemsPerSecond: itemsPerSecond >= GOALS.itemsPerSecond, rssMB: peakRssMB < GOALS.rssMB };
  console.log(
    `ratio ${ratio} (goal ${GOALS.ratio}): ${met.ratio ? 'met' : 'NOT met'}; ${itemsPerSecond} items/s (goal ${GOALS.itemsPerSecond}): ${met.itemsPerSecond ? 'met' : 'NOT met'}; ` +
      `peak RSS ${peakRssMB} MB (goal < ${GOALS.rssMB}): ${met.rssMB ? 'met' : 'NOT met'}; load average ${load()}`,
  );
  const result = {
    bench: 'sync',
    objects: worldTotal,
    items: summary.items,
    pages: summary.pages,
    seconds: round(seconds, 3),
    itemsPerSecond,
    limitItemsPerSecond: best?.itemsPerSecond ?? null,
    limitMethod: best?.method ?? null,
    limits: Object.fromEntries(limits.map((l) => [l.method, { itemsPerSecond: l.itemsPerSecond, postgresCpuSeconds: l.postgresCpuSeconds }])),
    ratio,
    peakRssMB,
    cpuSeconds,
    postgres: `${serverVersion}${embedded ? ' embedded' : ''}`,
    rowsMatch,
    limitTablesIdentical: identical,
    // Other work on the machine skews every figure: the 1-minute load average at the start and the end.
    loadAverage: [loadAtStart, round(loadavg()[0]!)],
    ...(breakdownResult ? { breakdown: breakdownResult } : {}),
    goals: GOALS,
    met,
  };
  console.log(JSON.stringify(result));
  return rowsMatch && Object.values(identical).every(Boolean) ? 0 : 1;
}

// Last, so that every constant above is initialised before either role starts.
if (process.env[ROLE_ENV] === 'simulator') await simulatorChild();
else await runBench('sync', run);
