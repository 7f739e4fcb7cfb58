// Live activity for the demo: a steady stream of creates, updates and deletes, as a sales team
// would produce. Deterministic given the seed (though the wall clock decides when each happens).
import type { Logger } from '../logger.ts';
import { createRng, hashString } from './random.ts';
import type { World } from './world.ts';

/** Types touched by activity, with weights. Structural types (users, pipelines…) stay put. */
const ACTIVITY_TYPES: ReadonlyArray<readonly [string, number]> = [
  ['lead', 15],
  ['contact', 15],
  ['deal', 20],
  ['note', 15],
  ['task', 15],
  ['call', 10],
  ['associated_contact', 3],
  ['order', 2],
  ['line_item', 4],
  ['product', 1],
];
const TICK_MS = 100;
/** Upper bound of changes per tick, so a huge rate cannot starve the server. */
const MAX_PER_TICK = 5_000;

export interface Activity {
  /** Changes per second (0 stops it). */
  setRate(perSecond: number): void;
  rate(): number;
  /** Applies `n` changes right away (what a tick does). */
  step(n: number): void;
  start(): void;
  stop(): void;
}

export function createActivity(world: () => World, seed: number, perSecond: number, logger: Logger): Activity {
  const rng = createRng(seed ^ hashString('activity'));
  const weightSum = ACTIVITY_TYPES.reduce((s, [, w]) => s + w, 0);
  let rate = Math.max(0, perSecond);
  let timer: NodeJS.Timeout | undefined;
  let budget = 0;
  let last = 0;

  const pickType = (): string => {
    let x = rng.next() * weightSum;
    for (const [type, w] of ACTIVITY_TYPES) if ((x -= w) < 0) return type;
    return 'lead';
  };

  const one = (): void => {
    const w = world();
    const type = pickType();
    const roll = rng.next();
    const id = roll < 0.35 ? null : w.pickLive(type, rng);
    const table = w.table(type);
    const h = id === null || !table ? undefined : w.handleOf(table, id);
    if (h === undefined) {
      // An associated contact needs a free (deal_id, contact_id) pair: without one, none is created.
      w.tryCreate(type, { rng });
    } else if (roll < 0.85) {
      w.update(h, w.generator.activityUpdate(type, id as number, w.payload(h), rng));
    } else {
      w.delete(h);
    }
  };

  const activity: Activity = {
    setRate(perSecond) {
      rate = Math.max(0, perSecond);
    },
    rate: () => rate,
    step(n) {
      for (let i = 0; i < n; i++) one();
    },
    start() {
      if (timer) return;
      last = Date.now();
      timer = setInterval(() => {
        const now = Date.now();
        budget = Math.min(budget + (rate * (now - last)) / 1000, MAX_PER_TICK);
        last = now;
        const n = Math.floor(budget);
        budget -= n;
        try {
          activity.step(n);
        } catch (err) {
          logger.error({ err }, 'simulator activity failed');
        }
      }, TICK_MS);
      timer.unref();
    },
    stop() {
      clearInterval(timer);
      timer = undefined;
    },
  };
  return activity;
}
