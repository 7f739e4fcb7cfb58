// `start` brings the database and the HTTP server up; /healthz answers 200.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startApp, type App } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { silentLogger } from '../../src/logger.ts';
import { useTestDatabase } from '../fixtures/database.ts';

const db = useTestDatabase();
let app: App;

beforeAll(async () => {
  app = await startApp({ config: loadConfig({ DATABASE_URL: db.url, PORT: '0' }), logger: silentLogger(), sync: false });
});
afterAll(() => app?.close());

it('answers GET /healthz with 200', async () => {
  const res = await fetch(`${app.url}/healthz`);
  expect(res.status).toBe(200);
  expect(await res.json()).toEqual({ status: 'ok' });
});

it('answers an unknown path with 404', async () => {
  expect((await fetch(`${app.url}/nope`)).status).toBe(404);
});
