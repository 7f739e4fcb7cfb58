// /readyz: ready when the database answers, migrations are applied and the sync is not
// stopped by a fatal error; /healthz only says the process is up.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startApp, type App } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { silentLogger } from '../../src/logger.ts';
import { createSimulator, type Simulator } from '../../src/simulator/index.ts';
import { useTestDatabase } from '../fixtures/database.ts';
import { eventually } from '../fixtures/gateway.ts';
import { SIMULATOR_REVISIONS } from '../fixtures/revisions.ts';

const db = useTestDatabase();
let sim: Simulator;
let app: App;
beforeAll(async () => {
  sim = createSimulator({ revisions: SIMULATOR_REVISIONS, world: { total: 20 } });
  await sim.listen(0);
  // A token the upstream refuses: the sync stops for good.
  app = await startApp({
    config: loadConfig({ DATABASE_URL: db.url, PORT: '0', BASE_API_URL: sim.url, BASE_ACCESS_TOKEN: 'e'.repeat(64) }),
    logger: silentLogger(),
  });
});
afterAll(async () => {
  await app.close();
  await sim.close();
});

it('is not ready once the sync has stopped on a fatal error, but stays alive', async () => {
  const body = await eventually(async () => {
    const res = await fetch(`${app.url}/readyz`);
    return res.status === 503 ? res.json() : undefined;
  });
  expect(body).toMatchObject({ status: 'not ready', database: 'ok', migrations: 'ok', sync: expect.stringContaining('fatal error') });
  expect((await fetch(`${app.url}/healthz`)).status).toBe(200);
});

it('is ready with a working sync', async () => {
  const other = await startApp({ config: loadConfig({ DATABASE_URL: db.url, PORT: '0' }), logger: silentLogger(), sync: false });
  try {
    const res = await fetch(`${other.url}/readyz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'ready', database: 'ok', migrations: 'ok' });
  } finally {
    await other.close();
  }
});
