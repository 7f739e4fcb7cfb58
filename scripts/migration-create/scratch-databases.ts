// Throwaway databases (and their pools) on a server, made for the schema engine and all
// dropped afterwards.
import { randomUUID } from 'node:crypto';
import { PrismaPg } from '@prisma/adapter-pg';
import type { SqlDriverAdapter } from '@prisma/driver-adapter-utils';
import pg from 'pg';
import { CharColumnsClient, charAwareTransaction, withCharColumns } from './char-columns.ts';

export interface ServerConfig {
  host: string;
  port: number;
  user: string;
  password: string | undefined;
  database: string;
}

/**
 * Separate fields, never a connection string: pg lets `connectionString` override `database`,
 * which would point the "shadow" connection at the real database.
 */
export function serverConfig(databaseUrl: string): ServerConfig {
  const url = new URL(databaseUrl);
  return {
    host: decodeURIComponent(url.hostname) || '127.0.0.1',
    port: Number(url.port || 5432),
    user: decodeURIComponent(url.username) || 'postgres',
    password: url.password ? decodeURIComponent(url.password) : undefined,
    database: decodeURIComponent(url.pathname.slice(1)) || 'postgres',
  };
}

/**
 * The scratch databases and pools made for the engine, all undone by close(). Made here rather
 * than by adapter-pg's connectToShadowDb, which keeps the main database's `connectionString`
 * and drops the database before ending the pool still connected to it.
 */
export class ScratchConnections {
  private readonly pools = new Set<pg.Pool>();
  private readonly databases = new Set<string>();

  constructor(private readonly server: ServerConfig) {}

  async createDatabase(prefix: string): Promise<string> {
    const name = `${prefix}_${randomUUID()}`;
    await this.admin(`CREATE DATABASE ${pg.escapeIdentifier(name)}`);
    this.databases.add(name);
    return name;
  }

  async connect(database: string, { dropOnDispose = false } = {}): Promise<SqlDriverAdapter> {
    const pool = new pg.Pool({ ...this.server, database, Client: CharColumnsClient, max: 2 });
    this.pools.add(pool);
    // An external pool: the adapter never ends it; we do.
    const inner = await new PrismaPg(pool).connect();
    return {
      provider: inner.provider,
      adapterName: inner.adapterName,
      queryRaw: async (query) => withCharColumns(await inner.queryRaw(query)),
      executeRaw: (query) => inner.executeRaw(query),
      startTransaction: async (isolationLevel) => charAwareTransaction(await inner.startTransaction(isolationLevel)),
      getConnectionInfo: () => inner.getConnectionInfo(),
      // adapter-pg splits scripts at every ";", which breaks function bodies in hand-edited
      // migrations. A query without parameters goes as one simple-protocol query instead: the
      // whole script as one implicit transaction, as Prisma's native engine runs it.
      executeScript: async (script) => void (await inner.executeRaw({ sql: script, args: [], argTypes: [] })),
      dispose: async () => {
        if (this.pools.delete(pool)) await pool.end();
        if (dropOnDispose) await this.drop(database);
      },
    };
  }

  async close(): Promise<void> {
    for (const pool of this.pools) await pool.end();
    this.pools.clear();
    for (const name of [...this.databases]) await this.drop(name);
  }

  private async drop(name: string): Promise<void> {
    if (!this.databases.delete(name)) return;
    await this.admin(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`);
  }

  private async admin(sql: string): Promise<void> {
    const client = new pg.Client(this.server);
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  }
}
