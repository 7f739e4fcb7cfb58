// The control API under `/_sim` (documented at the top of server.ts): seed a world, apply
// changes, read the ground truth, set faults, read stats.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { ChangeBatchError, changesSchema } from './changes.ts';
import { readJson, sendEmpty, sendError, sendJson } from './envelope.ts';
import { CUSTOM_FIELD_RESOURCES, CUSTOM_FIELD_TYPES } from './custom-fields.ts';
import { faultsSchema } from './faults.ts';
import { isTypeName } from './resource-types.ts';
import { seedSchema, type SimContext } from './context.ts';
import type { TypeTable, World } from './world.ts';

/** The body of `POST /_sim/items`: each item's JSON text, exactly as it is to be served. */
const rawItemsSchema = z.object({ items: z.array(z.string().max(16 * 1024 * 1024)).max(10_000) }).strict();

const customFieldSchema = z
  .object({
    resource_type: z.enum(CUSTOM_FIELD_RESOURCES),
    name: z.string().min(1).max(200),
    type: z.enum(CUSTOM_FIELD_TYPES),
    choices: z.array(z.string()).optional(),
    for_contact: z.boolean().optional(),
    for_organisation: z.boolean().optional(),
  })
  .strict();

const activitySchema = z.object({ perSecond: z.number().min(0).max(100_000) }).strict();

/** The body of `POST /_sim/sessions/expire`: one device's sessions, or every device's. */
const expireSchema = z.object({ device: z.uuid().optional() }).strict();

/** One object of the ground truth. */
export interface SimObject {
  type: string;
  id: number;
  revision: number;
  data: Record<string, unknown>;
}

/** Live objects of `tables`, from a position (`tableIndex`, `pos`), with the position after each. */
export function* liveObjects(world: World, tables: readonly TypeTable[], from = { table: 0, pos: 0 }): Generator<{ object: SimObject; next: { table: number; pos: number } }> {
  for (let t = from.table; t < tables.length; t++) {
    const table = tables[t] as TypeTable;
    const end = world.positions(table);
    for (let pos = t === from.table ? from.pos : 0; pos < end; pos++) {
      const h = world.handleAt(table, pos);
      if (h === undefined || !world.isLive(h)) continue;
      yield {
        object: { type: table.name, id: world.idOf(h), revision: world.revisionOf(h), data: world.payload(h) },
        next: { table: t, pos: pos + 1 },
      };
    }
  }
}

function sendZodError(res: ServerResponse, error: z.ZodError): void {
  sendError(
    res,
    400,
    error.issues.map((i) => ({ code: 'invalid', message: i.message, details: i.code, field: i.path.join('.') })),
  );
}

async function parseBody<T>(req: IncomingMessage, res: ServerResponse, schema: z.ZodType<T>): Promise<T | undefined> {
  const body = await readJson(req, res);
  if (!body) return undefined;
  const parsed = schema.safeParse(body.value);
  if (!parsed.success) {
    sendZodError(res, parsed.error);
    return undefined;
  }
  return parsed.data;
}

function waitDrain(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

async function listObjects(ctx: SimContext, req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
  const world = ctx.world();
  const type = url.searchParams.get('type');
  if (type !== null && !isTypeName(type)) {
    return sendError(res, 400, { code: 'invalid', message: 'type must be a snake_case type name', field: 'type' });
  }
  const table = type === null ? undefined : world.table(type);
  const tables = type === null ? world.types : table ? [table] : [];
  const ndjson = url.searchParams.get('format') === 'ndjson' || (req.headers.accept ?? '').includes('application/x-ndjson');

  if (ndjson) {
    // Streamed in ~64 KB writes, waiting for the socket to drain: 1M objects never become one string.
    res.writeHead(200, { 'Content-Type': 'application/x-ndjson; charset=utf-8' });
    let buffer = '';
    for (const { object } of liveObjects(world, tables)) {
      buffer += JSON.stringify(object) + '\n';
      if (buffer.length < 65_536) continue;
      const ok = res.write(buffer);
      buffer = '';
      if (!ok) await waitDrain(res);
      if (res.destroyed) return;
    }
    res.end(buffer);
    return;
  }

  const limitParam = url.searchParams.get('limit');
  const limit = limitParam === null ? 1000 : Number(limitParam);
  if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) {
    return sendError(res, 400, { code: 'invalid', message: 'limit must be an integer in 1..10000', field: 'limit' });
  }
  const cursor = url.searchParams.get('cursor');
  let from = { table: 0, pos: 0 };
  if (cursor !== null) {
    const m = /^(\d+)\.(\d+)$/.exec(cursor);
    if (!m) return sendError(res, 400, { code: 'invalid', message: 'cursor is not one this API returned', field: 'cursor' });
    from = { table: Number(m[1]), pos: Number(m[2]) };
  }
  const items: SimObject[] = [];
  let next: { table: number; pos: number } | undefined;
  for (const entry of liveObjects(world, tables, from)) {
    if (items.length === limit) {
      // There is at least one more: resume at it.
      next = { table: entry.next.table, pos: entry.next.pos - 1 };
      break;
    }
    items.push(entry.object);
  }
  sendJson(res, 200, { items, next_cursor: next ? `${next.table}.${next.pos}` : null });
}

/** Answers a request under `/_sim` (already authenticated). */
export async function handleControl(ctx: SimContext, req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
  const route = `${req.method ?? 'GET'} ${url.pathname.replace(/\/+$/, '')}`;
  switch (route) {
    case 'POST /_sim/seed': {
      const body = await parseBody(req, res, seedSchema);
      if (body) sendJson(res, 200, ctx.seed(body));
      return;
    }
    case 'POST /_sim/changes': {
      const body = await parseBody(req, res, changesSchema);
      if (!body) return;
      try {
        sendJson(res, 200, ctx.changes(body));
      } catch (err) {
        if (!(err instanceof ChangeBatchError)) throw err;
        sendError(
          res,
          422,
          err.problems.map((p) => ({ code: p.code, message: p.message, resource: body[p.index]?.type ?? '', field: p.field ?? `[${p.index}].id` })),
        );
      }
      return;
    }
    case 'POST /_sim/items': {
      const body = await parseBody(req, res, rawItemsSchema);
      if (!body) return;
      const problems = body.items.flatMap((text, index) => {
        try {
          const value: unknown = JSON.parse(text);
          if (value !== null && typeof value === 'object' && !Array.isArray(value)) return [];
        } catch {
          // not JSON: reported below
        }
        return [{ code: 'invalid', message: 'each item must be the JSON text of an object', field: `items[${index}]` }];
      });
      if (problems.length) return sendError(res, 400, problems);
      return sendJson(res, 200, ctx.rawItems(body.items));
    }
    case 'GET /_sim/objects':
      return listObjects(ctx, req, res, url);
    case 'GET /_sim/faults':
      return sendJson(res, 200, ctx.faults.config());
    case 'PUT /_sim/faults': {
      const body = await parseBody(req, res, faultsSchema);
      if (!body) return;
      ctx.faults.set(body);
      return sendJson(res, 200, ctx.faults.config());
    }
    case 'GET /_sim/stats':
      return sendJson(res, 200, ctx.stats());
    case 'GET /_sim/activity':
      return sendJson(res, 200, { perSecond: ctx.activity.rate() });
    case 'PUT /_sim/activity': {
      const body = await parseBody(req, res, activitySchema);
      if (!body) return;
      ctx.activity.setRate(body.perSecond);
      return sendJson(res, 200, { perSecond: ctx.activity.rate() });
    }
    case 'POST /_sim/custom_fields': {
      const body = await parseBody(req, res, customFieldSchema);
      if (!body) return;
      const { resource_type: resource, ...field } = body;
      const world = ctx.world();
      if (world.customFieldDefinitions(resource).some((d) => d.name === field.name)) {
        return sendError(res, 409, { code: 'already_exists', message: `a ${resource} custom field named ${JSON.stringify(field.name)} already exists`, resource: 'custom_field', field: 'name' });
      }
      return sendJson(res, 201, world.addCustomField(resource, field));
    }
    case 'POST /_sim/sessions/expire': {
      const body = await parseBody(req, res, expireSchema);
      if (body) sendJson(res, 200, { expired: ctx.expireSessions(body.device?.toLowerCase()) });
      return;
    }
    case 'POST /_sim/acks/flush':
      ctx.flushAcks();
      return sendEmpty(res, 204);
    default:
      return sendError(res, 404, { code: 'not_found', message: `No control route ${route}.`, resource: 'control' });
  }
}
