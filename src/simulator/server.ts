// The simulator's HTTP server: the Base Sync API plus a control API, on one port.
//
// Sync API (as https://api.getbase.com; every call needs `Authorization: Bearer <token>` and
// `X-Basecrm-Device-UUID: <uuid>`):
//   POST /v2/sync/start                  201 session (or 204: nothing to sync)
//   GET  /v2/sync/{session}/queues/main  200 page, 204 when drained (404 unknown/expired session)
//   POST /v2/sync/ack                    202, empty body; body {"data":{"ack_keys":[...]}}
// Errors use Base's envelope: {"errors":[{"error":{code,message,details,resource,field},"meta":{}}],
// "meta":{"http_status":"401 Unauthorized","logref":"…"}}: 401 bad token, 400 missing or malformed
// device UUID or invalid JSON, 422 ack body of the wrong shape, 404 unknown route or session.
// Sync calls need a token with the `sync` scope (403 otherwise).
//
// REST API (read scope; a token with only `sync` gets 403):
//   GET  /v2/{lead|contact|deal}/custom_fields?page=1&per_page=25   the account's custom field
//                       definitions: {"items":[{"data":{id,name,type,resource_type,…},"meta":{"type":"custom_field"}}],
//                       "meta":{"type":"collection","count":N,"links":{"self":…,"next_page"?:…}}}
// At most `maxSessions` (100) unfinished sessions: one more `start` gets `429` with code
// `too_many_sessions` and `Retry-After` (seconds until the oldest idle session expires); Base
// documents the limit, not the answer, and 429 is what its clients are told to retry on.
//
// Control API (same port, same bearer token, JSON in and out, errors in the same envelope):
//   POST /_sim/seed     {"total":N} or {"counts":{"lead":100,...}}, optional "seed": replaces the
//                       world (devices and sessions are forgotten) → {"seed","total","counts"}
//   POST /_sim/changes  [{"op":"create"|"update"|"delete","type":"lead","id"?:N,"data"?:{...}}]
//                       all or nothing → [{"type","id","revision"}] (revision 0 for a delete);
//                       422 listing the changes that name a missing (or, for create, existing) object
//   POST /_sim/items    {"items":["<an item's exact JSON text>", ...]}: served as given, byte for byte
//                       (ids past 2^53, odd values), to every device until it acks the key the text
//                       names → [{"ack_key"}] (null: it names none; it is then served every session)
//   GET  /_sim/objects  ?type=lead&limit=1000&cursor=… → {"items":[{"type","id","revision","data"}],
//                       "next_cursor"} ; ?format=ndjson (or Accept: application/x-ndjson) streams
//                       every live object as NDJSON
//   GET  /_sim/faults   the current faults;  PUT /_sim/faults {...} replaces them ({} = none), see
//                       faults.ts: serverErrors{start,queue,ack}, rateLimit, retryAfterSeconds,
//                       latencyMs, connectionReset, malformedJson, emptyPages, failedObjects,
//                       phantomDeletes, sessionExpiry (rates 0..1), seed
//   GET  /_sim/stats    counters: sessions, pages, items (re)delivered, acks received/processed…
//   GET|PUT /_sim/activity  {"perSecond":N}: live creates/updates/deletes per second
//   POST /_sim/acks/flush   apply acks still waiting for their background delay → 204
//   POST /_sim/custom_fields {"resource_type":"deal","name":"…","type":"number",…}: defines a new
//                       custom field → the definition (409 when the name is taken)
//   POST /_sim/sessions/expire  {} or {"device":uuid}: forget unfinished sessions (their queue
//                       answers 404, as after an expiry) → {"expired":N}
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { bearerMatches } from './auth.ts';
import { handleControl } from './control.ts';
import type { SimContext } from './context.ts';
import { JSON_TYPE, readJson, sendEmpty, sendError, sendJson } from './envelope.ts';
import type { CustomFieldResource } from './custom-fields.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const QUEUE_PATH = /^\/v2\/sync\/([^/]+)\/queues\/main\/?$/;
const CUSTOM_FIELDS_PATH = /^\/v2\/(lead|contact|deal)\/custom_fields\/?$/;
const ackSchema = z.object({ data: z.object({ ack_keys: z.array(z.string().max(256)).max(100_000) }) });

function methodNotAllowed(res: ServerResponse, allow: string): void {
  sendError(res, 405, { code: 'method_not_allowed', message: `Use ${allow}.` }, { Allow: allow });
}

/** Sync faults common to every endpoint; true when one answered the request. */
async function injectedFault(ctx: SimContext, res: ServerResponse, endpoint: 'start' | 'queue' | 'ack'): Promise<boolean> {
  const latency = ctx.faults.latencyMs();
  if (latency > 0) await sleep(latency);
  if (ctx.faults.roll('rateLimit')) {
    const retryAfter = ctx.faults.retryAfterSeconds();
    sendError(res, 429, { code: 'rate_limit_exceeded', message: 'Too many requests.', details: `Retry after ${retryAfter} s.` }, { 'Retry-After': String(retryAfter) });
    return true;
  }
  if (ctx.faults.roll(`serverErrors.${endpoint}`)) {
    sendError(res, 500, { code: 'internal_server_error', message: 'Something went wrong on our side.', resource: 'sync' });
    return true;
  }
  return false;
}

function startSession(ctx: SimContext, res: ServerResponse, device: string): void {
  const result = ctx.queues().start(device);
  if (result.kind === 'empty') return sendEmpty(res, 204);
  if (result.kind === 'too_many_sessions') {
    return sendError(
      res,
      429,
      { code: 'too_many_sessions', message: 'The limit of active synchronization sessions is reached.', details: `Finish or let a session expire; retry after ${result.retryAfterSeconds} s.`, resource: 'sync_session' },
      { 'Retry-After': String(result.retryAfterSeconds) },
    );
  }
  sendJson(res, 201, {
    data: {
      id: result.sessionId,
      queues: [
        {
          data: { name: 'main', pages: result.pages, total_count: result.totalCount },
          meta: { type: 'sync_queue', links: { self: `${ctx.baseUrl()}/v2/sync/${result.sessionId}/queues/main` } },
        },
      ],
    },
    meta: { type: 'sync_session' },
  });
}

function servePage(ctx: SimContext, res: ServerResponse, sessionId: string, device: string): void {
  const result = ctx.queues().page(sessionId, device);
  if (result.kind === 'not_found') {
    return sendError(res, 404, { code: 'not_found', message: 'No such synchronization session (unknown, expired or of another device).', resource: 'sync_session' });
  }
  if (result.kind === 'done') return sendEmpty(res, 204);
  const meta = { type: 'collection', count: result.items.length, count_left: result.countLeft, failed_objects: result.failedObjects };
  // Raw items go into the page as their exact text (JSON.stringify would round their numbers).
  const text = result.items.some((i) => typeof i === 'string')
    ? `{"items":[${result.items.map((i) => (typeof i === 'string' ? i : JSON.stringify(i))).join(',')}],"meta":${JSON.stringify(meta)}}`
    : JSON.stringify({ items: result.items, meta });
  if (ctx.faults.roll('connectionReset')) {
    // Headers promise the whole body; half of it arrives, then the connection is reset.
    const bytes = Buffer.from(text);
    res.writeHead(200, { 'Content-Type': JSON_TYPE, 'Content-Length': bytes.length });
    res.write(bytes.subarray(0, bytes.length >> 1), () => res.socket?.destroy());
    return;
  }
  if (ctx.faults.roll('malformedJson')) {
    const cut = text.slice(0, Math.max(1, text.length >> 1));
    res.writeHead(200, { 'Content-Type': JSON_TYPE, 'Content-Length': Buffer.byteLength(cut) });
    res.end(cut);
    return;
  }
  res.writeHead(200, { 'Content-Type': JSON_TYPE, 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

async function receiveAck(ctx: SimContext, req: IncomingMessage, res: ServerResponse, device: string): Promise<void> {
  const body = await readJson(req, res, 16 * 1024 * 1024);
  if (!body) return;
  const parsed = ackSchema.safeParse(body.value);
  if (!parsed.success) {
    return sendError(res, 422, { code: 'invalid', message: 'The body must be {"data":{"ack_keys":[string, ...]}}.', details: parsed.error.issues[0]?.message ?? '', resource: 'ack', field: 'ack_keys' });
  }
  if (await injectedFault(ctx, res, 'ack')) return;
  await ctx.onAck?.(device, parsed.data.data.ack_keys);
  ctx.queues().ack(device, parsed.data.data.ack_keys);
  sendEmpty(res, 202);
}

async function handleSync(ctx: SimContext, req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
  const method = req.method ?? 'GET';
  const queueMatch = QUEUE_PATH.exec(path);
  const route = path === '/v2/sync/start' || path === '/v2/sync/start/' ? 'start' : path === '/v2/sync/ack' || path === '/v2/sync/ack/' ? 'ack' : queueMatch ? 'queue' : undefined;
  if (route === undefined) return sendError(res, 404, { code: 'not_found', message: `No route ${method} ${path}.` });
  const expected = route === 'queue' ? 'GET' : 'POST';
  if (method !== expected) return methodNotAllowed(res, expected);

  if (!ctx.scopes.has('sync')) return forbidden(res, 'sync');
  const device = req.headers['x-basecrm-device-uuid'];
  if (typeof device !== 'string' || device.trim() === '') {
    return sendError(res, 400, { code: 'missing_header', message: 'The X-Basecrm-Device-UUID header is required.', field: 'X-Basecrm-Device-UUID' });
  }
  if (!UUID.test(device.trim())) {
    return sendError(res, 400, { code: 'invalid_header', message: 'X-Basecrm-Device-UUID must be a UUID.', field: 'X-Basecrm-Device-UUID' });
  }
  const deviceId = device.trim().toLowerCase();

  if (route === 'ack') return receiveAck(ctx, req, res, deviceId);
  if (await injectedFault(ctx, res, route)) return;
  if (route === 'start') return startSession(ctx, res, deviceId);
  return servePage(ctx, res, decodeURIComponent(queueMatch?.[1] ?? ''), deviceId);
}

function forbidden(res: ServerResponse, scope: string): void {
  sendError(res, 403, { code: 'forbidden', message: `The access token lacks the ${scope} scope.`, details: `Use a token with the ${scope} scope.` });
}

const PER_PAGE_DEFAULT = 25;
const PER_PAGE_MAX = 100;

/** GET /v2/{type}/custom_fields: the definitions, a page at a time, in the REST envelope. */
function serveCustomFields(ctx: SimContext, req: IncomingMessage, res: ServerResponse, url: URL, resource: CustomFieldResource): void {
  if ((req.method ?? 'GET') !== 'GET') return methodNotAllowed(res, 'GET');
  if (!ctx.scopes.has('read')) return forbidden(res, 'read');
  const number = (name: string, fallback: number, max: number): number | undefined => {
    const text = url.searchParams.get(name);
    const n = text === null ? fallback : Number(text);
    return Number.isInteger(n) && n >= 1 && n <= max ? n : undefined;
  };
  const page = number('page', 1, 1_000_000);
  const perPage = number('per_page', PER_PAGE_DEFAULT, PER_PAGE_MAX);
  if (page === undefined || perPage === undefined) {
    return sendError(res, 400, { code: 'invalid', message: `page must be a whole number >= 1 and per_page one in 1..${PER_PAGE_MAX}`, field: page === undefined ? 'page' : 'per_page' });
  }
  const all = ctx.world().customFieldDefinitions(resource);
  const items = all.slice((page - 1) * perPage, page * perPage);
  const self = `${ctx.baseUrl()}/v2/${resource}/custom_fields?page=${page}&per_page=${perPage}`;
  const next = page * perPage < all.length ? `${ctx.baseUrl()}/v2/${resource}/custom_fields?page=${page + 1}&per_page=${perPage}` : undefined;
  sendJson(res, 200, {
    items: items.map((data) => ({ data, meta: { type: 'custom_field' } })),
    meta: { type: 'collection', count: items.length, links: { self, ...(next ? { next_page: next } : {}) } },
  });
}

async function handle(ctx: SimContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://simulator');
  if (!bearerMatches(req.headers.authorization, ctx.token)) {
    // Drain the body so that keep-alive connections stay usable.
    req.resume();
    return sendError(res, 401, { code: 'unauthorized', message: 'Unauthorized', details: 'Send Authorization: Bearer <token> with a valid access token.' });
  }
  if (url.pathname === '/_sim' || url.pathname.startsWith('/_sim/')) return handleControl(ctx, req, res, url);
  const customFields = CUSTOM_FIELDS_PATH.exec(url.pathname);
  if (customFields) return serveCustomFields(ctx, req, res, url, customFields[1] as CustomFieldResource);
  return handleSync(ctx, req, res, url.pathname);
}

/** A `node:http` server answering the Sync API and the control API. */
export function createSimServer(ctx: SimContext): Server {
  const server = createServer((req, res) => {
    ctx.logger.debug({ method: req.method, url: req.url }, 'simulator request');
    handle(ctx, req, res).catch((err: unknown) => {
      ctx.logger.error({ err }, 'simulator request failed');
      if (!res.headersSent) sendError(res, 500, { code: 'internal_server_error', message: 'Unexpected simulator error.' });
      else res.destroy();
    });
  });
  // Clients hold connections open across sessions; keep them a while like a real API front.
  server.keepAliveTimeout = 30_000;
  return server;
}
