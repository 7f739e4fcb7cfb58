// Every setting comes from the environment and is validated here, once, at start-up.
// A bad value stops the process with one line that names the variable and says what is wrong;
// secret values are never echoed.
import { z } from 'zod';
import { isLoopback, normalizeOrigin } from './server/access.ts';
import { DEFAULT_MAX_REQUEST_BODY_BYTES, DEFAULT_QUERY_LIMITS, DEFAULT_WEBSOCKET_LIMITS, type QueryLimits, type WebSocketLimits } from './server/limits.ts';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const emptyAsUndefined = (value: unknown) => (typeof value === 'string' && value.trim() === '' ? undefined : value);

const port = (fallback: number) =>
  z.preprocess(
    emptyAsUndefined,
    z.coerce
      .number({ error: 'must be a port number' })
      .int('must be a whole number')
      .min(0, 'must be between 0 and 65535')
      .max(65535, 'must be between 0 and 65535')
      .default(fallback),
  );

/** A number of seconds, at least `min` (fractions allowed). */
const seconds = (fallback: number, min: number) =>
  z.preprocess(
    emptyAsUndefined,
    z.coerce
      .number({ error: 'must be a number of seconds' })
      .refine(Number.isFinite, 'must be a number of seconds')
      .min(min, `must be at least ${min} s`)
      .default(fallback),
  );

const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `7d`, `12h`, `30m`, `90s`, `500ms`, or a number of milliseconds. */
const duration = (fallback: string) =>
  z.preprocess(
    emptyAsUndefined,
    z
      .string()
      .default(fallback)
      .refine((value) => /^\d+(\.\d+)?\s*(ms|s|m|h|d)?$/.test(value.trim()), 'must be a duration such as 7d, 12h, 30m or 90s')
      .transform((value) => {
        const [, amount, unit] = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?$/.exec(value.trim())!;
        return Number(amount) * DURATION_UNITS[unit ?? 'ms']!;
      }),
  );

const SIZE_UNITS: Record<string, number> = { b: 1, k: 1024, kb: 1024, kib: 1024, m: 1024 ** 2, mb: 1024 ** 2, mib: 1024 ** 2 };

/** `64KiB`, `1MiB`, or a number of bytes. */
const size = (fallback: number) =>
  z.preprocess(
    emptyAsUndefined,
    z
      .string()
      .optional()
      .refine((value) => value === undefined || /^\d+\s*(b|k|kb|kib|m|mb|mib)?$/i.test(value.trim()), 'must be a size such as 64KiB, 1MiB or a number of bytes')
      .transform((value) => {
        if (value === undefined) return fallback;
        const [, amount, unit] = /^(\d+)\s*([a-z]*)$/i.exec(value.trim())!;
        return Number(amount) * SIZE_UNITS[(unit || 'b').toLowerCase()]!;
      })
      .refine((bytes) => bytes >= 1024, 'must be at least 1KiB'),
  );

/** A whole number of at least `min`. */
const count = (fallback: number, min = 1) =>
  z.preprocess(
    emptyAsUndefined,
    z.coerce.number({ error: 'must be a whole number' }).int('must be a whole number').min(min, `must be at least ${min}`).default(fallback),
  );

/** A comma-separated list; blanks dropped. */
const list = z.string().transform((value) => value.split(',').map((item) => item.trim()).filter(Boolean));

const httpUrl = z
  .string()
  .refine((value) => URL.canParse(value) && ['http:', 'https:'].includes(new URL(value).protocol), {
    error: 'must be an http(s) URL such as https://api.getbase.com',
  })
  .transform((value) => value.replace(/\/+$/, ''));

const postgresUrl = z
  .string()
  .refine((value) => URL.canParse(value) && ['postgres:', 'postgresql:'].includes(new URL(value).protocol), {
    error: 'must be a postgres:// or postgresql:// URL',
  });

const schema = z.object({
  /** Postgres to mirror into; when unset, a Postgres embedded from npm runs with its data under DATA_DIR. */
  DATABASE_URL: z.preprocess(emptyAsUndefined, postgresUrl.optional()),
  /** Where the embedded Postgres (and other local state) keeps its files. */
  DATA_DIR: z.preprocess(emptyAsUndefined, z.string().default('.data')),
  /** Interface the HTTP server binds to. */
  HOST: z.preprocess(emptyAsUndefined, z.string().default('127.0.0.1')),
  /** Port of the HTTP server (GraphQL, health); 0 picks a free one. */
  PORT: port(4000),
  /** Base API root; the Sync API lives under /v2/sync. */
  BASE_API_URL: z.preprocess(emptyAsUndefined, httpUrl.default('https://api.getbase.com')),
  /** Base access token with the `sync` scope; when unset, the built-in simulator is the upstream (demo mode). */
  BASE_ACCESS_TOKEN: z.preprocess(
    emptyAsUndefined,
    z
      .string()
      // Checked without echoing the value: it is a secret.
      .refine((value) => /^\S+$/.test(value), 'must not contain whitespace')
      .refine((value) => value.length === 64, 'must be 64 characters long, like every Base access token')
      .optional(),
  ),
  /** This mirror's device UUID for the Sync API; generated once and kept in the database when unset. */
  BASE_DEVICE_UUID: z.preprocess(emptyAsUndefined, z.uuid('must be a UUID').optional()),
  /** Wait between two sync sessions, in ms: how fresh the mirror is kept. */
  SYNC_INTERVAL_MS: z.preprocess(emptyAsUndefined, z.coerce.number({ error: 'must be a number of milliseconds' }).int('must be a whole number of milliseconds').min(100, 'must be at least 100 ms').default(1000)),
  /** Seconds without progress (no page committed, no session completed) after which the sync is stalled. */
  SYNC_STALL_SECONDS: seconds(120, 1),
  /** Seconds within which a standby takes over from a syncer that died (crash, lost host, pause). */
  SYNC_FAILOVER_SECONDS: seconds(15, 3),
  /** Demo mode: port of the built-in Sync API simulator (its control API lives there too). */
  SIMULATOR_PORT: port(3030),
  /** Demo mode: seed of the simulated CRM world. */
  SIMULATOR_SEED: z.preprocess(emptyAsUndefined, z.coerce.number({ error: 'must be a whole number' }).int('must be a whole number').default(1)),
  /** Demo mode: objects in the simulated world at start. */
  SIMULATOR_OBJECTS: z.preprocess(emptyAsUndefined, z.coerce.number({ error: 'must be a whole number' }).int('must be a whole number').min(0, 'must not be negative').default(5000)),
  /** Demo mode: live creates, updates and deletes per second in the simulated world. */
  SIMULATOR_ACTIVITY: z.preprocess(emptyAsUndefined, z.coerce.number({ error: 'must be a number' }).min(0, 'must not be negative').default(1)),
  /** API keys for the GraphQL API, comma-separated; each request sends `Authorization: Bearer <key>`. Unset: open, loopback only. */
  GATEWAY_API_KEYS: z.preprocess(
    emptyAsUndefined,
    z
      .string()
      .transform((value) => value.split(',').map((key) => key.trim()).filter(Boolean))
      // Checked without echoing the keys: they are secrets.
      .refine((keys) => keys.every((key) => key.length >= 16), 'each key must be at least 16 characters long')
      .refine((keys) => keys.every((key) => /^[\x21-\x7e]+$/.test(key)), 'keys must be printable ASCII without spaces')
      .optional(),
  ),
  /** Origins (scheme://host[:port]) of other sites whose pages may call the API; `*`: any (needs GATEWAY_API_KEYS). Unset: same origin only. */
  CORS_ORIGINS: z.preprocess(
    emptyAsUndefined,
    list
      .refine((origins) => origins.every((origin) => origin === '*' || normalizeOrigin(origin)), {
        error: 'must be origins such as https://app.example.com (scheme, host and port only), comma-separated, or *',
      })
      // As browsers send them: lower-case, no trailing slash.
      .transform((origins) => origins.map((origin) => (origin === '*' ? origin : normalizeOrigin(origin)!)))
      .optional(),
  ),
  /** More Host names the gateway answers for besides loopback and HOST (DNS rebinding); with keys, when set, the only ones. */
  ALLOWED_HOSTS: z.preprocess(
    emptyAsUndefined,
    list
      .refine((hosts) => hosts.every((host) => /^(\[[0-9a-f:.]+\]|[0-9a-z.-]+|[0-9a-f:.]+)$/i.test(host)), {
        error: 'must be host names or addresses without scheme or port, such as gateway.example.com, comma-separated',
      })
      .optional(),
  ),
  /** A token that opens /metrics besides the API keys (for a Prometheus scraper). */
  METRICS_TOKEN: z.preprocess(
    emptyAsUndefined,
    z
      .string()
      // Checked without echoing the value: it is a secret.
      .refine((token) => token.length >= 16, 'must be at least 16 characters long')
      .refine((token) => /^[\x21-\x7e]+$/.test(token), 'must be printable ASCII without spaces')
      .optional(),
  ),
  /** Largest cost of one operation: fields, times the page sizes of the connections they are under. */
  MAX_QUERY_COST: count(DEFAULT_QUERY_LIMITS.maxCost),
  /** Deepest nesting of fields in one operation. */
  MAX_QUERY_DEPTH: count(DEFAULT_QUERY_LIMITS.maxDepth),
  /** Most aliases in one operation (fragments included). */
  MAX_QUERY_ALIASES: count(DEFAULT_QUERY_LIMITS.maxAliases, 0),
  /** Largest HTTP request body. */
  MAX_REQUEST_BODY: size(DEFAULT_MAX_REQUEST_BODY_BYTES),
  /** Largest WebSocket frame. */
  WS_MAX_PAYLOAD: size(DEFAULT_WEBSOCKET_LIMITS.maxPayloadBytes),
  /** Time a WebSocket client has to send connection_init. */
  WS_INIT_TIMEOUT: duration(`${DEFAULT_WEBSOCKET_LIMITS.initTimeoutMs}ms`),
  /** Operations running at once on one WebSocket connection. */
  WS_MAX_SUBSCRIPTIONS_PER_CONNECTION: count(DEFAULT_WEBSOCKET_LIMITS.maxSubscriptionsPerConnection),
  /** WebSocket connections open at once with one API key (without keys: in all). */
  WS_MAX_CONNECTIONS_PER_KEY: count(DEFAULT_WEBSOCKET_LIMITS.maxConnectionsPerKey),
  /** How long change events are kept for subscribers resuming from a cursor (e.g. 7d, 12h). */
  CHANGE_EVENT_RETENTION: duration('7d'),
  /** Events a subscriber may fall behind before it is cut off (it can resume from its cursor). */
  SUBSCRIPTION_BUFFER: z.preprocess(emptyAsUndefined, z.coerce.number({ error: 'must be a whole number' }).int('must be a whole number').min(1, 'must be at least 1').default(1000)),
  /** Memory for cached query answers, in MB (kept until the mirror changes); 0 turns the cache off. */
  RESPONSE_CACHE_MB: z.preprocess(emptyAsUndefined, z.coerce.number({ error: 'must be a number' }).min(0, 'must not be negative').default(64)),
  /** What a change drops from the response cache: `type`, the answers that read its type; `mirror`, every answer. */
  RESPONSE_CACHE_SCOPE: z.preprocess(emptyAsUndefined, z.enum(['type', 'mirror'], { error: 'must be type or mirror' }).default('type')),
  /** Log level: fatal, error, warn, info, debug, trace or silent. */
  LOG_LEVEL: z.preprocess(
    emptyAsUndefined,
    z.enum(LOG_LEVELS, { error: `must be one of ${LOG_LEVELS.join(', ')}` }).default('info'),
  ),
});

export type Env = z.infer<typeof schema>;

/** The validated settings of one process. */
export interface Config {
  databaseUrl: string | undefined;
  dataDir: string;
  host: string;
  port: number;
  logLevel: (typeof LOG_LEVELS)[number];
  base: {
    apiUrl: string;
    accessToken: string | undefined;
    deviceUuid: string | undefined;
  };
  /** Keys accepted by the GraphQL API; empty: no authentication (loopback HOST only). */
  apiKeys: string[];
  /** Who may reach the server from where. */
  access: { corsOrigins: string[]; allowedHosts: string[]; metricsToken: string | undefined };
  /** What one request or connection may ask. */
  limits: { query: QueryLimits; maxRequestBodyBytes: number; websocket: WebSocketLimits };
  sync: {
    intervalMs: number;
    /** No progress for this long is a stall (STALLED, /readyz/sync 503). */
    stallMs: number;
    /** A standby takes over within about this long of the syncer's death. */
    failoverMs: number;
  };
  events: { retentionMs: number; subscriptionBuffer: number };
  /** Bytes of query answers the response cache may hold; 0: no cache. */
  responseCacheBytes: number;
  responseCacheScope: 'type' | 'mirror';
  /** The built-in upstream of demo mode (used when no access token is set). */
  simulator: { port: number; seed: number; objects: number; activityPerSecond: number };
}

/** Thrown for an invalid setting; its message is the one line printed before exiting. */
export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    reason: string,
  ) {
    super(`${variable}: ${reason}`);
    this.name = 'ConfigError';
  }
}

/** Reads and validates the settings; throws a {@link ConfigError} naming the first bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ConfigError(String(issue.path[0] ?? 'environment'), issue.message);
  }
  const e = parsed.data;
  const apiKeys = e.GATEWAY_API_KEYS ?? [];
  if (apiKeys.length === 0 && !isLoopback(e.HOST)) {
    throw new ConfigError(
      'HOST',
      `${e.HOST} is reachable from the network but GATEWAY_API_KEYS is not set: set API keys, or bind to 127.0.0.1`,
    );
  }
  const corsOrigins = e.CORS_ORIGINS ?? [];
  if (corsOrigins.includes('*') && apiKeys.length === 0) {
    throw new ConfigError('CORS_ORIGINS', 'any origin (*) lets pages of every site call the API, which needs GATEWAY_API_KEYS: set keys, or list the origins');
  }
  // A healthy sync makes progress at least once per session interval (a session that finds
  // nothing new is progress): a stall time shorter than that would always be stalled.
  if (e.SYNC_STALL_SECONDS * 1000 <= 2 * e.SYNC_INTERVAL_MS) {
    throw new ConfigError('SYNC_STALL_SECONDS', `must be more than twice SYNC_INTERVAL_MS (${e.SYNC_INTERVAL_MS} ms), or every pause between sessions would count as a stall`);
  }
  return {
    apiKeys,
    access: { corsOrigins, allowedHosts: e.ALLOWED_HOSTS ?? [], metricsToken: e.METRICS_TOKEN },
    limits: {
      query: { maxCost: e.MAX_QUERY_COST, maxDepth: e.MAX_QUERY_DEPTH, maxAliases: e.MAX_QUERY_ALIASES },
      maxRequestBodyBytes: e.MAX_REQUEST_BODY,
      websocket: {
        maxPayloadBytes: e.WS_MAX_PAYLOAD,
        initTimeoutMs: e.WS_INIT_TIMEOUT,
        maxSubscriptionsPerConnection: e.WS_MAX_SUBSCRIPTIONS_PER_CONNECTION,
        maxConnectionsPerKey: e.WS_MAX_CONNECTIONS_PER_KEY,
      },
    },
    databaseUrl: e.DATABASE_URL,
    dataDir: e.DATA_DIR,
    host: e.HOST,
    port: e.PORT,
    logLevel: e.LOG_LEVEL,
    base: { apiUrl: e.BASE_API_URL, accessToken: e.BASE_ACCESS_TOKEN, deviceUuid: e.BASE_DEVICE_UUID },
    sync: { intervalMs: e.SYNC_INTERVAL_MS, stallMs: e.SYNC_STALL_SECONDS * 1000, failoverMs: e.SYNC_FAILOVER_SECONDS * 1000 },
    events: { retentionMs: e.CHANGE_EVENT_RETENTION, subscriptionBuffer: e.SUBSCRIPTION_BUFFER },
    responseCacheBytes: Math.round(e.RESPONSE_CACHE_MB * 1024 * 1024),
    responseCacheScope: e.RESPONSE_CACHE_SCOPE,
    simulator: { port: e.SIMULATOR_PORT, seed: e.SIMULATOR_SEED, objects: e.SIMULATOR_OBJECTS, activityPerSecond: e.SIMULATOR_ACTIVITY },
  };
}
