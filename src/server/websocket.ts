// GraphQL over WebSocket (graphql-ws, subprotocol graphql-transport-ws) on the same port and
// path as queries. Operations go through yoga's envelop (same plugins, limits and context);
// identical subscriptions share one execution, whose results are written to each subscriber's
// socket directly as the same bytes (built once per result, not per socket). An upgrade passes
// the same Host and Origin checks as any request; frames are small (maxPayload), connection_init
// must come soon and carry a key (when there are keys), and connections per key and operations
// per connection are capped. Every refusal is an HTTP status or a graphql-ws close code, never a crash.
import { STATUS_CODES, type IncomingMessage, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer, type WebSocket } from 'ws';
import { GraphQLError, type ExecutionArgs } from 'graphql';
import type { Logger } from '../logger.ts';
import type { Access } from './access.ts';
import { createApiKeyCheck } from './auth.ts';
import type { GraphQLServer } from './graphql.ts';
import { DEFAULT_WEBSOCKET_LIMITS, type WebSocketLimits } from './limits.ts';
import { createNextMessages } from './next-messages.ts';
import { createSharedSubscriptions, type Deliver } from './shared-subscriptions.ts';

/** Close code of a connection over its key's cap (graphql-ws' "too many" family). */
const TOO_MANY_CONNECTIONS = 4429;

/** Options for {@link attachWebSockets}. */
export interface WebSocketOptions {
  server: Server;
  graphql: GraphQLServer;
  apiKeys: readonly string[];
  /** Host and Origin checks of each upgrade. */
  access: Access;
  limits?: WebSocketLimits;
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

/** The key a connection presented (connectionParams.authorization, with or without "Bearer "). */
function presentedKey(params: Readonly<Record<string, unknown>> | undefined): string | undefined {
  const given = params?.authorization;
  return typeof given === 'string' ? given.replace(/^bearer\s+/i, '').trim() : undefined;
}

export function attachWebSockets(options: WebSocketOptions): WebSockets {
  const { maxPayloadBytes, initTimeoutMs, maxSubscriptionsPerConnection, maxConnectionsPerKey } = options.limits ?? DEFAULT_WEBSOCKET_LIMITS;
  const log = options.logger.child({ component: 'websocket' });
  // No compression: deflating each message for each socket would cost more than sending it.
  const wss = new WebSocketServer({ noServer: true, maxPayload: maxPayloadBytes, perMessageDeflate: false });
  const check = createApiKeyCheck(options.apiKeys);
  const shared = createSharedSubscriptions({ bufferLimit: options.bufferLimit });
  const messages = createNextMessages();
  /** The socket and operation id of each operation's arguments (graphql-ws hands subscribe() the object onSubscribe returned). */
  const operations = new WeakMap<ExecutionArgs, { socket: WebSocket; id: string }>();

  /** The TCP socket under each WebSocket (the one its upgrade came on). */
  const transportOf = new WeakMap<WebSocket, Duplex>();
  /**
   * Sockets written to in this turn of the event loop, corked until it ends: the results one turn
   * hands a socket (the events of a batch) leave in one write, not one system call each.
   */
  const corked = new Set<Duplex>();
  const uncorkAll = () => {
    for (const transport of corked) transport.uncork();
    corked.clear();
  };

  /**
   * Feeds a subscriber of a shared execution: what graphql-ws would send for the result (onNext
   * included), without its per-socket serialization. Nothing to wait for while the socket keeps up,
   * else its drain: one that stops reading leaves its results in its bounded buffer.
   */
  const deliverTo =
    (socket: WebSocket, id: string): Deliver =>
    (result) => {
      options.onDelivered?.();
      const transport = transportOf.get(socket);
      if (socket.readyState !== socket.OPEN || !transport) return undefined;
      if (!corked.has(transport)) {
        if (corked.size === 0) setImmediate(uncorkAll);
        transport.cork();
        corked.add(transport);
      }
      socket.send(messages.bytes(result, id), { binary: false });
      if (!transport.writableNeedDrain || transport.destroyed) return undefined;
      return new Promise<void>((resolve) => {
        const done = () => {
          transport.off('drain', done);
          transport.off('close', done);
          resolve();
        };
        transport.on('drain', done);
        transport.on('close', done);
      });
    };
  /** Open (acknowledged) connections per key; without keys, all share "". */
  const perKey = new Map<string, number>();
  const keyOf = new WeakMap<WebSocket, string>();

  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    // A client that goes away mid-handshake must not take the process with it.
    socket.on('error', () => socket.destroy());
    if (new URL(req.url ?? '/', 'http://localhost').pathname !== '/graphql') return refuseUpgrade(socket, 404, { error: 'not found' });
    const refusal = options.access.refusal(req.headers);
    if (refusal) {
      log.info({ status: refusal.status, code: refusal.code }, 'refused a WebSocket upgrade');
      return refuseUpgrade(socket, refusal.status, { errors: [{ message: refusal.message, extensions: { code: refusal.code } }] });
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      transportOf.set(ws, socket);
      wss.emit('connection', ws, req);
      // graphql-ws prints every socket error with console.error; these (an oversized or broken
      // frame) are the client's doing, and ws has already closed the connection with its code.
      ws.removeAllListeners('error');
      ws.on('error', (error) => log.debug({ err: error }, 'WebSocket client error'));
    });
  };
  options.server.on('upgrade', onUpgrade);

  const server = useServer(
    {
      connectionInitWaitTimeout: initTimeoutMs,
      // A key in connectionParams.authorization (when there are keys), else 4403; a key over its cap, 4429.
      onConnect: (ctx) => {
        const key = presentedKey(ctx.connectionParams);
        if (options.apiKeys.length && !check(key === undefined ? undefined : `Bearer ${key}`)) {
          log.info('refused a WebSocket connection without a valid API key');
          return false;
        }
        const bucket = options.apiKeys.length ? key! : '';
        const open = perKey.get(bucket) ?? 0;
        if (open >= maxConnectionsPerKey) {
          log.warn({ open }, 'refused a WebSocket connection: too many for its key (WS_MAX_CONNECTIONS_PER_KEY)');
          // Closed with our code first; graphql-ws's 4403 for `false` then finds it closing.
          ctx.extra.socket.close(TOO_MANY_CONNECTIONS, 'Too many connections for this API key');
          return false;
        }
        perKey.set(bucket, open + 1);
        keyOf.set(ctx.extra.socket, bucket);
        return true;
      },
      onClose: (ctx) => {
        const bucket = keyOf.get(ctx.extra.socket);
        if (bucket === undefined) return;
        keyOf.delete(ctx.extra.socket);
        const open = (perKey.get(bucket) ?? 1) - 1;
        if (open > 0) perKey.set(bucket, open);
        else perKey.delete(bucket);
      },
      onSubscribe: async (ctx, id, payload) => {
        // graphql-ws has registered this operation already.
        if (Object.keys(ctx.subscriptions).length > maxSubscriptionsPerConnection) {
          return [
            new GraphQLError(`Too many operations on this connection: at most ${maxSubscriptionsPerConnection} at once (WS_MAX_SUBSCRIPTIONS_PER_CONNECTION)`, {
              extensions: { code: 'TOO_MANY_SUBSCRIPTIONS' },
            }),
          ];
        }
        const enveloped: Enveloped = options.graphql.getEnveloped({ ...ctx, req: ctx.extra.request, socket: ctx.extra.socket, params: payload });
        try {
          const document = enveloped.parse(payload.query);
          // A refusal by the query limits is thrown (see query-limits.ts), the rest returned.
          const errors = enveloped.validate(enveloped.schema, document);
          if (errors.length) return errors;
          const args: ExecutionArgs = {
            schema: enveloped.schema,
            operationName: payload.operationName,
            document,
            variableValues: payload.variables,
            contextValue: await enveloped.contextFactory(),
            rootValue: { execute: enveloped.execute, subscribe: enveloped.subscribe },
          };
          operations.set(args, { socket: ctx.extra.socket, id });
          return args;
        } catch (error) {
          // A syntax error or a limit: an error message for this operation, the connection stays.
          if (error instanceof GraphQLError) return [error];
          log.error({ err: error }, 'a WebSocket operation failed to start');
          return [new GraphQLError('Unexpected error.', { extensions: { code: 'INTERNAL_SERVER_ERROR' } })];
        }
      },
      // graphql-ws sends what onNext returns instead of the result: return nothing. (Results of
      // shared executions do not pass here: deliverTo sends them.)
      onNext: () => void options.onDelivered?.(),
      execute: (args) => (args.rootValue as Pick<Enveloped, 'execute'>).execute(args),
      subscribe: (args) => {
        const operation = operations.get(args);
        const start = () => (args.rootValue as Pick<Enveloped, 'subscribe'>).subscribe(args) as never;
        return shared.subscribe(args, start, operation && deliverTo(operation.socket, operation.id));
      },
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
