// HTTP client of the Base Sync API: the three endpoints, the headers Base expects, a
// timeout, validation of every response, and retries with backoff for what is transient.
// The access token goes into the Authorization header and nowhere else.
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import type { Logger } from '../logger.ts';

/** Options for {@link createSyncClient}. */
export interface SyncClientOptions {
  /** API root, e.g. https://api.getbase.com (the Sync API lives under /v2/sync). */
  baseUrl: string;
  /** Access token with the `sync` scope. */
  token: string;
  /** This mirror's device UUID (X-Basecrm-Device-UUID). */
  deviceUuid: string;
  /** User-Agent, e.g. base-sync-gateway/0.1.0. */
  userAgent: string;
  /** Per-request timeout (default 30 s, as Base's own clients). */
  timeoutMs?: number;
  /** Attempts per call before giving up with a {@link TransientSyncError} (default 8). */
  maxAttempts?: number;
  /** First backoff delay; doubles each attempt, with jitter (default 500 ms). */
  backoffBaseMs?: number;
  /** Longest backoff delay or honoured Retry-After (default 30 s). */
  backoffMaxMs?: number;
  /** Aborts waits and requests of start and fetch (shutdown); an ack in flight is finished. */
  signal?: AbortSignal;
  /** Called before each retry, with why (for metrics). */
  onRetry?: (cause: RetryCause, attempt: number) => void;
  logger: Logger;
}

export type RetryCause = 'network' | 'timeout' | 'server_error' | 'rate_limited' | 'conflict' | 'invalid_response';

/** The token was refused (401/403) or the request is wrong (other 4xx): retrying will not help. */
export class FatalSyncError extends Error {
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'FatalSyncError';
  }
}

/** Still failing after every retry (network, 5xx, 429, malformed responses). */
export class TransientSyncError extends Error {
  constructor(
    message: string,
    readonly reason: RetryCause,
  ) {
    super(message);
    this.name = 'TransientSyncError';
  }
}

const id = z.union([z.number().int(), z.string().regex(/^\d+$/)]);

const startSchema = z.object({
  data: z.object({
    id: z.union([z.string().min(1), z.number()]).transform(String),
    queues: z
      .array(z.object({ data: z.object({ name: z.string(), pages: z.number().int().nonnegative(), total_count: z.number().int().nonnegative() }) }))
      .min(1),
  }),
});

const itemSchema = z.object({
  // Every field kept as received; only the id is checked (an intersection would copy each item).
  data: z.looseObject({ id: id.optional() }),
  meta: z.object({
    type: z.string().min(1),
    sync: z.object({
      event_type: z.string(),
      ack_key: z.string().min(1),
      revision: z.number().int().nonnegative(),
    }),
  }),
});

const pageSchema = z.object({
  items: z.array(itemSchema),
  meta: z
    .object({
      count: z.number().int().nonnegative().optional(),
      count_left: z.number().int().nonnegative().optional(),
      failed_objects: z.array(z.object({ type: z.string(), id })).optional(),
    })
    .optional(),
});

export type WireItem = z.infer<typeof itemSchema>;

export type StartResult = { kind: 'nothing-new' } | { kind: 'session'; id: string; pages: number; totalCount: number };

export interface Page {
  items: WireItem[];
  /** Objects left in the queue after this page, when the server says. */
  countLeft: number | undefined;
  failedObjects: { type: string; id: number | string }[];
}

export interface SyncClient {
  /** POST /v2/sync/start: a new session, or nothing new (204). */
  start(): Promise<StartResult>;
  /** GET /v2/sync/{id}/queues/main: the next page, or null when the queue is drained (204). */
  fetchPage(sessionId: string): Promise<Page | null>;
  /** POST /v2/sync/ack; no call when there is nothing to ack. */
  ack(keys: readonly string[]): Promise<void>;
}

class InvalidResponse extends Error {}

export function createSyncClient(options: SyncClientOptions): SyncClient {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const maxAttempts = options.maxAttempts ?? 8;
  const baseDelay = options.backoffBaseMs ?? 500;
  const maxDelay = options.backoffMaxMs ?? 30_000;
  const log = options.logger.child({ component: 'sync-client' });
  const root = `${options.baseUrl.replace(/\/+$/, '')}/v2/sync`;
  const headers = {
    Authorization: `Bearer ${options.token}`,
    'X-Basecrm-Device-UUID': options.deviceUuid,
    Accept: 'application/json',
    'User-Agent': options.userAgent,
  };

  /** Sends one call with retries; `read` turns a 2xx response into the result (throwing InvalidResponse to retry). */
  async function call<T>(
    what: string,
    method: 'GET' | 'POST',
    url: string,
    body: unknown,
    read: (res: Response) => Promise<T>,
    /** null: not abortable (an `undefined` argument would take the default). */
    signal: AbortSignal | null = options.signal ?? null,
  ): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      let cause: RetryCause;
      let retryAfterMs: number | undefined;
      let detail: string;
      try {
        const signals = [AbortSignal.timeout(timeoutMs), ...(signal ? [signal] : [])];
        const res = await fetch(url, {
          method,
          headers: body === undefined ? headers : { ...headers, 'Content-Type': 'application/json' },
          body: body === undefined ? undefined : JSON.stringify(body),
          signal: AbortSignal.any(signals),
        });
        if (res.ok) return await read(res);
        const text = await res.text().catch(() => '');
        detail = `${res.status} ${describeError(text)}`;
        if (res.status === 401 || res.status === 403) {
          throw new FatalSyncError(
            res.status === 401
              ? `Base refused the access token (401 ${describeError(text)}): check BASE_ACCESS_TOKEN`
              : `the access token lacks permission for the Sync API (403 ${describeError(text)}): it needs the sync scope`,
            res.status,
          );
        }
        if (res.status === 429) cause = 'rate_limited';
        else if (res.status === 409) cause = 'conflict';
        else if (res.status >= 500) cause = 'server_error';
        else throw new FatalSyncError(`${what} was rejected: ${detail}`, res.status);
        retryAfterMs = parseRetryAfter(res.headers.get('retry-after'));
      } catch (error) {
        if (error instanceof FatalSyncError) throw error;
        if (signal?.aborted) throw signal.reason ?? error;
        if (error instanceof InvalidResponse) {
          cause = 'invalid_response';
          detail = error.message;
        } else if ((error as Error).name === 'TimeoutError') {
          cause = 'timeout';
          detail = `no answer within ${timeoutMs} ms`;
        } else {
          cause = 'network';
          detail = describeNetworkError(error);
        }
      }
      if (attempt >= maxAttempts) throw new TransientSyncError(`${what} failed ${attempt} times; last: ${detail}`, cause);
      const backoff = Math.min(maxDelay, baseDelay * 2 ** (attempt - 1));
      // Full jitter spreads retries of many clients; Retry-After is a floor the server asked for.
      const delay = Math.min(maxDelay, Math.max(retryAfterMs ?? 0, Math.random() * backoff));
      log.warn({ attempt, cause, delayMs: Math.round(delay), detail }, `${what} failed, retrying`);
      options.onRetry?.(cause, attempt);
      await sleep(delay, undefined, signal ? { signal } : {});
    }
  }

  async function json<T>(res: Response, schema: z.ZodType<T>, what: string): Promise<T> {
    let body: unknown;
    try {
      body = await res.json();
    } catch (error) {
      if ((error as Error).name === 'SyntaxError') throw new InvalidResponse(`${what}: the body is not valid JSON`);
      throw error;
    }
    const parsed = schema.safeParse(body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new InvalidResponse(`${what}: unexpected response (${issue.path.join('.') || 'body'}: ${issue.message})`);
    }
    return parsed.data;
  }

  return {
    start: () =>
      call('starting a sync session', 'POST', `${root}/start`, undefined, async (res) => {
        if (res.status === 204) return { kind: 'nothing-new' } as const;
        const body = await json(res, startSchema, 'sync/start');
        const queue = body.data.queues.find((q) => q.data.name === 'main') ?? body.data.queues[0]!;
        return { kind: 'session', id: body.data.id, pages: queue.data.pages, totalCount: queue.data.total_count } as const;
      }),

    fetchPage: (sessionId) =>
      call('fetching a page', 'GET', `${root}/${encodeURIComponent(sessionId)}/queues/main`, undefined, async (res) => {
        if (res.status === 204) return null;
        const body = await json(res, pageSchema, 'queue page');
        return {
          items: body.items,
          countLeft: body.meta?.count_left,
          failedObjects: body.meta?.failed_objects ?? [],
        };
      }),

    async ack(keys) {
      if (keys.length === 0) return;
      // Not abortable: the page is committed, so its ack should go out even during shutdown.
      const drain = async (res: Response) => {
        // 202 with an empty body; read whatever came so the connection is reusable.
        await res.arrayBuffer().catch(() => undefined);
      };
      await call('acknowledging a page', 'POST', `${root}/ack`, { data: { ack_keys: keys } }, drain, null);
    },
  };
}

/** Retry-After in seconds or as an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null): number | undefined {
  if (!value) return undefined;
  if (/^\d+(\.\d+)?$/.test(value.trim())) return Number(value) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

/** The message of Base's error envelope, or a short excerpt of the body. */
function describeError(text: string): string {
  try {
    const body = JSON.parse(text) as { errors?: { error?: { code?: string; message?: string } }[] };
    const error = body.errors?.[0]?.error;
    if (error) return [error.code, error.message].filter(Boolean).join(': ');
  } catch {
    // not JSON: fall through
  }
  return text.slice(0, 200) || '(empty body)';
}

function describeNetworkError(error: unknown): string {
  const err = error as Error & { cause?: { code?: string; message?: string } };
  return [err.message, err.cause?.code ?? err.cause?.message].filter(Boolean).join(': ');
}
