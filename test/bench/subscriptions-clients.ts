// The clients of the subscriptions benchmark (test/bench/subscriptions.ts), in their own
// process so that the gateway under test keeps a core of the 2-core machine to itself.
// subscriptions.ts starts this file with an IPC channel and sends it commands:
//
//   connect   open N WebSockets speaking graphql-transport-ws (raw `ws`, no graphql-ws client:
//             5,000 of them must stay light), each with one subscription; answers when every
//             socket is acknowledged and subscribed (or failed)
//   progress  how many results arrived, how many sockets have one at least, errors, closes
//   analyze   given the events committed in the measured window (seq, owner, occurredAt),
//             answers delivered / lost / duplicated / unexpected and the latency figures
//   close     closes every socket
//
// Each result's receipt time is taken in the `message` handler (wall clock, sub-millisecond:
// performance.timeOrigin + performance.now()); its latency is that minus the event's
// `occurredAt` (when the mirror's transaction wrote the change_events row, ms precision).
// Not a benchmark on its own.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import WebSocket from 'ws';
import { quantile, round } from './harness.ts';

/** One subscriber: its owner (filtered) or null (broadcast). */
export interface ClientSpec {
  owner: number | null;
}

export interface ConnectCommand {
  type: 'connect';
  url: string;
  /** The subscription document; `$owner` is bound for clients with an owner. */
  query: string;
  clients: ClientSpec[];
  /** Handshakes in flight at once. */
  concurrency: number;
}

export interface AnalyzeCommand {
  type: 'analyze';
  /** The window: events with from < seq <= to count. */
  from: number;
  to: number;
  /** The deal events committed in the window: [seq, ownerId (null: none), occurredAt epoch ms]. */
  events: Array<[number, number | null, number]>;
}

/** `window`: the measured window starts now (resets the event-loop delay histogram). */
export type Command = ConnectCommand | AnalyzeCommand | { type: 'progress' } | { type: 'window' } | { type: 'close' } | { type: 'exit' };

export interface Connected {
  type: 'connected';
  ok: number;
  failed: number;
  firstError: string | undefined;
  ms: number;
}

export interface Progress {
  type: 'progress';
  /** Results received so far, all clients. */
  received: number;
  /** Clients with at least one result. */
  withResult: number;
  /** `error` messages, results without data, socket errors and unexpected closes. */
  errors: number;
  firstError: string | undefined;
  closed: number;
  completed: number;
  cpuSeconds: number;
}

export interface Latency {
  count: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
}

export interface Analysis {
  type: 'analysis';
  expected: number;
  /** Expected events received (once or more, each counted once). */
  delivered: number;
  lost: number;
  /** Extra receipts of an event already received. */
  duplicated: number;
  /** Receipts in the window of events this client should not get (another owner's). */
  unexpected: number;
  /** Receipts whose node.ownerId is not the client's owner. */
  wrongOwner: number;
  /** Clients that lost at least one event. */
  clientsWithLoss: number;
  /** Receipt − occurredAt of every delivered event (first receipt), all clients. */
  latency: Latency;
  /** Per event: the first client's latency (the pipeline up to the first send). */
  firstClient: Latency;
  /** Per event: the last client's latency (pipeline + fan-out to everyone). */
  lastClient: Latency;
  /** Per event: [seq, first client's latency, last client's latency] (events nobody received are left out). */
  perEvent: Array<[number, number, number]>;
  /** The second of the window (by occurredAt, from its first event) with the highest p99: to spot stalls. */
  worstSecond: { second: number; p99Ms: number } | undefined;
  errors: number;
  firstError: string | undefined;
  closed: number;
  /** This process' event-loop delay since the window opened: receipts are late by up to this much on our side. */
  eventLoopDelay: { p50Ms: number; p99Ms: number; maxMs: number };
}

interface Client {
  owner: number | null;
  socket: WebSocket | undefined;
  acked: boolean;
  /** seq of each result, in order of receipt. */
  seqs: number[];
  /** Latency (receipt − occurredAt) of each result, ms. */
  latencies: number[];
  wrongOwner: number;
  errors: number;
  completed: boolean;
  closed: boolean;
}

const now = (): number => performance.timeOrigin + performance.now();

const clients: Client[] = [];
const loopDelay = monitorEventLoopDelay({ resolution: 5 });
loopDelay.enable();
let received = 0;
let errors = 0;
let firstError: string | undefined;
let closedCount = 0;
let completed = 0;

function noteError(text: string): void {
  errors++;
  firstError ??= text.slice(0, 500);
}

/** Opens one socket, says connection_init, subscribes on connection_ack; resolves once subscribed. */
function open(url: string, query: string, client: Client): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const socket = new WebSocket(url, 'graphql-transport-ws', { perMessageDeflate: false });
    client.socket = socket;
    let settled = false;
    const settle = (error?: Error) => {
      if (settled) return;
      settled = true;
      if (error) reject(error);
      else resolve();
    };
    socket.on('open', () => socket.send('{"type":"connection_init"}'));
    socket.on('message', (data: Buffer) => {
      const at = now();
      const text = data.toString();
      let message: { type: string; id?: string; payload?: any };
      try {
        message = JSON.parse(text) as typeof message;
      } catch {
        noteError(`not JSON: ${text.slice(0, 200)}`);
        return;
      }
      switch (message.type) {
        case 'next': {
          const payload = message.payload as { data?: { dealChanged?: { cursor: string; occurredAt: string; node: { ownerId: number | string | null } } }; errors?: unknown };
          const change = payload.data?.dealChanged;
          if (payload.errors || !change) {
            client.errors++;
            noteError(`next without data: ${text.slice(0, 300)}`);
            return;
          }
          received++;
          client.seqs.push(Number(change.cursor));
          client.latencies.push(at - Date.parse(change.occurredAt));
          if (client.owner !== null && Number(change.node.ownerId) !== client.owner) client.wrongOwner++;
          return;
        }
        case 'connection_ack': {
          client.acked = true;
          const variables = client.owner === null ? {} : { owner: client.owner };
          socket.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query, variables } }));
          // graphql-transport-ws does not acknowledge a subscribe; the parent's probe changes
          // tell when the server has registered every subscription.
          settle();
          return;
        }
        case 'ping':
          socket.send('{"type":"pong"}');
          return;
        case 'pong':
          return;
        case 'error':
          client.errors++;
          noteError(`error: ${text.slice(0, 300)}`);
          return;
        case 'complete':
          client.completed = true;
          completed++;
          return;
        default:
          noteError(`unexpected message: ${text.slice(0, 200)}`);
      }
    });
    socket.on('error', (error) => {
      noteError(`socket error: ${error.message}`);
      settle(error);
    });
    socket.on('close', (code, reason) => {
      if (!client.closed) {
        client.closed = true;
        closedCount++;
        if (!closing) noteError(`socket closed: ${code} ${reason.toString()}`);
      }
      settle(new Error(`closed before subscribing: ${code} ${reason.toString()}`));
    });
  });
}

let closing = false;

async function connect(command: ConnectCommand): Promise<Connected> {
  const started = performance.now();
  const batch = command.clients.map(
    (spec): Client => ({ owner: spec.owner, socket: undefined, acked: false, seqs: [], latencies: [], wrongOwner: 0, errors: 0, completed: false, closed: false }),
  );
  clients.push(...batch);
  let next = 0;
  let ok = 0;
  let failed = 0;
  let failure: string | undefined;
  const worker = async () => {
    while (next < batch.length) {
      const client = batch[next++]!;
      try {
        await open(command.url, command.query, client);
        ok++;
      } catch (error) {
        failed++;
        failure ??= (error as Error).message;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, command.concurrency) }, worker));
  return { type: 'connected', ok, failed, firstError: failure, ms: Math.round(performance.now() - started) };
}

function cpuSeconds(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1e6;
}

function progress(): Progress {
  return {
    type: 'progress',
    received,
    withResult: clients.filter((c) => c.seqs.length > 0).length,
    errors,
    firstError,
    closed: closedCount,
    completed,
    cpuSeconds: cpuSeconds(),
  };
}

function latencyOf(values: Float64Array): Latency {
  const sorted = values.sort();
  return { count: sorted.length, p50Ms: round(quantile(sorted, 0.5), 1), p90Ms: round(quantile(sorted, 0.9), 1), p99Ms: round(quantile(sorted, 0.99), 1), maxMs: round(quantile(sorted, 1), 1) };
}

function analyze(command: AnalyzeCommand): Analysis {
  const inWindow = (seq: number) => seq > command.from && seq <= command.to;
  // Events by owner (broadcast clients expect all of them).
  const all = command.events.map(([seq]) => seq);
  const byOwner = new Map<number | null, number[]>();
  const occurred = new Map<number, number>();
  for (const [seq, owner, at] of command.events) {
    const list = byOwner.get(owner) ?? [];
    list.push(seq);
    byOwner.set(owner, list);
    occurred.set(seq, at);
  }
  const firstLatency = new Map<number, number>();
  const lastLatency = new Map<number, number>();
  const latencies: number[] = [];
  const perSecond = new Map<number, number[]>();
  const origin = Math.min(...occurred.values());
  let expected = 0;
  let delivered = 0;
  let lost = 0;
  let duplicated = 0;
  let unexpected = 0;
  let wrongOwner = 0;
  let clientsWithLoss = 0;
  for (const client of clients) {
    const wanted = client.owner === null ? all : (byOwner.get(client.owner) ?? []);
    const wantedSet = new Set(wanted);
    const seen = new Map<number, number>();
    client.seqs.forEach((seq, i) => {
      if (!inWindow(seq)) return;
      const count = seen.get(seq) ?? 0;
      seen.set(seq, count + 1);
      if (count > 0) {
        duplicated++;
        return;
      }
      if (!wantedSet.has(seq)) {
        unexpected++;
        return;
      }
      const latency = client.latencies[i]!;
      latencies.push(latency);
      firstLatency.set(seq, Math.min(firstLatency.get(seq) ?? Infinity, latency));
      lastLatency.set(seq, Math.max(lastLatency.get(seq) ?? -Infinity, latency));
      const second = Math.floor((occurred.get(seq)! - origin) / 1000);
      const bucket = perSecond.get(second) ?? [];
      bucket.push(latency);
      perSecond.set(second, bucket);
    });
    expected += wanted.length;
    let missing = 0;
    for (const seq of wanted) if (!seen.has(seq)) missing++;
    lost += missing;
    delivered += wanted.length - missing;
    if (missing) clientsWithLoss++;
    wrongOwner += client.wrongOwner;
  }
  let worstSecond: Analysis['worstSecond'];
  for (const [second, values] of perSecond) {
    const p99 = quantile(Float64Array.from(values).sort(), 0.99);
    if (!worstSecond || p99 > worstSecond.p99Ms) worstSecond = { second, p99Ms: round(p99, 1) };
  }
  return {
    type: 'analysis',
    expected,
    delivered,
    lost,
    duplicated,
    unexpected,
    wrongOwner,
    clientsWithLoss,
    latency: latencyOf(Float64Array.from(latencies)),
    firstClient: latencyOf(Float64Array.from(firstLatency.values())),
    lastClient: latencyOf(Float64Array.from(lastLatency.values())),
    perEvent: [...firstLatency].map(([seq, first]): [number, number, number] => [seq, round(first, 1), round(lastLatency.get(seq)!, 1)]),
    worstSecond,
    errors,
    firstError,
    closed: closedCount,
    eventLoopDelay: { p50Ms: round(loopDelay.percentile(50) / 1e6, 1), p99Ms: round(loopDelay.percentile(99) / 1e6, 1), maxMs: round(loopDelay.max / 1e6, 1) },
  };
}

async function closeAll(): Promise<void> {
  closing = true;
  await Promise.all(
    clients.map(
      (client) =>
        new Promise<void>((resolve) => {
          const socket = client.socket;
          if (!socket || socket.readyState === WebSocket.CLOSED) return resolve();
          const timer = setTimeout(() => {
            socket.terminate();
            resolve();
          }, 3000);
          socket.once('close', () => {
            clearTimeout(timer);
            resolve();
          });
          socket.close(1000, 'bench done');
        }),
    ),
  );
}

if (!process.send) {
  console.error('test/bench/subscriptions-clients.ts holds the clients of the subscriptions benchmark: run `npm run bench -- subscriptions`');
  process.exit(2);
}

const reply = (message: unknown) => process.send!(message);

process.on('message', (command: Command) => {
  void (async () => {
    try {
      switch (command.type) {
        case 'connect':
          reply(await connect(command));
          return;
        case 'progress':
          reply(progress());
          return;
        case 'window':
          loopDelay.reset();
          reply({ type: 'window' });
          return;
        case 'analyze':
          reply(analyze(command));
          return;
        case 'close':
          await closeAll();
          reply({ type: 'closed' });
          return;
        case 'exit':
          process.disconnect();
          return;
      }
    } catch (error) {
      reply({ type: 'failed', error: String((error as Error)?.stack ?? error) });
    }
  })();
});
process.send({ type: 'ready' });
// Leave when the parent goes away (it closes the channel, or dies).
process.on('disconnect', () => process.exit(0));
