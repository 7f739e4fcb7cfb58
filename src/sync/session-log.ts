// What finished sessions say in the log. A mirror kept fresh runs a short session every second or
// so (demo mode, a busy account): each is logged at debug, and their sum once a minute at info.
// The first session of a process and long ones (an initial sync, a big catch-up) get their own
// line at info.
import type { Logger } from '../logger.ts';

/** Options for {@link createSessionLog}. */
export interface SessionLogOptions {
  logger: Logger;
  /** How often short sessions are summed up at info (default a minute). */
  intervalMs?: number;
  /** The clock (tests). */
  now?: () => number;
}

/** A finished session, as logged. */
export interface FinishedSession {
  session: string;
  items: number;
  pages: number;
  events: number;
}

export interface SessionLog {
  /** Logs a finished session; `long`: it announced many items (logged at info on its own). */
  finished(summary: FinishedSession, long: boolean): void;
  /** Logs the sum of the short sessions not summed up yet, if any (at shutdown). */
  flush(): void;
}

export function createSessionLog({ logger, intervalMs = 60_000, now = Date.now }: SessionLogOptions): SessionLog {
  let first = true;
  let since = now();
  let sum = { sessions: 0, items: 0, changes: 0 };

  function flush(): void {
    if (sum.sessions > 0) {
      const { sessions, items, changes } = sum;
      const seconds = Math.round((now() - since) / 1000);
      logger.info({ sessions, items, changes, seconds }, `synced in the last ${seconds} s: ${sessions} sessions, ${items} items, ${changes} changes`);
    }
    sum = { sessions: 0, items: 0, changes: 0 };
    since = now();
  }

  return {
    finished(summary, long) {
      const message = `sync session finished: ${summary.items} items, ${summary.events} changes`;
      if (long || first) {
        first = false;
        logger.info(summary, message);
        return;
      }
      logger.debug(summary, message);
      sum.sessions += 1;
      sum.items += summary.items;
      sum.changes += summary.events;
      if (now() - since >= intervalMs) flush();
    },
    flush,
  };
}
