// GraphQL over WebSocket (graphql-ws, subprotocol graphql-transport-ws) on the same port and
// path as queries. Operations go through yoga's envelop (same plugins, limits and context);
// identical subscriptions share one execution. An upgrade passes the same Host and Origin
// checks as any request.
import { STATUS_CODES, type IncomingMessage, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import { GraphQLError, type ExecutionArgs } from 'graphql';
import type { Logger } from '../logger.ts';
import type { Access } from './access.ts';
import { createApiKeyCheck } from './auth.ts';
import type { GraphQLServer } from './graphql.ts';
import { createSharedSubscriptions } from './shared-subscriptions.ts';

/** Options for {@link attachWebSockets}. */
export interface WebSocketOptions {
  server: Server;
  graphql: GraphQLServer;
  apiKeys: readonly string[];
  /** Host and Origin checks of each upgrade. */
  access: Access;
  /** Results held for one subscriber before it is cut off. */
  bufferLimit: number;
  /** Called for each result sent to a subscriber (metrics). */
  onDelivered?: () => void;
  logger: Logger;
}

export interface WebSockets {
  /** Open connections. */
  readonly clients: number;
  /** Distinct subscription executions running (identical subscriptions share one). */
  readonly executions: number;
  close(): Promise<void>;
}

type Enveloped = ReturnType<GraphQLServer['getEnveloped']>;

/** Answers an upgrade with a plain HTTP refusal and closes the socket. */
function refuseUpgrade(socket: Duplex, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nConnection: close\r\nContent-Type: application/json; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(text)}\r\n\r\n${text}`,
  );
}

export function attachWebSockets(options: WebSocketOptions): WebSockets {
  const log = options.logger.child({ component: 'websocket' });
  const wss = new WebSocketServer({ noServer: true });
  const check = createApiKeyCheck(options.apiKeys);
  const shared = createSharedSubscriptions({ bufferLimit: options.bufferLimit });

  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    // A client that goes away mid-handshake must not take the process with it.
    socket.on('error', () => socket.destroy());
    if (new URL(req.url ?? '/', 'http://localhost').pathname !== '/graphql') return refuseUpgrade(socket, 404, { error: 'not found' });
    const refusal = options.access.refusal(req.headers);
    if (refusal) {
      log.info({ status: refusal.status, code: refusal.code }, 'refused a WebSocket upgrade');
      return refuseUpgrade(socket, refusal.status, { errors: [{ message: refusal.message, extensions: { code: refusal.code } }] });
    }
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  };
  options.server.on('upgrade', onUpgrade);

  const server = useServer(
    {
      // A key, with or without "Bearer ", in connectionParams.authorization; else close 4403.
      onConnect: (ctx) => {
        const given = ctx.connectionParams?.authorization;
        const ok = check(typeof given === 'string' ? (/^bearer\s/i.test(given) ? given : `Bearer ${given}`) : undefined);
        if (!ok) log.info('refused a WebSocket connection without a valid API key');
        return ok;
      },
      onSubscribe: async (ctx, _id, payload) => {
        const enveloped: Enveloped = options.graphql.getEnveloped({ ...ctx, req: ctx.extra.request, socket: ctx.extra.socket, params: payload });
        try {
          const document = enveloped.parse(payload.query);
          // A refusal by the query limits is thrown (see query-limits.ts), the rest returned.
          const errors = enveloped.validate(enveloped.schema, document);
          if (errors.length) return errors;
          return {
            schema: enveloped.schema,
            operationName: payload.operationName,
            document,
            variableValues: payload.variables,
            contextValue: await enveloped.contextFactory(),
            rootValue: { execute: enveloped.execute, subscribe: enveloped.subscribe },
          } satisfies ExecutionArgs;
        } catch (error) {
          // A syntax error or a limit: an error message for this operation, the connection stays.
          if (error instanceof GraphQLError) return [error];
          log.error({ err: error }, 'a WebSocket operation failed to start');
          return [new GraphQLError('Unexpected error.', { extensions: { code: 'INTERNAL_SERVER_ERROR' } })];
        }
      },
      // graphql-ws sends what onNext returns instead of the result: return nothing.
      onNext: () => void options.onDelivered?.(),
      execute: (args) => (args.rootValue as Pick<Enveloped, 'execute'>).execute(args),
      subscribe: (args) => shared.subscribe(args, () => (args.rootValue as Pick<Enveloped, 'subscribe'>).subscribe(args) as never),
    },
    wss,
  );

  return {
    get clients() {
      return wss.clients.size;
    },
    get executions() {
      return shared.executions;
    },
    // graphql-ws closes every client (1001) and the WebSocket server.
    close: async () => {
      options.server.off('upgrade', onUpgrade);
      await server.dispose();
    },
  };
}
