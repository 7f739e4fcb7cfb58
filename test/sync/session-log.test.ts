// A mirror kept fresh finishes a short session every second: the log gets one line a minute
// at info for them (each at debug), and a line of its own for the first and for long sessions.
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { expect, it } from 'vitest';
import { createSessionLog } from '../../src/sync/session-log.ts';

function capture() {
  const lines: Array<{ level: number; msg: string; sessions?: number; items?: number; changes?: number }> = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()));
      done();
    },
  });
  return { logger: pino({ level: 'debug' }, stream), lines, info: () => lines.filter((l) => l.level === 30).map((l) => l.msg) };
}

const session = (n: number, events = 1) => ({ session: `s${n}`, items: 2, pages: 1, events });

it('logs the first session, long ones, and a sum of the short ones once a minute', () => {
  const { logger, lines, info } = capture();
  let clock = 0;
  const log = createSessionLog({ logger, now: () => clock });

  log.finished(session(0, 5000), true);
  for (let n = 1; n <= 59; n++) {
    clock = n * 1000;
    log.finished(session(n), false);
  }
  expect(info()).toEqual(['sync session finished: 2 items, 5000 changes']);

  clock = 60_000;
  log.finished(session(60), false);
  clock = 61_000;
  log.finished(session(61, 7), true);
  expect(info()).toEqual([
    'sync session finished: 2 items, 5000 changes',
    'synced in the last 60 s: 60 sessions, 120 items, 60 changes',
    'sync session finished: 2 items, 7 changes',
  ]);
  expect(lines.filter((l) => l.level === 20)).toHaveLength(60);

  clock = 70_000;
  log.finished(session(62), false);
  log.flush();
  expect(info().at(-1)).toBe('synced in the last 10 s: 1 sessions, 2 items, 1 changes');
  log.flush();
  expect(info()).toHaveLength(4);
});
