// Fault injection: what can go wrong between a Base client and the Sync API, at configurable
// rates. Each kind of fault draws from its own seeded PRNG, so a sequential client sees the
// same faults at the same calls on every run with the same seed.
import { z } from 'zod';
import { createRng, hashString, type Rng } from './random.ts';

const rate = z.number().min(0).max(1);

/** The body of `PUT /_sim/faults` (every field optional; `{}` turns every fault off). */
export const faultsSchema = z
  .object({
    /** Seed of the fault decisions (default: the simulator's seed). */
    seed: z.number().int().optional(),
    /** Rate of `500` answers, per sync endpoint (nothing is handed out or acked by such a call). */
    serverErrors: z.object({ start: rate, queue: rate, ack: rate }).partial().strict().optional(),
    /** Rate of `429` answers (with `Retry-After`) on every sync endpoint. */
    rateLimit: rate.optional(),
    /** `Retry-After` of those `429`s, in seconds (default 1). */
    retryAfterSeconds: z.number().int().min(0).max(3600).optional(),
    /** Latency added before every sync answer, in milliseconds. */
    latencyMs: z.number().int().min(0).max(120_000).optional(),
    /** Rate of queue pages whose connection is reset halfway through the body (items count as handed out). */
    connectionReset: rate.optional(),
    /** Rate of queue pages answered `200` with a truncated, invalid JSON body (items count as handed out). */
    malformedJson: rate.optional(),
    /** Rate of `200` pages with `items: []` before the session is drained. */
    emptyPages: rate.optional(),
    /** Rate, per item, of withholding it from a page and listing it in `failed_objects` instead. */
    failedObjects: rate.optional(),
    /** Rate of deletes sent to a device that never received the object (Base does that). */
    phantomDeletes: rate.optional(),
    /** Rate of queue calls whose session is forgotten first (answered 404, as an expired session). */
    sessionExpiry: rate.optional(),
  })
  .strict();

export type FaultConfig = z.infer<typeof faultsSchema>;

export type FaultKind =
  | 'serverErrors.start'
  | 'serverErrors.queue'
  | 'serverErrors.ack'
  | 'rateLimit'
  | 'connectionReset'
  | 'malformedJson'
  | 'emptyPages'
  | 'failedObjects'
  | 'phantomDeletes'
  | 'sessionExpiry';

export interface Faults {
  /** The current configuration, as set. */
  config(): FaultConfig;
  /** Replaces the configuration (and restarts the PRNGs from its seed). */
  set(config: FaultConfig): void;
  /** Whether a fault of this kind happens now. */
  roll(kind: FaultKind): boolean;
  retryAfterSeconds(): number;
  latencyMs(): number;
  /** Faults injected so far, per kind. */
  injected(): Record<string, number>;
}

function rateOf(config: FaultConfig, kind: FaultKind): number {
  switch (kind) {
    case 'serverErrors.start':
      return config.serverErrors?.start ?? 0;
    case 'serverErrors.queue':
      return config.serverErrors?.queue ?? 0;
    case 'serverErrors.ack':
      return config.serverErrors?.ack ?? 0;
    default:
      return config[kind] ?? 0;
  }
}

export function createFaults(defaultSeed: number, initial: FaultConfig = {}): Faults {
  let config: FaultConfig = {};
  let rngs = new Map<FaultKind, Rng>();
  const injected: Record<string, number> = {};
  const faults: Faults = {
    config: () => structuredClone(config),
    set(next) {
      config = structuredClone(next);
      rngs = new Map();
    },
    roll(kind) {
      const p = rateOf(config, kind);
      if (p <= 0) return false;
      let rng = rngs.get(kind);
      if (!rng) rngs.set(kind, (rng = createRng((config.seed ?? defaultSeed) ^ hashString(kind))));
      const hit = rng.next() < p;
      if (hit) injected[kind] = (injected[kind] ?? 0) + 1;
      return hit;
    },
    retryAfterSeconds: () => config.retryAfterSeconds ?? 1,
    latencyMs: () => config.latencyMs ?? 0,
    injected: () => ({ ...injected }),
  };
  faults.set(initial);
  return faults;
}
