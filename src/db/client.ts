// The one Prisma client of a process, over node-postgres through Prisma's driver adapter
// (no native query engine: the query compiler is WebAssembly inside @prisma/client).
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { PrismaClient } from './generated/prisma/client.ts';

export type { PrismaClient };
export { Prisma } from './generated/prisma/client.ts';

/** Options for {@link createPrismaClient}. */
export interface PrismaClientOptions {
  databaseUrl: string;
  /** Connections in the pool. */
  poolSize?: number;
}

/**
 * Starts the text of a statement to prepare once per connection and reuse, for the few texts
 * run very often with parameters (a sync page's statement); any other text is planned each time.
 */
export const PREPARED = '/* prepared */ ';

/** Most statement texts prepared (per process): beyond, texts are planned each time. */
const MAX_PREPARED = 500;

/** Names prepared statements by text: one name per distinct marked text; none (unnamed) otherwise. */
function statementNames(): (query: { sql: string }) => string | undefined {
  const names = new Map<string, string>();
  return ({ sql }) => {
    if (!sql.startsWith(PREPARED)) return undefined;
    let name = names.get(sql);
    if (name === undefined && names.size < MAX_PREPARED) names.set(sql, (name = `bsg_${names.size + 1}`));
    return name;
  };
}

/** The pool under each client {@link createPrismaClient} made, and how it names prepared statements. */
const pools = new WeakMap<object, { pool: pg.Pool; name: (query: { sql: string }) => string | undefined }>();

/**
 * Runs a statement on the client's own pool, past Prisma's result handling (for a statement
 * answering one JSON text: the compiled queries). Marked texts ({@link PREPARED}) are prepared
 * under the names Prisma's statements use. Through Prisma for a client made elsewhere.
 */
export async function queryText(prisma: PrismaClient, text: string, values: readonly unknown[]): Promise<Array<Record<string, unknown>>> {
  const own = pools.get(prisma);
  if (!own) return prisma.$queryRawUnsafe<Array<Record<string, unknown>>>(text, ...values);
  const name = own.name({ sql: text });
  // node-postgres writes no bigint: ids go as text, cast in the statement.
  const params = values.map((v) => (typeof v === 'bigint' ? v.toString() : v));
  const result = await own.pool.query(name ? { name, text, values: params } : { text, values: params });
  return result.rows as Array<Record<string, unknown>>;
}

export function createPrismaClient(options: PrismaClientOptions): PrismaClient {
  const pool = new pg.Pool({
    connectionString: options.databaseUrl,
    max: options.poolSize ?? 10,
    // A dead server or a half-open connection fails a query instead of hanging it for good.
    keepAlive: true,
    keepAliveInitialDelayMillis: 10_000,
    connectionTimeoutMillis: 15_000,
  });
  const name = statementNames();
  const adapter = new PrismaPg(pool, {
    // Typed as always naming, but pg takes an absent name as an unnamed statement.
    statementNameGenerator: name as (query: { sql: string }) => string,
    // The pool is the client's: $disconnect ends it.
    disposeExternalPool: true,
  });
  const prisma = new PrismaClient({ adapter });
  pools.set(prisma, { pool, name });
  return prisma;
}
