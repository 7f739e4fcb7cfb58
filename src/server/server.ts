// The gateway's HTTP server (node:http): GraphQL (and GraphiQL) at /graphql, health at /healthz.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../logger.ts';
import type { GraphQLServer } from './graphql.ts';
import { attachWebSockets, type WebSockets } from './websocket.ts';

/** Options for {@link startServer}. */
export interface ServerOptions {
  host: string;
  /** 0 picks a free port. */
  port: number;
  logger: Logger;
  /** Serves /graphql (HTTP, SSE and WebSockets) when given. */
  graphql?: GraphQLServer;
  /** API keys WebSocket connections must present (connectionParams.authorization). */
  apiKeys?: readonly string[];
  /** Results held for one WebSocket subscriber before it is cut off. */
  subscriptionBuffer?: number;
}

export interface GatewayServer {
  /** Base URL, e.g. http://127.0.0.1:4000 */
  readonly url: string;
  readonly server: Server;
  /** The WebSocket endpoint, when GraphQL is served. */
  readonly websockets: WebSockets | undefined;
  /** Stops accepting connections and closes idle ones; resolves when all are gone. */
  close(): Promise<void>;
}

export async function startServer(options: ServerOptions): Promise<GatewayServer> {
  const server = createServer((req, res) => route(req, res, options.graphql));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  const websockets = options.graphql
    ? attachWebSockets({ server, graphql: options.graphql, apiKeys: options.apiKeys ?? [], bufferLimit: options.subscriptionBuffer ?? 1000, logger: options.logger })
    : undefined;
  return {
    url: `http://${host}:${port}`,
    server,
    websockets,
    async close() {
      await websockets?.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Streams (SSE) stay open until told: end them, then the idle keep-alive connections.
        server.closeAllConnections();
      });
    },
  };
}

function route(req: IncomingMessage, res: ServerResponse, graphql: GraphQLServer | undefined): void {
  const { pathname } = new URL(req.url ?? '/', 'http://localhost');
  if (pathname === '/healthz' && (req.method === 'GET' || req.method === 'HEAD')) {
    return sendJson(res, 200, { status: 'ok' });
  }
  if (graphql && pathname === '/graphql') {
    void graphql(req, res);
    return;
  }
  sendJson(res, 404, { error: 'not found' });
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
