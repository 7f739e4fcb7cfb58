// Types of feed.js (a plain ES module served to the browser as is), for the TypeScript tests.

export interface ChangeNode {
  [field: string]: unknown;
}

export interface FeedEvent {
  cursor: string;
  kind: 'CREATED' | 'UPDATED' | 'DELETED';
  type: string;
  baseId: string | number;
  occurredAt: string;
  node?: ChangeNode | null;
}

export interface FeedSink {
  next(result: { data?: { changes?: FeedEvent | null } | null; errors?: readonly unknown[] }): void;
  error(error: unknown): void;
  complete(): void;
}

export interface FeedOptions {
  /** Starts the subscription with these variables; answers a function that stops it. */
  subscribe(variables: { after: string | null }, sink: FeedSink): () => void;
  onEvent(event: FeedEvent): void;
  onError?(error: unknown): void;
  /** False: give up after this error. Default: always retry. */
  shouldRetry?(error: unknown): boolean;
  /** Milliseconds before subscribing again after the `attempt`-th failure in a row (0-based). */
  retryDelay?(attempt: number): number;
}

export interface Feed {
  start(after?: string | null): void;
  reconnected(): void;
  stop(): void;
  readonly cursor: string | null;
  readonly running: boolean;
}

export function createFeed(options: FeedOptions): Feed;
export function typeLabel(type: string): string;
export function formatMoney(value: unknown, currency?: string | null, locale?: string): string;
export function describeChange(event: Partial<FeedEvent>, locale?: string): string;
