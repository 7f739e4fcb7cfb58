// The GraphQL endpoint: graphql-yoga over the Pothos schema, with API keys, GraphQL Armor
// limits, masked errors and GraphiQL.
import { EnvelopArmorPlugin } from '@escape.tech/graphql-armor';
import { createYoga, type YogaServerInstance } from 'graphql-yoga';
import type { PrismaClient } from '../db/client.ts';
import type { Logger } from '../logger.ts';
import { schema, type Context } from '../schema/index.ts';
import { useApiKeys } from './auth.ts';

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
  /** Show error details (development only). */
  development?: boolean;
}

export type GraphQLServer = YogaServerInstance<Record<string, unknown>, Context>;

export function createGraphQL(options: GraphQLOptions): GraphQLServer {
  const log = options.logger.child({ component: 'graphql' });
  return createYoga<Record<string, unknown>, Context>({
    schema,
    graphqlEndpoint: '/graphql',
    context: () => ({ prisma: options.prisma }),
    // Unexpected errors become "Unexpected error." without a stack; GraphQLErrors we throw stay.
    maskedErrors: { isDev: options.development ?? false },
    landingPage: false,
    graphiql: { title: 'base-sync-gateway', defaultQuery: EXAMPLE_QUERY },
    logging: {
      debug: (...args) => log.debug(args.map(String).join(' ')),
      info: (...args) => log.info(args.map(String).join(' ')),
      warn: (...args) => log.warn(args.map(String).join(' ')),
      error: (...args) => log.error({ err: args.find((a) => a instanceof Error) }, args.filter((a) => !(a instanceof Error)).map(String).join(' ')),
    },
    plugins: [
      useApiKeys(options.apiKeys),
      EnvelopArmorPlugin({
        maxDepth: { n: 12, ignoreIntrospection: true },
        costLimit: { maxCost: 20_000, ignoreIntrospection: true },
        maxAliases: { n: 15 },
        maxDirectives: { n: 20 },
        maxTokens: { n: 2_000 },
        // Suggestions ("did you mean …") help people writing queries; the schema is public to them anyway.
        blockFieldSuggestion: { enabled: false },
      }),
    ],
  });
}
