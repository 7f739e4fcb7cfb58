// The GraphQL-over-HTTP audit of graphql-http (the spec's reference implementation) against a
// running gateway, with and without API keys: not one MUST fails.
import { auditServer } from 'graphql-http';
import { beforeAll, expect, it } from 'vitest';
import type { App } from '../../src/app.ts';
import { useTestDatabase } from '../fixtures/database.ts';
import { startServing } from '../fixtures/gateway.ts';

const KEY = 'audit-key-0123456789abcdef';
const db = useTestDatabase();
let open: App;
let keyed: App;

beforeAll(async () => {
  open = await startServing(db);
  keyed = await startServing(db, { GATEWAY_API_KEYS: KEY });
});

it.each([
  ['without keys', () => open, undefined],
  ['with a key', () => keyed, KEY],
])('passes every MUST of the audit %s', async (what, app, key) => {
  const fetchFn: typeof fetch = (input, init) =>
    fetch(input, { ...init, headers: { ...Object.fromEntries(new Headers(init?.headers)), ...(key ? { authorization: `Bearer ${key}` } : {}) } });
  const results = await auditServer({ url: `${app().url}/graphql`, fetchFn });
  const failedMusts = results.filter((r) => r.name.startsWith('MUST') && r.status !== 'ok');
  const counts = new Map<string, number>();
  for (const r of results) counts.set(`${r.name.split(' ')[0]} ${r.status}`, (counts.get(`${r.name.split(' ')[0]} ${r.status}`) ?? 0) + 1);
  console.log(`graphql-http audit ${what}: ${[...counts].map(([k, n]) => `${k} ${n}`).join(', ')}`);
  expect(failedMusts.map((r) => `${r.name}: ${'reason' in r ? r.reason : ''}`)).toEqual([]);
  expect(results.filter((r) => r.name.startsWith('MUST')).length).toBeGreaterThan(10);
});
