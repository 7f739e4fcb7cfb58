// Shared fixtures of the GraphQL suites: a test database holding a synced simulator world,
// the yoga app over it (called in-process), and a small GraphQL client for it.
import { PrismaPg } from '@prisma/adapter-pg';
import { afterAll, beforeAll } from 'vitest';
import { PrismaClient } from '../../src/db/generated/prisma/client.ts';
import { silentLogger } from '../../src/logger.ts';
import { createGraphQL, type GraphQLOptions, type GraphQLServer } from '../../src/server/graphql.ts';
import type { SimulatorOptions } from '../../src/simulator/index.ts';
import { useTestDatabase, type TestDatabase } from '../fixtures/database.ts';
import { startSyncFixture, type SyncFixture } from '../fixtures/sync.ts';

/** A GraphQL response as the client sees it. */
export interface GraphQLResult<T = any> {
  status: number;
  body: {
    data?: T | null;
    errors?: Array<{ message: string; path?: Array<string | number>; extensions?: Record<string, unknown>; locations?: unknown }>;
  };
}

const HEADERS = { 'content-type': 'application/json', accept: 'application/graphql-response+json' };

/** POSTs a GraphQL request to a yoga instance in-process. */
export async function post<T = any>(
  yoga: GraphQLServer,
  query: string,
  variables?: Record<string, unknown>,
  headers: Record<string, string> = {},
): Promise<GraphQLResult<T>> {
  const res = await yoga.fetch('http://localhost/graphql', {
    method: 'POST',
    headers: { ...HEADERS, ...headers },
    body: JSON.stringify({ query, variables }),
  });
  return { status: res.status, body: (await res.json()) as GraphQLResult<T>['body'] };
}

export interface SyncedWorld {
  db: TestDatabase;
  /** Valid from beforeAll on. */
  f: SyncFixture;
  yoga: GraphQLServer;
  /** Runs a query; fails the test unless it answers 200 without errors. */
  query<T = any>(query: string, variables?: Record<string, unknown>): Promise<T>;
  /** Runs a query and answers status and body as they are. */
  request<T = any>(query: string, variables?: Record<string, unknown>, headers?: Record<string, string>): Promise<GraphQLResult<T>>;
}

/**
 * Registers hooks giving the file a database with `world` synced into it (one session,
 * no live activity, so the data is deterministic given the seed), and a yoga app over it
 * without API keys. Everything is closed and dropped after the file.
 */
export function useSyncedWorld(world: SimulatorOptions = { world: { total: 2000 }, seed: 1 }): SyncedWorld {
  const db = useTestDatabase();
  const ctx = { db } as SyncedWorld;
  beforeAll(async () => {
    ctx.f = await startSyncFixture(db, { activityPerSecond: 0, ...world });
    const engine = ctx.f.engine();
    const summary = await engine.runOnce();
    if (!summary.started || summary.interrupted) throw new Error(`the initial sync did not complete: ${JSON.stringify(summary)}`);
    await engine.customFieldsDiscovered();
    ctx.yoga = createGraphQL({ prisma: ctx.f.prisma, apiKeys: [], logger: silentLogger() });
  });
  ctx.request = (query, variables, headers) => post(ctx.yoga, query, variables, headers);
  ctx.query = async (query, variables) => {
    const { status, body } = await post(ctx.yoga, query, variables);
    if (status !== 200 || body.errors?.length) throw new Error(`query failed (${status}): ${JSON.stringify(body.errors ?? body)}`);
    return body.data;
  };
  return ctx;
}

/** Every node of a connection query, paging forward with `first`/`after`; `select` picks the connection out of `data`. */
export async function allNodes<N = any>(
  world: SyncedWorld,
  query: string,
  select: (data: any) => { edges: Array<{ node: N }>; pageInfo: { hasNextPage: boolean; endCursor: string | null } },
  variables: Record<string, unknown> = {},
  pageSize = 100,
): Promise<N[]> {
  const nodes: N[] = [];
  let after: string | null = null;
  for (;;) {
    const connection = select(await world.query(query, { ...variables, first: pageSize, after }));
    nodes.push(...connection.edges.map((e) => e.node));
    if (!connection.pageInfo.hasNextPage) return nodes;
    after = connection.pageInfo.endCursor;
  }
}

export interface RecordingGraphQL {
  /** Valid from beforeAll on. */
  yoga: GraphQLServer;
  /** Runs a query; fails unless it answers 200 without errors; answers its data and the SQL statements it cost. */
  query<T = any>(query: string, variables?: Record<string, unknown>, headers?: Record<string, string>): Promise<{ data: T; statements: string[] }>;
  /** Runs a query and answers status and body as they are, and the SQL statements it cost. */
  request<T = any>(query: string, variables?: Record<string, unknown>, headers?: Record<string, string>): Promise<GraphQLResult<T> & { statements: string[] }>;
  /** Runs `run` (requests to `yoga`), answering its value and the SQL statements run meanwhile. */
  recording<T>(run: () => Promise<T>): Promise<{ value: T; statements: string[] }>;
}

/**
 * Registers hooks giving the file a yoga app over `world`'s database through a Prisma client
 * that records every SQL statement it runs (its own, closed after the file).
 */
export function useRecordingGraphQL(world: SyncedWorld, options: Partial<Omit<GraphQLOptions, 'prisma' | 'logger'>> = {}): RecordingGraphQL {
  let statements: string[] = [];
  let prisma: PrismaClient | undefined;
  const ctx = {} as RecordingGraphQL;
  beforeAll(async () => {
    const client = new PrismaClient({ adapter: new PrismaPg({ connectionString: world.db.url, max: 4 }), log: [{ emit: 'event', level: 'query' }] });
    client.$on('query', (event) => statements.push(event.query));
    prisma = client;
    ctx.yoga = createGraphQL({ apiKeys: [], ...options, prisma: client, logger: silentLogger() });
    // Connected before any test counts statements.
    await client.$queryRawUnsafe('SELECT 1');
  });
  afterAll(() => prisma?.$disconnect());
  ctx.recording = async (run) => {
    statements = [];
    const value = await run();
    return { value, statements: [...statements] };
  };
  ctx.request = async (query, variables, headers) => {
    const { value, statements } = await ctx.recording(() => post(ctx.yoga, query, variables, headers));
    return { ...value, statements };
  };
  ctx.query = async (query, variables, headers) => {
    const { status, body, statements } = await ctx.request(query, variables, headers);
    if (status !== 200 || body.errors?.length) throw new Error(`query failed (${status}): ${JSON.stringify(body.errors ?? body)}`);
    return { data: body.data, statements };
  };
  return ctx;
}
