// The load generator of the query benchmark (test/bench/query.ts), in its own process so that
// the servers under test keep a core of the 2-core machine to themselves. query.ts starts
// this file with an IPC channel and sends it jobs; each job runs autocannon (a warm-up, then
// the measured run) and answers with the figures. Not a benchmark on its own.
import { quantile, round } from './harness.ts';

/** One load: POST each body in turn to `url` over `connections` connections. */
export interface LoadJob {
  url: string;
  bodies: string[];
  connections: number;
  warmupSeconds: number;
  seconds: number;
  /** With a single body: every answer must be exactly this text (autocannon counts mismatches). */
  expectBody?: string;
}

export interface LoadResult {
  requests: number;
  seconds: number;
  rps: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Mean 2xx response size. */
  meanKB: number;
  errors: number;
  timeouts: number;
  non2xx: number;
  mismatches: number;
}

interface AutocannonResult {
  duration: number;
  errors: number;
  timeouts: number;
  non2xx: number;
  mismatches: number;
  requests: { total: number; average: number };
  throughput: { average: number };
}

interface AutocannonInstance {
  on(event: 'response', listener: (client: unknown, statusCode: number, bytes: number, responseTimeMs: number) => void): void;
}

type Autocannon = (options: Record<string, unknown>, done: (error: Error | null, result?: AutocannonResult) => void) => AutocannonInstance;

// autocannon ships no types; a non-literal specifier keeps the compiler from asking for them.
const AUTOCANNON: string = 'autocannon';
const autocannon = ((await import(AUTOCANNON)) as { default: Autocannon }).default;

/** One autocannon run; latencies are recorded exactly (float ms), not in autocannon's 1 ms buckets. */
function fire(job: LoadJob, seconds: number, record: boolean): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    let latencies = new Float64Array(record ? 1 << 16 : 0);
    let count = 0;
    let bytes = 0;
    const done = (result: AutocannonResult) => {
      const sorted = latencies.subarray(0, count).sort();
      resolve({
        requests: result.requests.total,
        seconds: result.duration,
        rps: Math.round(result.requests.total / result.duration),
        p50Ms: round(quantile(sorted, 0.5)),
        p90Ms: round(quantile(sorted, 0.9)),
        p99Ms: round(quantile(sorted, 0.99)),
        maxMs: round(quantile(sorted, 1)),
        meanKB: count ? Math.round(bytes / count / 100) / 10 : 0,
        errors: result.errors,
        timeouts: result.timeouts,
        non2xx: result.non2xx,
        mismatches: result.mismatches,
      });
    };
    const headers = { 'content-type': 'application/json', accept: 'application/json' };
    const instance = autocannon(
      {
        url: job.url,
        connections: job.connections,
        duration: seconds,
        method: 'POST',
        headers,
        // One body: autocannon can check every answer. Several: each connection sends them in turn.
        ...(job.bodies.length === 1
          ? { body: job.bodies[0], ...(job.expectBody !== undefined ? { expectBody: job.expectBody } : {}) }
          : { requests: job.bodies.map((body) => ({ method: 'POST', body, headers })) }),
      },
      (error, result) => (error ? reject(error) : done(result!)),
    );
    instance.on('response', (_client, statusCode, resBytes, responseTimeMs) => {
      if (!record || statusCode < 200 || statusCode > 299) return;
      if (count === latencies.length) {
        const bigger = new Float64Array(latencies.length * 2);
        bigger.set(latencies);
        latencies = bigger;
      }
      latencies[count++] = responseTimeMs;
      bytes += resBytes;
    });
  });
}

if (!process.send) {
  console.error('test/bench/query-load.ts is the load generator of the query benchmark: run `npm run bench -- query`');
  process.exit(2);
}

process.on('message', (message: { job?: LoadJob; exit?: boolean }) => {
  if (message.exit) {
    process.disconnect();
    return;
  }
  const job = message.job!;
  void (async () => {
    try {
      if (job.warmupSeconds > 0) await fire(job, job.warmupSeconds, false);
      // The parent measures CPU from here on.
      process.send!({ warm: true });
      const result = await fire(job, job.seconds, true);
      process.send!({ result });
    } catch (error) {
      process.send!({ error: String((error as Error)?.stack ?? error) });
    }
  })();
});
// The parent waits for this before sending jobs.
process.send({ ready: true });
// Leave when the parent goes away (it closes the channel, or dies).
process.on('disconnect', () => process.exit(0));
