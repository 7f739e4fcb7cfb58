// Brings the database up for a process: the configured one or an embedded Postgres,
// with every committed migration applied, and the process's Prisma client.
import path from 'node:path';
import type { Config } from '../config.ts';
import type { Logger } from '../logger.ts';
import { createPrismaClient, type PrismaClient } from './client.ts';
import { startEmbeddedPostgres, type EmbeddedPostgresHandle } from './embedded-postgres.ts';
import { applyMigrations } from './migrations.ts';

export interface Database {
  /** Connection URL (with credentials: never log it). */
  readonly url: string;
  /** Whether this process runs the Postgres server itself. */
  readonly embedded: boolean;
  readonly prisma: PrismaClient;
  /** Closes the client and, when embedded, stops the server. */
  close(): Promise<void>;
}

/** Options for {@link openDatabase}. */
export interface OpenDatabaseOptions {
  config: Pick<Config, 'databaseUrl' | 'dataDir'>;
  logger: Logger;
  /** Apply pending migrations before returning (default true). */
  migrate?: boolean;
  /** With the embedded Postgres: use the one another process runs, if any (read-only tools). */
  attach?: boolean;
}

/** Starts or connects to the database; call {@link Database.close} on shutdown. */
export async function openDatabase(options: OpenDatabaseOptions): Promise<Database> {
  const { config, logger } = options;
  let embedded: EmbeddedPostgresHandle | undefined;
  let url = config.databaseUrl;
  if (!url) {
    embedded = await startEmbeddedPostgres({ dataDir: path.join(config.dataDir, 'postgres'), logger, attach: options.attach ?? false });
    url = embedded.url;
  }
  try {
    if (options.migrate ?? true) await applyMigrations({ databaseUrl: url, logger });
  } catch (error) {
    await embedded?.stop();
    throw error;
  }
  const prisma = createPrismaClient({ databaseUrl: url });
  return {
    url,
    embedded: embedded !== undefined,
    prisma,
    async close() {
      await prisma.$disconnect();
      await embedded?.stop();
    },
  };
}
