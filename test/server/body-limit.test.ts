// MAX_REQUEST_BODY holds to the byte, whether the body comes with a Content-Length or chunked
// without one: a body of exactly the limit runs, one byte more gets 413 REQUEST_ENTITY_TOO_LARGE.
import { beforeAll, expect, it } from 'vitest';
import type { App } from '../../src/app.ts';
import { useTestDatabase } from '../fixtures/database.ts';
import { startServing } from '../fixtures/gateway.ts';
import { rawRequest } from '../fixtures/http.ts';

const LIMIT = 2000;
const db = useTestDatabase();
let app: App;

beforeAll(async () => {
  app = await startServing(db, { MAX_REQUEST_BODY: String(LIMIT) });
});

/** A query body of exactly `bytes` bytes (padded with spaces inside the document). */
function bodyOf(bytes: number): string {
  const base = JSON.stringify({ query: '{ syncStatus { state } }' });
  return base.replace('{ syncStatus', `{${' '.repeat(bytes - base.length)} syncStatus`);
}

it.each([
  ['with a Content-Length', {}],
  ['chunked, without a length', { 'transfer-encoding': 'chunked' }],
])('takes a body of the limit and refuses one byte more, %s', async (_how, headers: Record<string, string>) => {
  const send = (body: string) =>
    rawRequest(`${app.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json', ...headers }, body });
  expect(Buffer.byteLength(bodyOf(LIMIT))).toBe(LIMIT);
  const within = await send(bodyOf(LIMIT));
  expect(within.status, within.text).toBe(200);
  expect(within.json.data.syncStatus.state).toBe('NEVER_SYNCED');
  const over = await send(bodyOf(LIMIT + 1));
  expect(over.status).toBe(413);
  expect(over.json.errors[0]).toMatchObject({ message: 'Request body too large', extensions: { code: 'REQUEST_ENTITY_TOO_LARGE' } });
});
