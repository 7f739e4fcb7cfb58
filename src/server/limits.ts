// What one request may ask, and the defaults (config.ts reads the settings; the query limits
// enforce them).

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
