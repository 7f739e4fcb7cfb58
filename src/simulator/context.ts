// What the simulator's HTTP handlers (the Sync API in server.ts, the control API in
// control.ts) need from the simulator around them, and the shape of a seed request.
import { z } from 'zod';
import type { Logger } from '../logger.ts';
import type { Change, ChangeResult } from './changes.ts';
import type { Faults } from './faults.ts';
import type { Activity } from './activity.ts';
import type { Queues } from './queue.ts';
import { isTypeName } from './resource-types.ts';
import type { World } from './world.ts';

/** The body of `POST /_sim/seed`. */
export const seedSchema = z
  .object({
    /** Total number of objects, spread over the types like a real account. */
    total: z.number().int().min(0).max(50_000_000).optional(),
    /** Exact per-type counts (any snake_case type name). */
    counts: z.record(z.string().refine(isTypeName, 'a snake_case type name'), z.number().int().min(0).max(50_000_000)).optional(),
    /** Seed of the generated values (default: the simulator's seed). */
    seed: z.number().int().optional(),
  })
  .strict()
  .refine((b) => b.total !== undefined || b.counts !== undefined, 'give "total" or "counts"');

export type SeedRequest = z.infer<typeof seedSchema>;

/** What the server needs from the simulator around it. */
export interface SimContext {
  readonly token: string;
  /** What the token may do: `sync` (the Sync API), `read` (REST reads such as custom field definitions). */
  readonly scopes: ReadonlySet<string>;
  readonly logger: Logger;
  /** Base of `meta.links.self` (the simulator's own URL). */
  baseUrl(): string;
  world(): World;
  queues(): Queues;
  readonly faults: Faults;
  readonly activity: Activity;
  /** Observer of every ack before it is accepted (tests check what was acked, and when). */
  readonly onAck: ((deviceUuid: string, keys: readonly string[]) => void | Promise<void>) | undefined;
  seed(request: SeedRequest): SeedResult;
  changes(changes: Change[]): ChangeResult[];
  /** Queues items given as their exact JSON text; answers the ack key each names (null: none). */
  rawItems(texts: readonly string[]): Array<{ ack_key: string | null }>;
  stats(): unknown;
  flushAcks(): void;
  /** Forgets unfinished sessions (of one device); answers how many. */
  expireSessions(deviceUuid?: string): number;
}

/** The answer of a seed: the world's live objects per type. */
export interface SeedResult {
  seed: number;
  total: number;
  counts: Record<string, number>;
}
