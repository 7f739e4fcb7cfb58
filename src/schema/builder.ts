// The one Pothos schema builder: Prisma (reads through the process's client, batched and
// selected per query), Relay (global IDs, node/nodes, connections) and Complexity (what each
// field costs, for the query limits).
import SchemaBuilder from '@pothos/core';
import ComplexityPlugin from '@pothos/plugin-complexity';
import PrismaPlugin from '@pothos/plugin-prisma';
import RelayPlugin from '@pothos/plugin-relay';
import type { PrismaClient, Prisma } from '../db/client.ts';
import type { ChangeFeed } from '../events/change-feed.ts';
import type { SyncStatusSource } from '../sync/status.ts';
import type PrismaTypes from '../db/generated/pothos-types.ts';
import { getDatamodel } from '../db/generated/pothos-types.ts';
import { fieldComplexity } from './complexity.ts';

/** What every resolver gets. */
export interface Context {
  prisma: PrismaClient;
  /** The process's change feed; subscriptions need it. */
  changes?: ChangeFeed;
  /** Events a subscriber may fall behind before it is cut off (default 1000). */
  subscriptionBuffer?: number;
  /** The `seq` of the event a subscription is executing now (lets a transport track cursors). */
  currentSeq?: bigint;
  /** Where syncStatus comes from (default: sync_state, read through `prisma`). */
  syncStatus?: SyncStatusSource;
}

export const builder = new SchemaBuilder<{
  Context: Context;
  PrismaTypes: PrismaTypes;
  DefaultFieldNullability: false;
  Scalars: {
    DateTime: { Input: Date; Output: Date | string };
    Date: { Input: Date; Output: Date | string };
    BigInt: { Input: bigint; Output: bigint | number | string };
    Decimal: { Input: string; Output: Prisma.Decimal | string | number };
    JSON: { Input: unknown; Output: unknown };
  };
}>({
  plugins: [PrismaPlugin, RelayPlugin, ComplexityPlugin],
  defaultFieldNullability: false,
  prisma: {
    client: (ctx) => ctx.prisma,
    dmmf: getDatamodel(),
    // totalCount counts what the connection's filter selects, not the whole relation.
    filterConnectionTotalCount: true,
    onUnusedQuery: null,
  },
  relay: {
    clientMutationId: 'omit',
    cursorType: 'String',
    // Defined in nodes.ts, with includeDeleted like every by-id field.
    nodeQueryOptions: false,
    nodesQueryOptions: false,
  },
  // Each field's cost is kept in its extensions; the limits are checked with the request's
  // variables before it runs (src/server/query-limits.ts), not by the plugin at resolve time.
  complexity: { fieldComplexity, disabled: true },
});

export const datamodel = getDatamodel().datamodel;

/** The builder's schema types (context, scalars, Prisma types), for helpers that take its field builders. */
export type BuilderTypes = typeof builder extends PothosSchemaTypes.SchemaBuilder<infer T> ? T : never;
