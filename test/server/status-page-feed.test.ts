// The status page's own modules, without a browser: its change feed (feed.js) with a fake
// transport resumes from the last cursor whenever it subscribes again and ignores what a
// replaced subscription still delivers; it labels changes for people; and every operation the
// page sends (operations.js) is valid against the schema.
import { parse, validate } from 'graphql';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { schema } from '../../src/schema/index.ts';
import { createFeed, describeChange, typeLabel, type FeedEvent, type FeedSink } from '../../src/server/status-page/feed.js';
import * as operations from '../../src/server/status-page/operations.js';

interface FakeSubscription {
  variables: { after: string | null };
  sink: FeedSink;
  disposed: boolean;
}

/** A `subscribe` that records each subscription. */
function fakeTransport() {
  const subscriptions: FakeSubscription[] = [];
  const subscribe = (variables: { after: string | null }, sink: FeedSink) => {
    const sub: FakeSubscription = { variables: { ...variables }, sink, disposed: false };
    subscriptions.push(sub);
    return () => void (sub.disposed = true);
  };
  return { subscriptions, subscribe, last: () => subscriptions.at(-1)! };
}

const event = (seq: number, extra: Partial<FeedEvent> = {}): FeedEvent => ({
  cursor: String(seq),
  kind: 'CREATED',
  type: 'DEAL',
  baseId: seq * 10,
  occurredAt: new Date(0).toISOString(),
  node: { name: `Deal ${seq}` },
  ...extra,
});
const deliver = (sub: FakeSubscription, ...events: FeedEvent[]) => events.forEach((e) => sub.sink.next({ data: { changes: e } }));

describe('createFeed', () => {
  beforeEach(() => void vi.useFakeTimers());
  afterEach(() => void vi.useRealTimers());

  it('subscribes after the given cursor, or from now without one', () => {
    const t = fakeTransport();
    createFeed({ subscribe: t.subscribe, onEvent: () => {} }).start('41');
    expect(t.last().variables).toEqual({ after: '41' });
    const u = fakeTransport();
    const feed = createFeed({ subscribe: u.subscribe, onEvent: () => {} });
    feed.start();
    expect(u.last().variables).toEqual({ after: null });
    expect(feed.cursor).toBeNull();
  });

  it('hands on events in order and keeps the last cursor', () => {
    const t = fakeTransport();
    const seen: string[] = [];
    const feed = createFeed({ subscribe: t.subscribe, onEvent: (e) => seen.push(e.cursor) });
    feed.start('1');
    deliver(t.last(), event(2), event(3));
    expect(seen).toEqual(['2', '3']);
    expect(feed.cursor).toBe('3');
  });

  it('on reconnect, drops the old subscription and resumes after the last event received', () => {
    const t = fakeTransport();
    const seen: string[] = [];
    const feed = createFeed({ subscribe: t.subscribe, onEvent: (e) => seen.push(e.cursor) });
    feed.start('10');
    const first = t.last();
    deliver(first, event(11), event(12));
    feed.reconnected();
    expect(first.disposed).toBe(true);
    expect(t.subscriptions).toHaveLength(2);
    expect(t.last().variables).toEqual({ after: '12' });
    // Whatever the replaced subscription still delivers is ignored (the new one replays it).
    deliver(first, event(13));
    first.sink.complete();
    deliver(t.last(), event(13), event(14));
    expect(seen).toEqual(['11', '12', '13', '14']);
    expect(t.subscriptions).toHaveLength(2);
  });

  it('on reconnect before any event, resumes after the cursor it started from', () => {
    const t = fakeTransport();
    const feed = createFeed({ subscribe: t.subscribe, onEvent: () => {} });
    feed.start('7');
    feed.reconnected();
    expect(t.last().variables).toEqual({ after: '7' });
  });

  it('subscribes again from the last cursor after an error or the end of the stream, backing off', () => {
    const t = fakeTransport();
    const errors: unknown[] = [];
    const feed = createFeed({ subscribe: t.subscribe, onEvent: () => {}, onError: (e) => errors.push(e), retryDelay: (n) => 1000 * (n + 1) });
    feed.start('1');
    deliver(t.last(), event(2));
    t.last().sink.error(new Error('fell behind: resume after 2'));
    expect(errors).toHaveLength(1);
    expect(t.subscriptions).toHaveLength(1);
    vi.advanceTimersByTime(1000);
    expect(t.subscriptions).toHaveLength(2);
    expect(t.last().variables).toEqual({ after: '2' });

    t.last().sink.complete();
    vi.advanceTimersByTime(1999);
    expect(t.subscriptions).toHaveLength(2);
    vi.advanceTimersByTime(1);
    expect(t.last().variables).toEqual({ after: '2' });
    // An event resets the back-off.
    deliver(t.last(), event(3));
    t.last().sink.complete();
    vi.advanceTimersByTime(1000);
    expect(t.last().variables).toEqual({ after: '3' });
    expect(feed.running).toBe(true);
  });

  it('gives up on an error it must not retry (a refused API key), until started again', () => {
    const t = fakeTransport();
    const refused = { code: 4403, reason: 'Forbidden' };
    const feed = createFeed({ subscribe: t.subscribe, onEvent: () => {}, shouldRetry: (e) => e !== refused });
    feed.start('5');
    t.last().sink.error(refused);
    vi.advanceTimersByTime(60_000);
    expect(t.subscriptions).toHaveLength(1);
    expect(feed.running).toBe(false);
    feed.start();
    expect(t.subscriptions).toHaveLength(2);
    expect(t.last().variables).toEqual({ after: '5' });
  });

  it('reports GraphQL errors in a result without losing its place', () => {
    const t = fakeTransport();
    const errors: unknown[] = [];
    const feed = createFeed({ subscribe: t.subscribe, onEvent: () => {}, onError: (e) => errors.push(e) });
    feed.start('1');
    t.last().sink.next({ errors: [{ message: 'boom' }] });
    expect(errors).toEqual([[{ message: 'boom' }]]);
    expect(feed.cursor).toBe('1');
  });

  it('stops for good: disposes, ignores late callbacks, schedules nothing', () => {
    const t = fakeTransport();
    const seen: string[] = [];
    const feed = createFeed({ subscribe: t.subscribe, onEvent: (e) => seen.push(e.cursor) });
    feed.start('1');
    const sub = t.last();
    feed.stop();
    expect(sub.disposed).toBe(true);
    deliver(sub, event(2));
    sub.sink.complete();
    feed.reconnected();
    vi.advanceTimersByTime(60_000);
    expect(seen).toEqual([]);
    expect(t.subscriptions).toHaveLength(1);
  });
});

describe('describeChange', () => {
  it('names people, deals with their value, and the first words of notes', () => {
    expect(describeChange({ type: 'LEAD', node: { firstName: 'Ada', lastName: 'Lovelace', organizationName: 'Engines Ltd' } })).toBe('Ada Lovelace (Engines Ltd)');
    expect(describeChange({ type: 'LEAD', node: { organizationName: 'Engines Ltd' } })).toBe('Engines Ltd');
    expect(describeChange({ type: 'DEAL', node: { name: 'Big one', value: '1250.5', currency: 'EUR' } }, 'en-US')).toBe('Big one · €1,250.50');
    expect(describeChange({ type: 'DEAL', node: { name: 'Odd', value: '10', currency: 'NOPE' } }, 'en-US')).toBe('Odd · 10 NOPE');
    expect(describeChange({ type: 'CONTACT', node: { name: 'Grace Hopper' } })).toBe('Grace Hopper');
    expect(describeChange({ type: 'NOTE', node: { content: `Called\n\nthem ${'x'.repeat(200)}` } })).toMatch(/^Called them x+…$/);
    expect(describeChange({ type: 'NOTE', node: { content: 'x'.repeat(200) } })).toHaveLength(80);
    expect(describeChange({ type: 'CALL', node: { summary: 'Left a voicemail' } })).toBe('Left a voicemail');
    expect(describeChange({ type: 'ASSOCIATED_CONTACT', node: { role: 'influencer' } })).toBe('role: influencer');
    expect(describeChange({ type: 'ORDER', node: { dealId: 12 } })).toBe('for deal #12');
    expect(describeChange({ type: 'ORDER', node: {} })).toBe('');
    expect(describeChange({ type: 'DEAL', node: null })).toBe('');
  });

  it('labels types for people', () => {
    expect(typeLabel('LEAD_SOURCE')).toBe('Lead source');
    expect(typeLabel('ASSOCIATED_CONTACT')).toBe('Associated contact');
    expect(typeLabel('SOMETHING_NEW')).toBe('Something new');
  });
});

describe("the page's operations", () => {
  it.each(Object.entries(operations))('%s is valid against the schema', (_name, document) => {
    expect(validate(schema, parse(document)).map((e) => e.message)).toEqual([]);
  });
});
