// The one Prisma client of a process, over node-postgres through Prisma's driver adapter
// (no native query engine: the query compiler is WebAssembly inside @prisma/client).
import { PrismaPg } from '@prisma/adapter-pg';
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

export function createPrismaClient(options: PrismaClientOptions): PrismaClient {
  const adapter = new PrismaPg({
    connectionString: options.databaseUrl,
    max: options.poolSize ?? 10,
    // A dead server or a half-open connection fails a query instead of hanging it for good.
    keepAlive: true,
    keepAliveInitialDelayMillis: 10_000,
    connectionTimeoutMillis: 15_000,
  }, {
    // Typed as always naming, but pg takes an absent name as an unnamed statement.
    statementNameGenerator: statementNames() as (query: { sql: string }) => string,
  });
  return new PrismaClient({ adapter });
}
