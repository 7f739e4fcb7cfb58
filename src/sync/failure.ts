// What went wrong, in the words status, logs and probes use: a short code, one short line
// without secrets, and whether retrying can help. Only a refused token cannot be retried; every
// other failure (database, network, upstream, an expired session) is retried with backoff.
import { FencedError, sqlStateOf } from '../store/apply-page.ts';
import { FatalSyncError, SessionExpiredError, TransientSyncError } from './client.ts';

/** Why the sync cannot make progress; also `/readyz/sync`'s reason. */
export type FailureCode =
  /** Base refused the token (401/403): fatal until the configuration is fixed. */
  | 'token_refused'
  /** Postgres cannot be reached, or the connection to it was lost. */
  | 'database_unreachable'
  /** Postgres refused a statement. */
  | 'database_error'
  /** The Sync API cannot be reached, or does not answer in time. */
  | 'upstream_unreachable'
  /** The Sync API answers 5xx, or with something that is not its protocol. */
  | 'upstream_error'
  /** The Sync API asks us to slow down (429, 409). */
  | 'rate_limited'
  /** The Sync API refused a request (4xx other than 401/403). */
  | 'upstream_rejected'
  /** The Sync API no longer knows the session (404): a new one starts. */
  | 'session_expired'
  /** Another process has become the syncer: this one stands by. */
  | 'not_leader'
  | 'internal';

export interface Failure {
  code: FailureCode;
  /** One short line, secrets removed. */
  message: string;
  /** Retrying cannot help (a refused token). */
  fatal: boolean;
}

const MAX_MESSAGE = 200;

/** Postgres conditions that mean the server or the connection is gone, not that a statement is wrong. */
const UNREACHABLE_KINDS = new Set(['DatabaseNotReachable', 'ConnectionClosed', 'SocketTimeout', 'TooManyConnections', 'TlsConnectionError']);
const UNREACHABLE_SQLSTATE = /^(08|57P0[1-4]|53300|58)/;
const UNREACHABLE_MESSAGE = /Connection terminated|connection error|not queryable|timeout|ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|EHOSTUNREACH|ENETUNREACH|Can't reach database|the database system is (starting up|shutting down|in recovery mode)/i;

function shorten(text: string, secrets: readonly string[]): string {
  let line = text.replace(/\s+/g, ' ').trim();
  for (const secret of secrets) if (secret) line = line.replaceAll(secret, '[redacted]');
  return line.length > MAX_MESSAGE ? `${line.slice(0, MAX_MESSAGE - 1)}…` : line;
}

/** The driver's view of a database error, when it is one: its kind and SQLSTATE. */
function databaseCause(error: unknown): { kind?: string; code?: string; message?: string } | undefined {
  const e = error as { name?: string; code?: unknown; severity?: unknown; message?: unknown; meta?: { driverAdapterError?: { cause?: Record<string, unknown> } } } | null;
  if (!e || typeof e !== 'object') return undefined;
  const cause = e.meta?.driverAdapterError?.cause;
  if (cause) {
    return {
      kind: String(cause.kind),
      ...(sqlStateOf(error) ? { code: sqlStateOf(error)! } : {}),
      ...(typeof cause.originalMessage === 'string' ? { message: cause.originalMessage } : typeof cause.message === 'string' ? { message: cause.message } : {}),
    };
  }
  // node-postgres' own errors (the lock connection): a server error has a severity; a socket error a code.
  if (typeof e.severity === 'string' && typeof e.code === 'string') return { code: e.code, ...(typeof e.message === 'string' ? { message: e.message } : {}) };
  if (e.name?.startsWith('Prisma') || (typeof e.message === 'string' && UNREACHABLE_MESSAGE.test(e.message))) {
    return { kind: 'unknown', ...(typeof e.message === 'string' ? { message: e.message } : {}) };
  }
  return undefined;
}

/** Classifies a failure of the sync; `secrets` never appear in the message. */
export function describeFailure(error: unknown, secrets: readonly string[] = []): Failure {
  const failure = (code: FailureCode, message: string, fatal = false): Failure => ({ code, message: shorten(message, secrets), fatal });
  if (error instanceof FatalSyncError) return failure(error.status === 401 || error.status === 403 ? 'token_refused' : 'upstream_rejected', error.message, error.status === 401 || error.status === 403);
  if (error instanceof SessionExpiredError) return failure('session_expired', error.message);
  if (error instanceof TransientSyncError) {
    switch (error.reason) {
      case 'network':
      case 'timeout':
        return failure('upstream_unreachable', error.message);
      case 'rate_limited':
      case 'conflict':
        return failure('rate_limited', error.message);
      case 'rejected':
        return failure('upstream_rejected', error.message);
      default:
        return failure('upstream_error', error.message);
    }
  }
  if (error instanceof FencedError) return failure('not_leader', error.message);
  const db = databaseCause(error);
  if (db) {
    const unreachable = UNREACHABLE_KINDS.has(db.kind ?? '') || UNREACHABLE_SQLSTATE.test(db.code ?? '') || UNREACHABLE_MESSAGE.test(db.message ?? '');
    if (unreachable) return failure('database_unreachable', `database unreachable${db.code ? ` (${db.code})` : ''}: ${db.message ?? db.kind ?? 'connection failed'}`);
    return failure('database_error', `database error${db.code ? ` ${db.code}` : ''}: ${db.message ?? db.kind ?? 'unknown'}`);
  }
  const message = error instanceof Error ? `${error.name === 'Error' ? '' : `${error.name}: `}${error.message}` : String(error);
  return failure('internal', `internal error: ${message}`);
}

/** Options of {@link backoffDelay}. */
export interface BackoffOptions {
  /** The first delay (before jitter). */
  baseMs: number;
  /** The longest delay. */
  maxMs: number;
}

/**
 * The wait before retry number `attempt` (1, 2, ...): doubling from `baseMs`, capped at `maxMs`,
 * with jitter (half fixed, half random) so that processes failing together do not retry together.
 */
export function backoffDelay(attempt: number, { baseMs, maxMs }: BackoffOptions, random: () => number = Math.random): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.max(0, Math.min(attempt - 1, 30)));
  return ceiling / 2 + random() * (ceiling / 2);
}
