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

export function createPrismaClient(options: PrismaClientOptions): PrismaClient {
  const adapter = new PrismaPg({ connectionString: options.databaseUrl, max: options.poolSize ?? 10 });
  return new PrismaClient({ adapter });
}
