// Composes the parts of one gateway process — database, (in demo mode) the simulator,
// the sync engine and the HTTP server — and takes them down in reverse order.
import type { Config } from './config.ts';
import { openDatabase, type Database } from './db/database.ts';
import { createChangeFeed, type ChangeFeed } from './events/change-feed.ts';
import { startRetention } from './events/retention.ts';
import type { Logger } from './logger.ts';
import { createAccess } from './server/access.ts';
import { createGraphQL } from './server/graphql.ts';
import { createReadinessCheck, createSyncReadinessCheck } from './server/health.ts';
import { createMetrics } from './server/metrics.ts';
import { startServer } from './server/server.ts';
import { DEMO_TOKEN } from './simulator/auth.ts';
import { createSyncEngine, syncEngineOptions, type SyncEngine } from './sync/engine.ts';
import { createSyncStatusSource, type SyncStatusSource } from './sync/status.ts';

export interface App {
  readonly url: string;
  readonly database: Database;
  readonly sync: SyncEngine | undefined;
  /** What syncStatus, /readyz/sync and the metrics tell. */
  readonly syncStatus: SyncStatusSource;
  /** The process's change feed. */
  readonly changes: ChangeFeed;
  /** The demo-mode simulator's URL, when it runs. */
  readonly simulatorUrl: string | undefined;
  /** Stops every part, last started first. */
  close(): Promise<void>;
}

/** Options for {@link startApp}. */
export interface AppOptions {
  config: Config;
  logger: Logger;
  /** Run the sync engine (default true). */
  sync?: boolean;
}

/** Where to sync from: the configured Base account, or a simulator started here (demo mode). */
async function upstream(config: Config, logger: Logger, closers: Array<() => Promise<void>>) {
  if (config.base.accessToken) return { url: config.base.apiUrl, token: config.base.accessToken, simulatorUrl: undefined };
  // Loaded only in demo mode: a gateway syncing a real account never holds it in memory.
  const { createSimulator } = await import('./simulator/simulator.ts');
  const simulator = createSimulator({
    seed: config.simulator.seed,
    world: { total: config.simulator.objects },
    activityPerSecond: config.simulator.activityPerSecond,
    logger: logger.child({ component: 'simulator' }),
  });
  const url = await simulator.listen(config.simulator.port, '127.0.0.1').catch((error: NodeJS.ErrnoException) => {
    throw new Error(`the demo simulator cannot listen on 127.0.0.1:${config.simulator.port} (SIMULATOR_PORT): ${error.code ?? error.message}`);
  });
  closers.push(() => simulator.close());
  logger.info({ simulator: url }, `demo mode: no BASE_ACCESS_TOKEN, syncing from the built-in simulator at ${url}`);
  return { url, token: DEMO_TOKEN, simulatorUrl: url };
}

export async function startApp({ config, logger, sync = true }: AppOptions): Promise<App> {
  const started = Date.now();
  const closers: Array<() => Promise<void>> = [];
  const close = async () => {
    for (const closer of closers.reverse()) {
      try {
        await closer();
      } catch (error) {
        logger.error({ err: error }, 'error during shutdown');
      }
    }
  };
  try {
    const database = await openDatabase({ config, logger });
    closers.push(() => database.close());

    let websockets: { clients: number; executions: number } | undefined;
    let syncStatus: SyncStatusSource | undefined;
    let changes: ChangeFeed | undefined;
    const metrics = createMetrics({
      syncStatus: async () => syncStatus?.summary(),
      subscriptions: () => ({ connections: websockets?.clients ?? 0, executions: websockets?.executions ?? 0, feedListeners: changes?.listenerCount ?? 0 }),
    });
    let engine: SyncEngine | undefined;
    let simulatorUrl: string | undefined;
    if (sync) {
      const source = await upstream(config, logger, closers);
      simulatorUrl = source.simulatorUrl;
      const syncEngine = createSyncEngine({
        prisma: database.prisma,
        databaseUrl: database.url,
        baseUrl: source.url,
        token: source.token,
        ...syncEngineOptions(config),
        observer: metrics.sync,
        logger,
      });
      // It retries every transient failure; it ends on stop(), or on a fatal error (a refused
      // token), which it logs and records: the server keeps serving the mirror, /readyz/sync says so.
      const running = syncEngine.run().catch((error: unknown) => logger.fatal({ err: error }, 'the sync engine failed unexpectedly'));
      closers.push(async () => {
        await syncEngine.stop();
        await running;
      });
      engine = syncEngine;
    }
    const status = createSyncStatusSource({ prisma: database.prisma, ...(engine ? { engine } : {}), stallMs: config.sync.stallMs });
    syncStatus = status;

    const feed = createChangeFeed({ databaseUrl: database.url, prisma: database.prisma, logger });
    changes = feed;
    await feed.start();
    closers.push(() => feed.close());
    const stopRetention = startRetention({ prisma: database.prisma, retentionMs: config.events.retentionMs, logger });
    closers.push(async () => stopRetention());

    const access = createAccess({ apiKeys: config.apiKeys, host: config.host, ...config.access });
    const graphql = createGraphQL({
      prisma: database.prisma,
      apiKeys: config.apiKeys,
      access,
      limits: config.limits.query,
      maxRequestBodyBytes: config.limits.maxRequestBodyBytes,
      changes: feed,
      responseCacheBytes: config.responseCacheBytes,
      responseCacheScope: config.responseCacheScope,
      syncStatus: status,
      subscriptionBuffer: config.events.subscriptionBuffer,
      metrics: metrics.registry,
      logger,
    });
    const server = await startServer({
      host: config.host,
      port: config.port,
      logger,
      graphql,
      apiKeys: config.apiKeys,
      access,
      websocketLimits: config.limits.websocket,
      subscriptionBuffer: config.events.subscriptionBuffer,
      readiness: createReadinessCheck({ prisma: database.prisma }),
      syncReadiness: createSyncReadinessCheck(status),
      metrics: metrics.registry,
      onDelivered: () => metrics.eventDelivered(),
    });
    websockets = server.websockets;
    closers.push(() => server.close());
    if (config.apiKeys.length === 0) logger.warn('GATEWAY_API_KEYS is not set: the GraphQL API is open to anyone on this machine');
    logger.info(
      { url: server.url, graphql: `${server.url}/graphql`, ms: Date.now() - started, embeddedPostgres: database.embedded },
      `gateway ready: status page at ${server.url}/, GraphQL and GraphiQL at ${server.url}/graphql`,
    );
    return { url: server.url, database, sync: engine, syncStatus: status, changes: feed, simulatorUrl, close };
  } catch (error) {
    await close();
    throw error;
  }
}
