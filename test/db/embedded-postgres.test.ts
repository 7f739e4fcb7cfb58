// The embedded Postgres starts, keeps its data across a restart, and stops.
import { mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, expect, it } from 'vitest';
import { startEmbeddedPostgres } from '../../src/db/embedded-postgres.ts';
import { silentLogger } from '../../src/logger.ts';

let dir = '';
afterAll(() => rm(dir, { recursive: true, force: true }));

async function query(url: string, sql: string) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql)).rows;
  } finally {
    await client.end();
  }
}

const accepts = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });

it('keeps its data across a restart and releases its port when stopped', async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'bsg-embedded-'));
  const dataDir = path.join(dir, 'postgres');

  const first = await startEmbeddedPostgres({ dataDir, logger: silentLogger() });
  await query(first.url, `CREATE TABLE kept (note text); INSERT INTO kept VALUES ('still here')`);
  await first.stop();
  expect(await accepts(first.port)).toBe(false);

  const second = await startEmbeddedPostgres({ dataDir, logger: silentLogger() });
  try {
    expect(await query(second.url, 'SELECT note FROM kept')).toEqual([{ note: 'still here' }]);
    expect(await query(second.url, 'SHOW server_version_num')).toEqual([{ server_version_num: expect.stringMatching(/^1[5-9]/) }]);
  } finally {
    await second.stop();
  }
  expect(await accepts(second.port)).toBe(false);
});
