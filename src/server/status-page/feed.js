// The status page's live change feed, without the DOM or the transport: it keeps the cursor of
// the last event received and, whenever the subscription has to start again (the WebSocket
// reconnected, or the server ended it), subscribes anew with `after: <that cursor>`, so no
// change is missed and none is seen twice. Plus the short label shown for each change.
// A plain ES module (no build step): the page imports it, and so do the tests. The subscription
// it runs is FEED_QUERY in operations.js.

const defaultDelay = (attempt) => Math.min(30_000, 1000 * 2 ** attempt);

/**
 * A resumable subscription to `changes`.
 *
 * @param {object} options
 * @param {(variables: { after: string | null }, sink: { next(result: any): void, error(error: unknown): void, complete(): void }) => () => void} options.subscribe
 *   Starts the subscription (e.g. graphql-ws's `client.subscribe` with FEED_QUERY of operations.js); answers a function that stops it.
 * @param {(event: any) => void} options.onEvent Called with each change, in order.
 * @param {(error: unknown) => void} [options.onError] Called when the subscription failed (it is retried unless `shouldRetry` says no).
 * @param {(error: unknown) => boolean} [options.shouldRetry] False: give up after this error (e.g. a refused API key). Default: always retry.
 * @param {(attempt: number) => number} [options.retryDelay] Milliseconds before subscribing again after the `attempt`-th failure in a row (0-based).
 */
export function createFeed(options) {
  const { subscribe, onEvent, onError = () => {}, shouldRetry = () => true, retryDelay = defaultDelay } = options;
  /** @type {string | null} */
  let cursor = null;
  let generation = 0;
  let dispose = () => {};
  let timer;
  let failures = 0;
  let running = false;

  function open() {
    clearTimeout(timer);
    dispose();
    const mine = ++generation;
    // Callbacks of a subscription replaced since are ignored: its events are replayed by the new one.
    const current = () => running && mine === generation;
    dispose = subscribe(
      { after: cursor },
      {
        next(result) {
          if (!current()) return;
          if (result?.errors?.length) {
            onError(result.errors);
            return;
          }
          const event = result?.data?.changes;
          if (!event) return;
          failures = 0;
          cursor = event.cursor;
          onEvent(event);
        },
        error(error) {
          if (!current()) return;
          onError(error);
          if (shouldRetry(error)) later();
          else running = false;
        },
        // The server ended the stream (or the transport gave up): start again where we are.
        complete() {
          if (current()) later();
        },
      },
    );
  }

  function later() {
    dispose = () => {};
    generation++;
    timer = setTimeout(() => running && open(), retryDelay(failures++));
  }

  return {
    /** Starts the feed after `after` (a cursor, e.g. `latestChangeCursor`), or from now when null. */
    start(after = null) {
      cursor = after ?? cursor;
      running = true;
      failures = 0;
      open();
    },
    /** The transport reconnected: subscribes again from the last cursor (the old subscription is dropped). */
    reconnected() {
      if (running) open();
    },
    /** Stops for good (until `start`). */
    stop() {
      running = false;
      clearTimeout(timer);
      generation++;
      const stop = dispose;
      dispose = () => {};
      stop();
    },
    /** The cursor of the last event received (null before the first, unless started after one). */
    get cursor() {
      return cursor;
    },
    get running() {
      return running;
    },
  };
}

/** "LEAD_SOURCE" → "Lead source" (any type, known or not). */
export function typeLabel(type) {
  const words = String(type).toLowerCase().replaceAll('_', ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** Money as the reader's locale writes it: "€1,250.50" (or "1250.50 XYZ" for an unknown currency). */
export function formatMoney(value, currency, locale) {
  if (value == null || value === '') return '';
  const amount = Number(value);
  if (!Number.isFinite(amount)) return String(value);
  if (currency) {
    try {
      return new Intl.NumberFormat(locale, { style: 'currency', currency }).format(amount);
    } catch {
      return `${value} ${currency}`;
    }
  }
  return new Intl.NumberFormat(locale, { maximumFractionDigits: 2 }).format(amount);
}

const clip = (text, max = 80) => {
  const flat = String(text).replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
};

/** A short label for a change: the lead's name, the deal's name and value, a note's first words… ('' when there is nothing to show). */
export function describeChange(event, locale) {
  const node = event?.node ?? {};
  switch (event?.type) {
    case 'LEAD': {
      const person = [node.firstName, node.lastName].filter(Boolean).join(' ');
      return clip(person && node.organizationName ? `${person} (${node.organizationName})` : person || node.organizationName || '');
    }
    case 'DEAL': {
      const money = formatMoney(node.value, node.currency, locale);
      return clip([node.name, money].filter(Boolean).join(' · '));
    }
    case 'NOTE':
    case 'TASK':
      return clip(node.content ?? '');
    case 'CALL':
      return clip(node.summary ?? '');
    case 'ORDER':
      return node.dealId == null ? '' : `for deal #${node.dealId}`;
    case 'ASSOCIATED_CONTACT':
      return clip(node.role ? `role: ${node.role}` : '');
    default:
      return clip(node.name ?? '');
  }
}
