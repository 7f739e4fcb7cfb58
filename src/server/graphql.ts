// The GraphQL endpoint: graphql-yoga over the Pothos schema, with API keys, a response cache,
// query limits, CORS, masked errors and GraphiQL.
import { createYoga, type YogaServerInstance } from 'graphql-yoga';
import type { Registry } from 'prom-client';
import type { PrismaClient } from '../db/client.ts';
import type { ChangeFeed } from '../events/change-feed.ts';
import type { Logger } from '../logger.ts';
import type { SyncStatusSource } from '../sync/status.ts';
import { schema, type Context } from '../schema/index.ts';
import type { Access } from './access.ts';
import { useApiKeys } from './auth.ts';
import { useRequestBodyLimit } from './body-limit.ts';
import { useCompiledExecution } from './compiled-execution.ts';
import { DEFAULT_MAX_REQUEST_BODY_BYTES, DEFAULT_QUERY_LIMITS, type QueryLimits } from './limits.ts';
import { useQueryLimits } from './query-limits.ts';
import { useRequestMetrics } from './request-metrics.ts';
import { useMirrorResponseCache, type ResponseCacheScope } from './response-cache.ts';

/** What GraphiQL opens with. */
export const EXAMPLE_QUERY = `# Welcome to the Base CRM mirror. Press the play button to run this query.
# Open the Docs panel (top left) to browse every type, filter and relation.
query HotDeals {
  deals(first: 10, where: { hot: { eq: true } }, orderBy: [{ field: VALUE, direction: DESC }]) {
    totalCount
    edges {
      node {
        name
        value
        currency
        stage { name category pipeline { name } }
        owner { name email }
        contact { name email }
        notes(first: 3) { edges { node { content createdAt } } }
      }
    }
    pageInfo { hasNextPage endCursor }
  }
  syncStatus { state itemsSynced lastSuccessAt }
}
`;

/** Options for {@link createGraphQL}. */
export interface GraphQLOptions {
  prisma: PrismaClient;
  /** Accepted API keys; empty: no authentication. */
  apiKeys: readonly string[];
  logger: Logger;
  /** The change feed subscriptions read; without it, subscribing gives an error. */
  changes?: ChangeFeed;
  /** Where syncStatus comes from (default: sync_state). */
  syncStatus?: SyncStatusSource;
  /** Bytes of query answers to cache until the mirror changes; 0 or absent: none. */
  responseCacheBytes?: number;
  /** What a change drops from the response cache (default: the answers that read its type). */
  responseCacheScope?: ResponseCacheScope;
  /** Events a subscriber may fall behind before it is cut off. */
  subscriptionBuffer?: number;
  /** Where request metrics go (durations, errors); none when absent. */
  metrics?: Registry;
  /** Limits of one operation (cost, depth, aliases). */
  limits?: QueryLimits;
  /** Largest request body, in bytes; larger ones get 413. */
  maxRequestBodyBytes?: number;
  /** Which other origins get CORS grants; without it, none does. */
  access?: Pick<Access, 'cors'>;
  /** Show error details (development only). */
  development?: boolean;
  /** Run queries the SQL compiler covers as one statement (default); false: always the resolvers. */
  compiledQueries?: boolean;
}

export type GraphQLServer = YogaServerInstance<Record<string, unknown>, Context>;

export function createGraphQL(options: GraphQLOptions): GraphQLServer {
  const { limits = DEFAULT_QUERY_LIMITS, maxRequestBodyBytes = DEFAULT_MAX_REQUEST_BODY_BYTES, access } = options;
  const log = options.logger.child({ component: 'graphql' });
  return createYoga<Record<string, unknown>, Context>({
    schema,
    graphqlEndpoint: '/graphql',
    // yoga's default grants every origin, with credentials: only the origins CORS_ORIGINS lists get one.
    cors: access ? (request) => access.cors(request) : false,
    // Enforced by useRequestBodyLimit (the last plugin), which counts only bodies without a length.
    maxRequestBodySize: false,
    context: () => ({
      prisma: options.prisma,
      ...(options.changes ? { changes: options.changes } : {}),
      ...(options.subscriptionBuffer ? { subscriptionBuffer: options.subscriptionBuffer } : {}),
      ...(options.syncStatus ? { syncStatus: options.syncStatus } : {}),
    }),
    // Unexpected errors become "Unexpected error." without a stack; GraphQLErrors we throw stay.
    maskedErrors: { isDev: options.development ?? false },
    landingPage: false,
    // GraphiQL runs subscriptions over graphql-ws on this same path; its assets are bundled
    // (render-graphiql), so it works offline, without a CDN. The bundle (9 MB of script) is
    // loaded when GraphiQL is first opened, not by every gateway that never shows it.
    graphiql: { title: 'base-sync-gateway', defaultQuery: EXAMPLE_QUERY, subscriptionsProtocol: 'WS' },
    renderGraphiQL: async (graphiql) => (await import('@graphql-yoga/render-graphiql')).renderGraphiQL(graphiql),
    logging: {
      debug: (...args) => log.debug(args.map(String).join(' ')),
      info: (...args) => log.info(args.map(String).join(' ')),
      warn: (...args) => log.warn(args.map(String).join(' ')),
      error: (...args) => log.error({ err: args.find((a) => a instanceof Error) }, args.filter((a) => !(a instanceof Error)).map(String).join(' ')),
    },
    plugins: [
      useApiKeys(options.apiKeys),
      // Before the response cache, so that the cache wraps whichever path runs.
      ...(options.compiledQueries === false ? [] : [useCompiledExecution({ logger: log, ...(options.metrics ? { metrics: options.metrics } : {}) })]),
      // After the key check: a cached answer is still only for those with a key.
      ...(options.responseCacheBytes
        ? [
            useMirrorResponseCache({
              prisma: options.prisma,
              schema,
              maxBytes: options.responseCacheBytes,
              ...(options.responseCacheScope ? { scope: options.responseCacheScope } : {}),
              ...(options.metrics ? { metrics: options.metrics } : {}),
            }),
          ]
        : []),
      // graphql_yoga_http_duration, graphql_envelop_request_duration, graphql_envelop_error_result.
      ...(options.metrics ? [useRequestMetrics(options.metrics)] : []),
      useQueryLimits(limits),
      useRequestBodyLimit(maxRequestBodyBytes),
    ],
  });
}
