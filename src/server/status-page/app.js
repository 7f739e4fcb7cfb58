// The status page: the gateway's own GraphQL API, queried over HTTP and subscribed to over
// graphql-ws, like any client. No framework, no build step; every piece of data reaches the
// DOM through textContent (never innerHTML).
import { createClient } from '/assets/graphql-ws/client.js';
import { createChangeChart } from '/status/change-chart.js';
import { createFeed, describeChange, typeLabel } from '/status/feed.js';
import { COUNTS_QUERY, FEED_QUERY, HISTORY_QUERY, INITIAL_QUERY, STATUS_SUBSCRIPTION } from '/status/operations.js';

const KEY_STORAGE = 'base-sync-gateway.api-key';
/** Events kept in memory (to re-filter and to resume from a pause). */
const MAX_EVENTS = 500;
/** Rows of the feed in the DOM. */
const MAX_ROWS = 200;
/** Screen readers hear a summary of new changes at most this often. */
const ANNOUNCE_EVERY_MS = 5000;
const HISTORY_MINUTES = 60;
/** Sessions with fewer items get no progress bar (they are over in a second). */
const PROGRESS_MIN_ITEMS = 500;

const STATES = {
  IDLE: { key: 'idle', label: 'Idle', detail: 'Up to date; waiting for the next session.' },
  SYNCING: { key: 'syncing', label: 'Syncing', detail: 'A sync session is running.' },
  RETRYING: { key: 'retrying', label: 'Retrying', detail: 'The last attempt failed (see the error below); it is retried.' },
  STALLED: { key: 'stalled', label: 'Stalled', detail: 'No progress for a while: the mirror is going stale. The sync keeps retrying; the error below says why.' },
  ERROR: { key: 'error', label: 'Error', detail: 'Stopped by an error retrying cannot fix (see below); fix it and restart the gateway.' },
  STOPPED: { key: 'stopped', label: 'Stopped', detail: 'The syncer was stopped.' },
  NEVER_SYNCED: { key: 'never', label: 'Never synced', detail: 'No sync has run against this database yet.' },
};
const KIND_LABELS = { CREATED: 'Created', UPDATED: 'Updated', DELETED: 'Deleted' };
const CONNECTION_TEXT = {
  connecting: 'Connecting…',
  live: 'Live',
  reconnecting: 'Reconnecting…',
  auth: 'API key needed',
  offline: 'Offline',
};

const $ = (id) => document.getElementById(id);
const numbers = new Intl.NumberFormat();
const clock = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' });
const minuteClock = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
const fullDate = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });
const relative = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });

// ---------------------------------------------------------------- API key and HTTP

function apiKey() {
  try {
    return sessionStorage.getItem(KEY_STORAGE) ?? '';
  } catch {
    return '';
  }
}

function storeKey(key) {
  try {
    if (key) sessionStorage.setItem(KEY_STORAGE, key);
    else sessionStorage.removeItem(KEY_STORAGE);
  } catch {
    // Storage disabled: the key lives as long as the page.
  }
  memoryKey = key;
}
let memoryKey = apiKey();
const currentKey = () => apiKey() || memoryKey;

class AuthError extends Error {}

/** Runs a query over HTTP; throws AuthError on 401. */
async function gql(query, variables) {
  const key = currentKey();
  const res = await fetch('/graphql', {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/graphql-response+json, application/json',
      ...(key ? { authorization: `Bearer ${key}` } : {}),
    },
    body: JSON.stringify({ query, variables }),
  });
  if (res.status === 401) throw new AuthError('this gateway needs an API key');
  const body = await res.json().catch(() => null);
  if (!body) throw new Error(`the gateway answered HTTP ${res.status}`);
  if (body.errors?.length) throw new Error(body.errors.map((e) => e.message).join('; '));
  return body.data;
}

const describeError = (error) =>
  Array.isArray(error) ? error.map((e) => e?.message ?? String(e)).join('; ') : error?.message ?? (error?.code ? `closed ${error.code} ${error.reason ?? ''}`.trim() : String(error));

/** graphql-ws closes a connection it refuses with 4403 (our API keys) or 4401. */
const isAuthClose = (error) => Boolean(error) && typeof error === 'object' && (error.code === 4403 || error.code === 4401);

// ---------------------------------------------------------------- header: connection, notices, key

function setConnection(state) {
  const el = $('connection');
  if (el.dataset.state === state) return;
  el.dataset.state = state;
  $('connection-text').textContent = CONNECTION_TEXT[state];
}

function showNotice(text, kind = 'warn') {
  const el = $('notice');
  el.textContent = text;
  el.dataset.kind = kind;
  el.hidden = false;
}

function hideNotice() {
  $('notice').hidden = true;
  $('notice').textContent = '';
}

function needKey() {
  teardown();
  setConnection('auth');
  showNotice(
    currentKey()
      ? 'The API key was refused. Enter a valid key in the “API key” field at the top and press Save.'
      : 'This gateway needs an API key (GATEWAY_API_KEYS). Enter one in the “API key” field at the top and press Save.',
  );
  $('api-key').placeholder = 'Required';
  if (!lastStatus) {
    $('sync-state').dataset.state = 'unknown';
    $('sync-state').textContent = 'Unknown';
    $('chart-summary').textContent = 'No data without an API key.';
  }
  if (document.activeElement === document.body) $('api-key').focus();
}

function setupKeyForm() {
  const input = $('api-key');
  input.value = currentKey();
  $('key-form').addEventListener('submit', (event) => {
    event.preventDefault();
    storeKey(input.value.trim());
    boot();
  });
  $('key-clear').addEventListener('click', () => {
    input.value = '';
    storeKey('');
    boot();
  });
}

// ---------------------------------------------------------------- sync state

let lastStatus = null;

function timeText(iso) {
  if (!iso) return null;
  const at = new Date(iso);
  const seconds = Math.round((at.getTime() - Date.now()) / 1000);
  const abs = Math.abs(seconds);
  const ago =
    abs < 60 ? relative.format(seconds, 'second') : abs < 3600 ? relative.format(Math.round(seconds / 60), 'minute') : abs < 86400 ? relative.format(Math.round(seconds / 3600), 'hour') : relative.format(Math.round(seconds / 86400), 'day');
  const sameDay = at.toDateString() === new Date().toDateString();
  return { text: `${sameDay ? clock.format(at) : fullDate.format(at)} · ${ago}`, title: fullDate.format(at) };
}

/** Puts a <time> (or a dash) into a <dd>. */
function setTime(id, iso) {
  const dd = $(id);
  const when = timeText(iso);
  if (!when) {
    dd.textContent = '–';
    return;
  }
  const time = document.createElement('time');
  time.dateTime = iso;
  time.title = when.title;
  time.textContent = when.text;
  dd.replaceChildren(time);
}

function formatDuration(seconds) {
  if (seconds == null || !Number.isFinite(seconds)) return '–';
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${Math.floor(s / 3600)} h ${Math.round((s % 3600) / 60)} min`;
}

const count = (value) => (value == null ? '–' : numbers.format(Number(value)));

function renderStatus(status) {
  lastStatus = status;
  const state = STATES[status.state] ?? { key: 'unknown', label: String(status.state).toLowerCase(), detail: '' };
  const badge = $('sync-state');
  badge.dataset.state = state.key;
  badge.textContent = state.label;
  $('sync-detail').textContent = state.detail;
  $('device-uuid').textContent = status.deviceUuid ?? '–';
  setTime('session-started', status.sessionStartedAt);
  setTime('session-finished', status.sessionFinishedAt);
  setTime('last-success', status.lastSuccessAt);
  setTime('last-progress', status.lastProgressAt);
  $('items-synced').textContent = count(status.itemsSynced);

  // The progress bar is for long sessions (an initial sync, a big catch-up), not the second-long ones in between.
  const sessionSize = Number(status.itemsSynced ?? 0) + Number(status.countLeft ?? 0);
  const syncing = status.state === 'SYNCING' && status.countLeft != null && (sessionSize >= PROGRESS_MIN_ITEMS || (status.secondsLeft ?? 0) >= 5);
  $('progress-block').hidden = !syncing;
  if (syncing) {
    const progress = status.progress ?? 0;
    $('sync-progress').value = progress;
    $('sync-progress').textContent = `${Math.floor(progress * 100)}%`;
    $('progress-percent').textContent = `${Math.floor(progress * 100)}%`;
    $('items-done').textContent = count(status.itemsSynced);
    $('items-left').textContent = count(status.countLeft);
    $('items-rate').textContent = status.itemsPerSecond == null ? '–' : `${numbers.format(Math.round(status.itemsPerSecond))} items/s`;
    $('time-left').textContent = formatDuration(status.secondsLeft);
  }

  const pending = status.failedObjectsPending ?? 0;
  const failed = status.failedObjects ?? [];
  $('failed-summary').hidden = pending === 0;
  $('failed-summary').textContent =
    pending === 0 ? '' : `${numbers.format(pending)} object${pending === 1 ? '' : 's'} Base could not read ${pending === 1 ? 'is' : 'are'} pending${pending > failed.length ? ` (the first ${failed.length} below)` : ''}.`;
  $('failed-list').replaceChildren(
    ...failed.map((f) => {
      const li = document.createElement('li');
      const when = timeText(f.firstReportedAt);
      li.textContent = `${typeLabel(String(f.type).toUpperCase())} #${f.baseId}${when ? `, reported ${when.text}` : ''}`;
      return li;
    }),
  );
  const rejected = status.rejectedItems ?? 0;
  $('rejected-summary').hidden = rejected === 0;
  $('rejected-summary').textContent =
    rejected === 0 ? '' : `${numbers.format(rejected)} item${rejected === 1 ? '' : 's'} could not be stored and ${rejected === 1 ? 'is' : 'are'} kept whole as rejected (query rejectedItems).`;
  $('last-error-block').hidden = !status.lastError;
  $('last-error').textContent = status.lastError ?? '';
  const errorAt = timeText(status.lastErrorAt);
  $('last-error-at').textContent = errorAt ? `(${errorAt.text})` : '';
  $('problems').hidden = pending === 0 && rejected === 0 && !status.lastError;
}

// ---------------------------------------------------------------- mirror table

const countCells = new Map();

function renderCounts(rows) {
  const body = $('counts-body');
  let live = 0;
  let deleted = 0;
  for (const row of rows) {
    live += row.live;
    deleted += row.deleted;
    let cells = countCells.get(row.type);
    if (!cells) {
      const tr = document.createElement('tr');
      const th = document.createElement('th');
      th.scope = 'row';
      th.textContent = typeLabel(row.type);
      const liveCell = document.createElement('td');
      const deletedCell = document.createElement('td');
      liveCell.className = deletedCell.className = 'num';
      tr.dataset.type = row.type;
      tr.append(th, liveCell, deletedCell);
      body.append(tr);
      cells = { live: liveCell, deleted: deletedCell, first: true };
      countCells.set(row.type, cells);
    }
    setCount(cells.live, row.live, cells.first);
    setCount(cells.deleted, row.deleted, cells.first);
    cells.first = false;
  }
  $('total-live').textContent = numbers.format(live);
  $('total-deleted').textContent = numbers.format(deleted);
  $('mirror-updated').textContent = `updated ${clock.format(new Date())}`;
}

function setCount(cell, value, first) {
  const text = numbers.format(value);
  if (cell.textContent === text) return;
  cell.textContent = text;
  cell.classList.toggle('zero', value === 0);
  if (first) return;
  // Restart the highlight.
  cell.classList.remove('changed');
  void cell.offsetWidth;
  cell.classList.add('changed');
}

let countsTimer = null;

/** Refreshes the counts at most every 5 s while changes arrive: each refresh counts every table. */
function scheduleCounts() {
  if (countsTimer) return;
  const mine = session;
  countsTimer = setTimeout(async () => {
    try {
      const data = await gql(COUNTS_QUERY);
      if (mine === session) renderCounts(data.mirrorCounts);
    } catch (error) {
      if (error instanceof AuthError) needKey();
    } finally {
      countsTimer = null;
    }
  }, 5000);
}

// ---------------------------------------------------------------- live feed

/** Newest first. */
let events = [];
/** Received but not yet drawn (oldest first). */
let incoming = [];
let paused = false;
let missedWhilePaused = 0;
let unannounced = [];
let flushQueued = false;

function filters() {
  const type = $('type-filter').value;
  const kinds = new Set([...document.querySelectorAll('input[name="kind"]:checked')].map((box) => box.value));
  return (event) => (!type || event.type === type) && kinds.has(event.kind);
}

function fillTypeFilter(rows) {
  const select = $('type-filter');
  if (select.options.length > 1) return;
  const types = rows.map((r) => r.type).sort((a, b) => typeLabel(a).localeCompare(typeLabel(b)));
  for (const type of types) select.append(new Option(typeLabel(type), type));
}

function rowOf(event) {
  const li = document.createElement('li');
  const kind = document.createElement('span');
  kind.className = 'kind';
  kind.dataset.kind = event.kind;
  kind.textContent = KIND_LABELS[event.kind] ?? event.kind;
  const type = document.createElement('span');
  type.className = 'type';
  type.textContent = typeLabel(event.type);
  const text = describeChange(event);
  const label = document.createElement('span');
  label.className = text ? 'label' : 'label none';
  label.textContent = text || 'no name';
  if (text) label.title = text;
  const id = document.createElement('span');
  id.className = 'id';
  id.textContent = `#${event.baseId}`;
  const time = document.createElement('time');
  const at = new Date(event.occurredAt);
  time.dateTime = event.occurredAt;
  time.title = fullDate.format(at);
  time.textContent = clock.format(at);
  li.append(kind, type, label, id, time);
  return li;
}

function receive(event) {
  events.unshift(event);
  if (events.length > MAX_EVENTS) events.length = MAX_EVENTS;
  chart.count(event);
  scheduleCounts();
  if (paused) {
    missedWhilePaused++;
    updateFeedStatus();
    return;
  }
  incoming.push(event);
  if (incoming.length > MAX_ROWS) incoming.splice(0, incoming.length - MAX_ROWS);
  if (!flushQueued) {
    flushQueued = true;
    requestAnimationFrame(flush);
  }
}

function flush() {
  flushQueued = false;
  const list = $('feed');
  const matches = filters();
  const batch = incoming.filter(matches);
  incoming = [];
  // Highlight arrivals one by one, not a flood.
  const fresh = batch.length <= 3;
  for (const event of batch) {
    const row = rowOf(event);
    if (fresh) row.classList.add('fresh');
    list.prepend(row);
  }
  while (list.childElementCount > MAX_ROWS) list.lastElementChild.remove();
  unannounced.push(...batch);
  updateFeedStatus();
}

/** Redraws the feed from memory (after a filter change or a resume). */
function renderFeed() {
  incoming = [];
  const matches = filters();
  $('feed').replaceChildren(...events.filter(matches).slice(0, MAX_ROWS).map(rowOf));
  updateFeedStatus();
}

function updateFeedStatus() {
  const shown = $('feed').childElementCount;
  const empty = $('feed-empty');
  empty.hidden = shown > 0;
  empty.textContent = events.length
    ? 'No change matches these filters yet.'
    : 'Waiting for changes… Anything created, updated or deleted in Base shows up here as it is mirrored.';
  const pause = $('pause');
  pause.textContent = paused ? (missedWhilePaused ? `Resume (${numbers.format(missedWhilePaused)} new)` : 'Resume') : 'Pause';
  $('feed-count').textContent = paused ? `paused · ${numbers.format(missedWhilePaused)} new` : `${numbers.format(shown)} shown · newest first`;
}

/** Tells screen readers what arrived, at most every few seconds, instead of every row. */
function announce() {
  if (paused || unannounced.length === 0) return;
  const latest = unannounced.at(-1);
  const what = `${KIND_LABELS[latest.kind] ?? latest.kind} ${typeLabel(latest.type).toLowerCase()} ${describeChange(latest)}`.trim();
  $('feed-announcer').textContent = unannounced.length === 1 ? `New change: ${what}.` : `${unannounced.length} new changes. Latest: ${what}.`;
  unannounced = [];
}

function setupFeedControls() {
  $('type-filter').addEventListener('change', renderFeed);
  for (const box of document.querySelectorAll('input[name="kind"]')) box.addEventListener('change', renderFeed);
  $('filters').addEventListener('submit', (event) => event.preventDefault());
  $('pause').addEventListener('click', () => {
    paused = !paused;
    // The label says what the button does next (Pause / Resume), so no aria-pressed as well.
    $('pause').toggleAttribute('data-paused', paused);
    if (!paused) {
      missedWhilePaused = 0;
      unannounced = [];
      renderFeed();
    }
    updateFeedStatus();
  });
  setInterval(announce, ANNOUNCE_EVERY_MS);
  updateFeedStatus();
}

// ---------------------------------------------------------------- chart

const chart = createChangeChart({ canvas: $('chart'), summary: $('chart-summary'), minutes: HISTORY_MINUTES, numbers, clock: minuteClock });

/**
 * Moves the chart on to the current minute, reloading the history from the server: it stays
 * right even while the feed lags behind (a large initial sync), as events up to the history's
 * cursor are not counted twice.
 */
async function rollChart() {
  if (!chart.roll() || !feed?.running) return;
  const mine = session;
  try {
    const data = await gql(HISTORY_QUERY, { minutes: HISTORY_MINUTES });
    if (mine === session) chart.setHistory(data.changeHistory, data.latestChangeCursor);
  } catch (error) {
    if (error instanceof AuthError) needKey();
  }
}

// ---------------------------------------------------------------- connection

/** Bumped on every (re)start: callbacks of an older one are ignored. */
let session = 0;
let client = null;
let feed = null;
let stopStatus = () => {};
let retryTimer = null;

function teardown() {
  session++;
  clearTimeout(retryTimer);
  feed?.stop();
  stopStatus();
  stopStatus = () => {};
  client?.dispose();
  client = null;
}

function connect(mine, cursor) {
  const key = currentKey();
  const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/graphql`;
  const current = () => mine === session;
  const ws = createClient({
    url,
    connectionParams: key ? { authorization: `Bearer ${key}` } : {},
    // Keep trying for as long as the page is open (a refused key is the exception).
    retryAttempts: Infinity,
    shouldRetry: (error) => !isAuthClose(error),
    retryWait: (retries) => new Promise((resolve) => setTimeout(resolve, Math.min(15_000, 500 * 2 ** retries) * (0.75 + Math.random() / 2))),
    keepAlive: 20_000,
    on: {
      connecting: (isRetry) => current() && setConnection(isRetry ? 'reconnecting' : 'connecting'),
      connected: (_socket, _payload, wasRetry) => {
        if (!current()) return;
        setConnection('live');
        hideNotice();
        if (wasRetry) {
          // graphql-ws would re-send the subscription as first sent: resume from the last cursor instead.
          feed?.reconnected();
          scheduleCounts();
        }
      },
      closed: (event) => {
        if (!current()) return;
        if (isAuthClose(event)) needKey();
        else setConnection('reconnecting');
      },
    },
  });
  client = ws;

  feed = createFeed({
    subscribe: (variables, sink) => ws.subscribe({ query: FEED_QUERY, variables }, sink),
    onEvent: receive,
    onError: (error) => {
      if (!current()) return;
      if (isAuthClose(error)) needKey();
      else console.warn(`change feed interrupted (${describeError(error)}); resuming from the last cursor`);
    },
    shouldRetry: (error) => !isAuthClose(error),
  });
  feed.start(cursor);

  const subscribeStatus = () => {
    stopStatus = ws.subscribe(
      { query: STATUS_SUBSCRIPTION },
      {
        next: (result) => current() && result.data?.syncStatus && renderStatus(result.data.syncStatus),
        error: (error) => {
          if (!current()) return;
          if (isAuthClose(error)) needKey();
          else retryTimer = setTimeout(() => current() && subscribeStatus(), 3000);
        },
        complete: () => {
          if (current()) retryTimer = setTimeout(() => current() && subscribeStatus(), 3000);
        },
      },
    );
  };
  subscribeStatus();
}

/** Loads everything and goes live; called at start and when the key changes. */
async function boot() {
  const resumeFrom = feed?.cursor ?? null;
  teardown();
  const mine = session;
  setConnection('connecting');
  try {
    const data = await gql(INITIAL_QUERY, { minutes: HISTORY_MINUTES });
    if (mine !== session) return;
    hideNotice();
    renderStatus(data.syncStatus);
    renderCounts(data.mirrorCounts);
    fillTypeFilter(data.mirrorCounts);
    chart.setHistory(data.changeHistory, data.latestChangeCursor);
    // From now on (the latest cursor), or, when restarting, from the last event received.
    connect(mine, resumeFrom ?? data.latestChangeCursor);
  } catch (error) {
    if (mine !== session) return;
    if (error instanceof AuthError) return needKey();
    setConnection('offline');
    showNotice(`Cannot reach the gateway (${error.message}). Trying again in a few seconds…`, 'error');
    retryTimer = setTimeout(() => mine === session && boot(), 5000);
  }
}

setupKeyForm();
setupFeedControls();
setInterval(() => {
  rollChart();
  if (lastStatus) renderStatus(lastStatus);
}, 15_000);
matchMedia('(prefers-color-scheme: dark)').addEventListener('change', () => chart.recolour());
boot();
