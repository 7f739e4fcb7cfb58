// Bodies in the Sync API's own shapes: the error envelope of every non-2xx answer, JSON with
// the `Content-Type` Base sends, and JSON request bodies read within a size limit.
import { STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';

export const JSON_TYPE = 'application/json; charset=utf-8';

/** One error of the envelope; unset fields are sent as empty strings so that every field is present. */
export interface ApiError {
  code: string;
  message: string;
  details?: string;
  resource?: string;
  field?: string;
}

/** `{"errors":[{"error":{…},"meta":{}}],"meta":{"http_status":"401 Unauthorized","logref":"…"}}` */
export function errorEnvelope(status: number, errors: readonly ApiError[]): unknown {
  return {
    errors: errors.map((e) => ({
      error: { code: e.code, message: e.message, details: e.details ?? '', resource: e.resource ?? '', field: e.field ?? '' },
      meta: {},
    })),
    meta: { http_status: `${status} ${STATUS_CODES[status] ?? ''}`.trim(), logref: randomBytes(12).toString('hex') },
  };
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': JSON_TYPE, 'Content-Length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

export function sendError(res: ServerResponse, status: number, error: ApiError | readonly ApiError[], headers: Record<string, string> = {}): void {
  sendJson(res, status, errorEnvelope(status, Array.isArray(error) ? error : [error as ApiError]), headers);
}

/** A bodiless answer (`204`, `202`). */
export function sendEmpty(res: ServerResponse, status: number, headers: Record<string, string> = {}): void {
  res.writeHead(status, { ...(status === 204 ? {} : { 'Content-Length': '0' }), ...headers });
  res.end();
}

const BODY_LIMIT = 64 * 1024 * 1024;

/** The request body as JSON; answers the error itself and returns undefined when it is not JSON. */
export async function readJson(req: IncomingMessage, res: ServerResponse, limit = BODY_LIMIT): Promise<{ value: unknown } | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) {
      sendError(res, 413, { code: 'request_too_large', message: `The body exceeds ${limit} bytes.` });
      return undefined;
    }
    chunks.push(chunk as Buffer);
  }
  try {
    return { value: JSON.parse(Buffer.concat(chunks).toString('utf8')) };
  } catch {
    sendError(res, 400, { code: 'invalid_json', message: 'The body is not valid JSON.' });
    return undefined;
  }
}
