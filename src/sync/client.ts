// HTTP client of the Base Sync API: the three endpoints, the headers Base expects, a
// timeout, validation of every response, and retries with backoff for what is transient.
// The access token goes into the Authorization header and nowhere else.
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import type { Logger } from '../logger.ts';
import { elementSpans, int8Of, isStorableString, memberSpans, parseExact, traitsOf, wholeSpan, type JsonTraits, type Span } from '../store/exact-json.ts';
import type { StoreItem } from '../store/rows.ts';

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
  /** Called before each retry, with why (for metrics) and what happened (one short line). */
  onRetry?: (cause: RetryCause, attempt: number, detail: string) => void;
  logger: Logger;
}

export type RetryCause = 'network' | 'timeout' | 'server_error' | 'rate_limited' | 'conflict' | 'invalid_response';

/** The token was refused (401/403): retrying will not help. */
export class FatalSyncError extends Error {
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'FatalSyncError';
  }
}

/**
 * Still failing after every retry (network, 5xx, 429, malformed responses), or refused with
 * another 4xx (`rejected`, not retried here): a later session may fare better.
 */
export class TransientSyncError extends Error {
  constructor(
    message: string,
    readonly reason: RetryCause | 'rejected',
  ) {
    super(message);
    this.name = 'TransientSyncError';
  }
}

/** The queue answered 404: Base no longer knows the session (expired, or lost); start a new one. */
export class SessionExpiredError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SessionExpiredError';
  }
}

const startSchema = z.object({
  data: z.object({
    id: z.union([z.string().min(1), z.number()]).transform(String),
    queues: z
      .array(z.object({ data: z.object({ name: z.string(), pages: z.number().int().nonnegative(), total_count: z.number().int().nonnegative() }) }))
      .min(1),
  }),
});

/** A well-formed item of a queue page (as JSON.parse gives it). */
export interface WireItem {
  data: Record<string, unknown>;
  meta: { type: string; sync: { event_type: string; ack_key: string; revision: number } };
}

const definitionsSchema = z.object({
  items: z.array(z.object({ data: z.looseObject({ id: z.union([z.number().int(), z.string().regex(/^\d+$/)]).optional(), name: z.string().min(1), type: z.string().min(1) }) })),
});

/** A custom field definition as Base's REST API sends it (every field kept). */
export type CustomFieldDefinition = z.infer<typeof definitionsSchema>['items'][number]['data'];

/** Definitions asked per page (the most Base serves), and pages read at most (an API that never answers a short page still ends). */
const DEFINITIONS_PER_PAGE = 100;
const DEFINITIONS_MAX_PAGES = 100;

export type StartResult = { kind: 'nothing-new' } | { kind: 'session'; id: string; pages: number; totalCount: number };

export interface Page {
  /** The page's items in order, each read on its own: a malformed one says why (it is kept as rejected, never dropped). */
  items: StoreItem[];
  /** Objects left in the queue after this page, when the server says. */
  countLeft: number | undefined;
  failedObjects: { type: string; id: number | string }[];
}

const isObject = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);

/**
 * Reads one item of a page. Only what the sync needs is checked (the payload is an object; a
 * type, an ack key, an event type and a revision): an item that lacks it is returned with
 * `malformed` saying why, to be kept as a rejected item. `text` gives its JSON text as received.
 */
export function readItem(value: unknown, text?: () => string, json?: JsonTraits): StoreItem {
  const meta = isObject(value) && isObject(value.meta) ? value.meta : undefined;
  const sync = meta && isObject(meta.sync) ? meta.sync : undefined;
  const data = isObject(value) && isObject(value.data) ? value.data : undefined;
  const revision = sync && int8Of(sync.revision);
  const problem =
    !isObject(value) ? 'an item must be an object'
    : data === undefined ? 'data must be an object'
    : typeof meta?.type !== 'string' || meta.type === '' ? 'meta.type must be a type name'
    : typeof sync?.ack_key !== 'string' || sync.ack_key === '' ? 'meta.sync.ack_key must be a string'
    : typeof sync.event_type !== 'string' ? 'meta.sync.event_type must be a string'
    : revision === undefined || Number(revision) < 0 ? 'meta.sync.revision must be a non-negative 64-bit integer'
    : undefined;
  return {
    type: typeof meta?.type === 'string' ? meta.type : '',
    data: data ?? {},
    revision: problem === undefined ? revision! : 0,
    deleted: sync?.event_type === 'deleted',
    ...(typeof sync?.ack_key === 'string' && sync.ack_key !== '' ? { ackKey: sync.ack_key } : {}),
    ...(text ? { text } : {}),
    ...(json ? { json } : {}),
    ...(problem === undefined ? {} : { malformed: problem }),
  };
}

const pageMetaSchema = z
  .object({
    // Bounded: a count past int8 would make Postgres refuse the page's bookkeeping.
    count_left: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER).optional().catch(undefined),
    failed_objects: z.array(z.unknown()).optional().catch(undefined),
  })
  .optional()
  .catch(undefined);

/**
 * Reads a queue page's text: numbers JSON.parse would change are parsed exactly (only when the
 * text holds such a literal), each item is read on its own, and an item's text as received is
 * found when someone asks for it. Throws {@link InvalidResponse} when the text is not a page.
 */
export function readPage(text: string): Page {
  const json = traitsOf(text);
  let body: unknown;
  // The exact parser refuses a repeated key, which JSON allows: such a page is read plainly, then each item exactly.
  let itemByItem = false;
  try {
    body = json.exactNumbers ? parseExact(text) : JSON.parse(text);
  } catch {
    try {
      body = JSON.parse(text);
    } catch {
      throw new InvalidResponse('queue page: the body is not valid JSON');
    }
    itemByItem = true;
  }
  if (!isObject(body) || !Array.isArray(body.items)) throw new InvalidResponse('queue page: unexpected response (items: expected an array)');
  let spans: Span[] | undefined;
  const textOf = (index: number) => () => {
    spans ??= elementSpans(text, memberSpans(text, wholeSpan(text)).get('items')!);
    const span = spans[index]!;
    return text.slice(span.start, span.end);
  };
  const items = body.items.map((value: unknown, index): StoreItem => {
    const itemText = textOf(index);
    if (!itemByItem) return readItem(value, itemText, json);
    const traits = traitsOf(itemText());
    if (!traits.exactNumbers) return readItem(value, itemText, traits);
    try {
      return readItem(parseExact(itemText()), itemText, traits);
    } catch {
      return { ...readItem(value, itemText, traits), malformed: 'it repeats a key and holds numbers that only an exact parser keeps' };
    }
  });
  const meta = pageMetaSchema.parse(body.meta);
  const failedObjects = (meta?.failed_objects ?? []).flatMap((f) => {
    const id = isObject(f) && typeof f.type === 'string' && isStorableString(f.type) ? int8Of(f.id) : undefined;
    return id === undefined ? [] : [{ type: (f as { type: string }).type, id }];
  });
  return { items, countLeft: meta?.count_left, failedObjects };
}

export interface SyncClient {
  /** POST /v2/sync/start: a new session, or nothing new (204). */
  start(): Promise<StartResult>;
  /** GET /v2/sync/{id}/queues/main: the next page, or null when the queue is drained (204). */
  fetchPage(sessionId: string): Promise<Page | null>;
  /** POST /v2/sync/ack; no call when there is nothing to ack. */
  ack(keys: readonly string[]): Promise<void>;
  /**
   * GET /v2/{type}/custom_fields, every page (a REST call: it needs the read scope): the type's
   * custom field definitions, or `unreadable` when Base refuses the token (401/403).
   */
  customFieldDefinitions(type: 'lead' | 'contact' | 'deal'): Promise<CustomFieldDefinition[] | 'unreadable'>;
}

class InvalidResponse extends Error {}

export function createSyncClient(options: SyncClientOptions): SyncClient {
  const { timeoutMs = 30_000, maxAttempts = 8, backoffBaseMs: baseDelay = 500, backoffMaxMs: maxDelay = 30_000 } = options;
  const log = options.logger.child({ component: 'sync-client' });
  const api = `${options.baseUrl.replace(/\/+$/, '')}/v2`;
  const root = `${api}/sync`;
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
    /** Error statuses handed to `read` instead of failing. */
    readStatuses: readonly number[] = [],
    /** The URL names a session: a 404 means Base no longer knows it. */
    sessionBound = false,
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
        if (res.ok || readStatuses.includes(res.status)) return await read(res);
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
        if (res.status === 404 && sessionBound) throw new SessionExpiredError(`the sync session expired or is unknown to Base (${detail}); starting a new one`);
        if (res.status === 429) cause = 'rate_limited';
        else if (res.status === 409) cause = 'conflict';
        else if (res.status >= 500) cause = 'server_error';
        else throw new TransientSyncError(`${what} was rejected: ${detail}`, 'rejected');
        retryAfterMs = parseRetryAfter(res.headers.get('retry-after'));
      } catch (error) {
        if (error instanceof FatalSyncError || error instanceof SessionExpiredError || (error instanceof TransientSyncError && error.reason === 'rejected')) throw error;
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
      options.onRetry?.(cause, attempt, detail);
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
        return readPage(await res.text());
      }, undefined, [], true),

    async customFieldDefinitions(type) {
      const all: CustomFieldDefinition[] = [];
      for (let page = 1; page <= DEFINITIONS_MAX_PAGES; page++) {
        const url = `${api}/${type}/custom_fields?page=${page}&per_page=${DEFINITIONS_PER_PAGE}`;
        const body = await call(`reading the ${type} custom field definitions`, 'GET', url, undefined, async (res) => {
          if (res.status === 401 || res.status === 403) {
            await res.arrayBuffer().catch(() => undefined);
            return 'unreadable' as const;
          }
          return json(res, definitionsSchema, `${type}/custom_fields`);
        }, options.signal ?? null, [401, 403]);
        if (body === 'unreadable') return body;
        all.push(...body.items.map((item) => item.data));
        // A short page is the last (a full one may be too: the next then answers no items).
        if (body.items.length < DEFINITIONS_PER_PAGE) break;
      }
      return all;
    },

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
