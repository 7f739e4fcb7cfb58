// One Postgres server for the whole run: the machine's own when TEST_DATABASE_URL is set,
// otherwise an embedded one in a temporary folder (what a fresh machine has). A template
// database with every migration applied lets each test file clone a ready database quickly.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { startEmbeddedPostgres, type EmbeddedPostgresHandle } from '../src/db/embedded-postgres.ts';
import { applyMigrations } from '../src/db/migrations.ts';
import { silentLogger } from '../src/logger.ts';
import { TEMPLATE_DATABASE, recreateDatabase, withDatabaseName } from './fixtures/postgres-admin.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** URL of the test Postgres server's `postgres` database (admin connection). */
    adminDatabaseUrl: string;
  }
}

export default async function setup(project: TestProject) {
  let embedded: EmbeddedPostgresHandle | undefined;
  let dataDir: string | undefined;
  let adminUrl = process.env.TEST_DATABASE_URL;
  if (!adminUrl) {
    dataDir = await mkdtemp(path.join(tmpdir(), 'bsg-test-pg-'));
    embedded = await startEmbeddedPostgres({ dataDir: path.join(dataDir, 'postgres'), database: 'postgres', logger: silentLogger() });
    adminUrl = embedded.url;
  }
  await recreateDatabase(adminUrl, TEMPLATE_DATABASE);
  await applyMigrations({ databaseUrl: withDatabaseName(adminUrl, TEMPLATE_DATABASE), logger: silentLogger() });
  project.provide('adminDatabaseUrl', adminUrl);

  return async () => {
    await embedded?.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  };
}
