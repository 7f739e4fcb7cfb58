// The gateway's HTTP server (node:http): the status page at /, GraphQL (and GraphiQL) at
// /graphql, health at /healthz, /readyz and /readyz/sync, metrics at /metrics.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../logger.ts';
import type { Access } from './access.ts';
import type { GraphQLServer } from './graphql.ts';
import type { Readiness } from './health.ts';
import type { WebSocketLimits } from './limits.ts';
import type { Registry } from 'prom-client';
import { serveStatic } from './static.ts';
import { attachWebSockets, type WebSockets } from './websocket.ts';

/** Options for {@link startServer}. */
export interface ServerOptions {
  host: string;
  /** 0 picks a free port. */
  port: number;
  logger: Logger;
  /** Serves /graphql (HTTP, SSE and WebSockets). */
  graphql: GraphQLServer;
  /** API keys WebSocket connections must present (connectionParams.authorization). */
  apiKeys: readonly string[];
  /** Host and Origin checks of every request but the probes (/healthz, /readyz), and who may read /metrics. */
  access: Access;
  /** Frame size, connection_init timeout and caps of WebSocket clients. */
  websocketLimits: WebSocketLimits;
  /** Results held for one WebSocket subscriber before it is cut off. */
  subscriptionBuffer: number;
  /** Answers /readyz. */
  readiness: () => Promise<Readiness>;
  /** Answers /readyz/sync. */
  syncReadiness: () => Promise<Readiness>;
  /** Served at /metrics in Prometheus' text format. */
  metrics: Registry;
  /** Counts events delivered over WebSockets. */
  onDelivered?: () => void;
}

export interface GatewayServer {
  /** Base URL, e.g. http://127.0.0.1:4000 */
  readonly url: string;
  readonly server: Server;
  /** The WebSocket endpoint. */
  readonly websockets: WebSockets;
  /** Stops accepting connections and closes idle ones; resolves when all are gone. */
  close(): Promise<void>;
}

export async function startServer(options: ServerOptions): Promise<GatewayServer> {
  const server = createServer((req, res) => {
    route(req, res, options).catch((error: unknown) => {
      options.logger.error({ err: error, url: req.url }, 'request failed');
      if (!res.headersSent) sendJson(res, 500, { error: 'internal error' });
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  const websockets = attachWebSockets({
    server,
    graphql: options.graphql,
    apiKeys: options.apiKeys,
    access: options.access,
    limits: options.websocketLimits,
    bufferLimit: options.subscriptionBuffer,
    logger: options.logger,
    ...(options.onDelivered ? { onDelivered: options.onDelivered } : {}),
  });
  return {
    url: `http://${host}:${port}`,
    server,
    websockets,
    async close() {
      await websockets.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Streams (SSE) stay open until told: end them, then the idle keep-alive connections.
        server.closeAllConnections();
      });
    },
  };
}

async function route(req: IncomingMessage, res: ServerResponse, options: ServerOptions): Promise<void> {
  const { pathname } = new URL(req.url ?? '/', 'http://localhost');
  const read = req.method === 'GET' || req.method === 'HEAD';
  if (pathname === '/healthz' && read) {
    return sendJson(res, 200, { status: 'ok' });
  }
  // Probes answer whatever the Host (an orchestrator's own address); everything else is checked.
  const refusal = pathname.startsWith('/readyz') ? undefined : options.access.refusal(req.headers);
  if (refusal) return sendJson(res, refusal.status, { errors: [{ message: refusal.message, extensions: { code: refusal.code } }] });
  if ((pathname === '/readyz' || pathname === '/readyz/sync') && read) {
    const readiness = await (pathname === '/readyz' ? options.readiness : options.syncReadiness)();
    return sendJson(res, readiness.ready ? 200 : 503, { status: readiness.ready ? 'ready' : 'not ready', ...readiness.checks });
  }
  if (pathname === '/metrics' && read) {
    if (!options.access.metricsAllowed(req.headers.authorization)) {
      res.setHeader('www-authenticate', 'Bearer');
      return sendJson(res, 401, { errors: [{ message: 'Missing or invalid key: send Authorization: Bearer <API key or METRICS_TOKEN>', extensions: { code: 'UNAUTHENTICATED' } }] });
    }
    const text = await options.metrics.metrics();
    res.writeHead(200, { 'content-type': options.metrics.contentType });
    res.end(text);
    return;
  }
  if (pathname === '/graphql') {
    await options.graphql(req, res);
    return;
  }
  // The status page at / and its assets (an allow-list of static files).
  if (read && (await serveStatic(req, res))) return;
  sendJson(res, 404, { error: 'not found' });
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
