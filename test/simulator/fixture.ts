// Shared fixture: a simulator on a free port, closed after each test, and a plain-`fetch`
// client of the Sync API (no sync engine: these tests pin the wire protocol itself).
import { randomUUID } from 'node:crypto';
import { afterEach } from 'vitest';
import { createSimulator, DEMO_TOKEN, type Simulator, type SimulatorOptions, type SyncItem } from '../../src/simulator/index.ts';
import { SIMULATOR_REVISIONS } from '../fixtures/revisions.ts';

const running: Simulator[] = [];

afterEach(async () => {
  await Promise.all(running.splice(0).map((sim) => sim.close()));
});

export interface StartBody {
  data: {
    id: string;
    queues: Array<{ data: { name: string; pages: number; total_count: number }; meta: { type: string; links: { self: string } } }>;
  };
  meta: { type: string };
}

export interface PageBody {
  items: SyncItem[];
  meta: { type: string; count: number; count_left: number; failed_objects: Array<{ type: string; id: number }> };
}

export interface ErrorBody {
  errors: Array<{ error: { code: string; message: string; details: string; resource: string; field: string }; meta: Record<string, unknown> }>;
  meta: { http_status: string; logref: string };
}

export interface SimClient {
  sim: Simulator;
  url: string;
  /** A device UUID of its own (each test gets a fresh one). */
  device: string;
  headers(device?: string): Record<string, string>;
  start(device?: string): Promise<Response>;
  /** Starts a session that must exist (201). */
  startSession(device?: string): Promise<StartBody['data'] & { total: number; pages: number }>;
  page(sessionId: string, device?: string): Promise<Response>;
  ack(keys: string[], device?: string): Promise<Response>;
  /** One whole session: every page until 204, acking each page unless `ack` is false. */
  session(device?: string, options?: { ack?: boolean }): Promise<{ items: SyncItem[]; pages: PageBody[] }>;
  control(method: string, path: string, body?: unknown): Promise<Response>;
}

export async function startSimulator(options: SimulatorOptions = {}): Promise<SimClient> {
  const sim = createSimulator({ world: { total: 250 }, ackDelayMs: 0, revisions: SIMULATOR_REVISIONS, ...options });
  running.push(sim);
  const url = await sim.listen(0);
  const token = options.token ?? DEMO_TOKEN;
  const defaultDevice: string = randomUUID();
  const headers = (device = defaultDevice): Record<string, string> => ({
    Authorization: `Bearer ${token}`,
    'X-Basecrm-Device-UUID': device,
    Accept: 'application/json',
    'User-Agent': 'simulator-tests/1.0',
  });
  const client: SimClient = {
    sim,
    url,
    device: defaultDevice,
    headers,
    start: (device) => fetch(`${url}/v2/sync/start`, { method: 'POST', headers: headers(device) }),
    async startSession(device) {
      const res = await client.start(device);
      if (res.status !== 201) throw new Error(`start answered ${res.status}`);
      const body = (await res.json()) as StartBody;
      const queue = body.data.queues[0]!.data;
      return { ...body.data, total: queue.total_count, pages: queue.pages };
    },
    page: (sessionId, device) => fetch(`${url}/v2/sync/${sessionId}/queues/main`, { headers: headers(device) }),
    ack: (keys, device) =>
      fetch(`${url}/v2/sync/ack`, {
        method: 'POST',
        headers: { ...headers(device), 'Content-Type': 'application/json' },
        body: JSON.stringify({ data: { ack_keys: keys } }),
      }),
    async session(device, { ack = true } = {}) {
      const items: SyncItem[] = [];
      const pages: PageBody[] = [];
      const started = await client.start(device);
      if (started.status === 204) return { items, pages };
      const { data } = (await started.json()) as StartBody;
      for (let guard = 0; guard < 100_000; guard++) {
        const res = await client.page(data.id, device);
        if (res.status === 204) return { items, pages };
        if (res.status !== 200) throw new Error(`page answered ${res.status}`);
        const page = (await res.json()) as PageBody;
        pages.push(page);
        items.push(...page.items);
        if (ack && page.items.length > 0) {
          const acked = await client.ack(page.items.map((i) => i.meta.sync.ack_key), device);
          if (acked.status !== 202) throw new Error(`ack answered ${acked.status}`);
        }
      }
      throw new Error('session never ended');
    },
    control: (method, path, body) =>
      fetch(`${url}${path}`, {
        method,
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      }),
  };
  return client;
}

/** A fresh device UUID. */
export const newDevice = (): string => randomUUID() as string;

/** `type:id` of an item, to compare sets. */
export const keyOf = (item: SyncItem): string => `${item.meta.type}:${String(item.data.id)}`;
