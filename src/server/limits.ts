// What one request or connection may ask, and the defaults (config.ts reads the settings; the
// query limits, the HTTP server and the WebSocket server enforce them).

/** The limits of one GraphQL operation (enforced by query-limits.ts). */
export interface QueryLimits {
  /** Largest cost (MAX_QUERY_COST): fields, times the page sizes of the connections they are under. */
  maxCost: number;
  /** Deepest nesting of fields (MAX_QUERY_DEPTH). */
  maxDepth: number;
  /** Most aliases (MAX_QUERY_ALIASES), fragments included. */
  maxAliases: number;
}

/** Limits that let every example (README, GraphiQL, the status page) run, and refuse pages of pages of pages. */
export const DEFAULT_QUERY_LIMITS: QueryLimits = { maxCost: 25_000, maxDepth: 12, maxAliases: 15 };

/** Largest HTTP request body by default (MAX_REQUEST_BODY), in bytes. */
export const DEFAULT_MAX_REQUEST_BODY_BYTES = 1024 * 1024;

/** Limits of WebSocket clients (enforced by websocket.ts). */
export interface WebSocketLimits {
  /** Largest frame accepted, in bytes (WS_MAX_PAYLOAD); a larger one closes the connection (1009). */
  maxPayloadBytes: number;
  /** Time a client has to send connection_init, in ms (WS_INIT_TIMEOUT); then 4408. */
  initTimeoutMs: number;
  /** Operations running at once on one connection (WS_MAX_SUBSCRIPTIONS_PER_CONNECTION); more get an error. */
  maxSubscriptionsPerConnection: number;
  /** Connections open at once with one API key, or in all when there are no keys (WS_MAX_CONNECTIONS_PER_KEY); more close with 4429. */
  maxConnectionsPerKey: number;
}

export const DEFAULT_WEBSOCKET_LIMITS: WebSocketLimits = {
  maxPayloadBytes: 64 * 1024,
  initTimeoutMs: 3_000,
  maxSubscriptionsPerConnection: 100,
  maxConnectionsPerKey: 1_000,
};
