// /readyz: ready when the process can serve queries (the database answers, migrations are
// applied), whatever the sync does; /readyz/sync: 503 with a short reason once the sync is
// stopped by a fatal error, in the syncing process and in one that only reads sync_state;
// /healthz only says the process is up.
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

const probe = async (url: string) => {
  const res = await fetch(url);
  return { code: res.status, body: (await res.json()) as Record<string, unknown> };
};

it('keeps serving queries once the sync has stopped on a fatal error, and says so on /readyz/sync', async () => {
  const sync = await eventually(async () => {
    const answer = await probe(`${app.url}/readyz/sync`);
    // Before the first answer from upstream it is 503 too, as never synced: wait for the refusal.
    return answer.code === 503 && answer.body['state'] !== 'never' ? answer.body : undefined;
  });
  expect(sync).toEqual({ status: 'not ready', state: 'error', reason: 'token_refused', lagSeconds: expect.any(Number) });
  expect(await probe(`${app.url}/readyz`)).toEqual({ code: 200, body: { status: 'ready', database: 'ok', migrations: 'ok' } });
  expect((await fetch(`${app.url}/healthz`)).status).toBe(200);
});

it('tells the same from sync_state in a process that does not sync', async () => {
  const other = await startApp({ config: loadConfig({ DATABASE_URL: db.url, PORT: '0' }), logger: silentLogger(), sync: false });
  try {
    expect(await probe(`${other.url}/readyz`)).toEqual({ code: 200, body: { status: 'ready', database: 'ok', migrations: 'ok' } });
    expect(await probe(`${other.url}/readyz/sync`)).toMatchObject({ code: 503, body: { state: 'error', reason: 'token_refused' } });
  } finally {
    await other.close();
  }
});
