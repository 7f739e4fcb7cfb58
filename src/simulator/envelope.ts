// Response bodies in the Sync API's own shapes: the error envelope of every non-2xx answer,
// and JSON with the `Content-Type` Base sends.
import { STATUS_CODES, type ServerResponse } from 'node:http';
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
