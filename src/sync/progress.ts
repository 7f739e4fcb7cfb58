// Progress of a sync session from total_count and count_left: the rate, the time left,
// and a log line every few seconds while a long session runs.
import cliProgress from 'cli-progress';
import type { Logger } from '../logger.ts';

/** Options for {@link createProgress}. */
export interface ProgressOptions {
  /** `total_count` at the session's start (approximate, as Base says). */
  total: number;
  /** Minimum time between two log lines. */
  intervalMs: number;
  logger: Logger;
  /** Draw a progress bar on stderr (a terminal) instead of logging lines. */
  bar?: boolean;
  now?: () => number;
}

export interface Progress {
  /** Records a committed page of `items`, with the server's `count_left` when given. */
  add(items: number, countLeft: number | undefined): void;
  /** Items per second over the session so far (null before the first page). */
  rate(): number | null;
  /** Logs the final line if anything was logged before. */
  done(): void;
}

const number = new Intl.NumberFormat('en-US');

/** `synced 12,300/45,000 (27%), 3,100 items/s, ~11 s left` */
export function formatProgress(done: number, total: number, perSecond: number | null, left: number): string {
  const shownTotal = Math.max(total, done + left);
  const percent = shownTotal === 0 ? 100 : Math.floor((done / shownTotal) * 100);
  const rate = perSecond === null ? '' : `, ${number.format(Math.round(perSecond))} items/s`;
  const eta = perSecond && left > 0 ? `, ~${number.format(Math.ceil(left / perSecond))} s left` : '';
  return `synced ${number.format(done)}/${number.format(shownTotal)} (${percent}%)${rate}${eta}`;
}

export function createProgress(options: ProgressOptions): Progress {
  const now = options.now ?? Date.now;
  const started = now();
  let done = 0;
  let left = options.total;
  let lastLog = started;
  let logged = false;
  const rate = () => {
    const seconds = (now() - started) / 1000;
    return done === 0 || seconds <= 0 ? null : done / seconds;
  };
  const line = () => formatProgress(done, options.total, rate(), left);
  const bar = options.bar
    ? new cliProgress.SingleBar(
        { format: 'sync [{bar}] {percentage}% | {value}/{total} items | {rate} items/s | ETA {eta_formatted}', stream: process.stderr, hideCursor: true, etaBuffer: 50 },
        cliProgress.Presets.shades_classic,
      )
    : undefined;
  bar?.start(options.total, 0, { rate: 0 });
  return {
    add(items, countLeft) {
      done += items;
      left = countLeft ?? Math.max(0, left - items);
      if (bar) {
        bar.setTotal(Math.max(options.total, done + left));
        bar.update(done, { rate: Math.round(rate() ?? 0) });
        return;
      }
      if (now() - lastLog >= options.intervalMs) {
        lastLog = now();
        logged = true;
        options.logger.info({ done, left, total: options.total, itemsPerSecond: rate() }, line());
      }
    },
    rate,
    done() {
      if (bar) {
        bar.update(done);
        bar.stop();
        options.logger.info({ done, itemsPerSecond: rate() }, formatProgress(done, options.total, rate(), 0));
        return;
      }
      if (logged) options.logger.info({ done, left: 0, itemsPerSecond: rate() }, formatProgress(done, options.total, rate(), 0));
    },
  };
}
