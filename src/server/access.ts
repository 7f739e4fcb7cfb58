// Who may reach the gateway, and from where. A browser page of another origin gets nothing
// unless CORS_ORIGINS lists it (the gateway's own pages, same origin, always work); a request
// naming a Host the gateway does not answer for is refused, since DNS rebinding lets a foreign
// page reach a loopback server under its own name; /metrics needs a key (or METRICS_TOKEN)
// once there are keys. The checks look at headers only, before anything else runs.
import type { IncomingHttpHeaders } from 'node:http';
import { createApiKeyCheck } from './auth.ts';

/** Options for {@link createAccess}. */
export interface AccessOptions {
  /** API keys (GATEWAY_API_KEYS); none: the gateway answers loopback names only (plus `host` and `allowedHosts`). */
  apiKeys: readonly string[];
  /** The interface the server binds to (HOST): a name requests may use unless it is a wildcard. */
  host: string;
  /** More names requests may use (ALLOWED_HOSTS). With keys and none given, any Host is answered. */
  allowedHosts?: readonly string[];
  /** Origins whose pages may call the API (CORS_ORIGINS); `*`: any (only with keys; never with credentials). */
  corsOrigins?: readonly string[];
  /** Opens /metrics besides the API keys (METRICS_TOKEN). */
  metricsToken?: string | undefined;
}

/** Why a request is refused: an HTTP status and a message for the client. */
export interface Refusal {
  status: 403 | 421;
  code: 'HOST_NOT_ALLOWED' | 'ORIGIN_NOT_ALLOWED';
  message: string;
}

/** yoga's per-request CORS answer: headers granting `origin`, or none. */
export type CorsGrant = { origin: string; credentials: false; maxAge: number } | false;

export interface Access {
  /** The refusal of a request (or WebSocket upgrade) by its Host and Origin; undefined when it may go on. */
  refusal(headers: IncomingHttpHeaders): Refusal | undefined;
  /** The CORS grant for a request to /graphql (yoga's `cors` option). */
  cors(request: Request): CorsGrant;
  /** Whether an Authorization header opens /metrics. */
  metricsAllowed(authorization: string | undefined): boolean;
}

/** Whether a host name or address only reaches this machine. */
export function isLoopback(host: string): boolean {
  const name = host.toLowerCase().replace(/^\[(.*)\]$/, '$1');
  return name === 'localhost' || name === '::1' || /^127(\.\d{1,3}){3}$/.test(name);
}

/** Addresses that mean "every interface": not names anyone connects to. */
const WILDCARDS = new Set(['0.0.0.0', '::', '[::]']);

/** The name in a Host header (or an ALLOWED_HOSTS entry), without port or IPv6 brackets, lower-case. */
function hostName(header: string): string {
  const value = header.trim().toLowerCase();
  const bracketed = /^\[([^\]]*)\](:\d*)?$/.exec(value);
  if (bracketed) return bracketed[1]!;
  // A bare IPv6 address has colons but no port.
  return value.split(':').length > 2 ? value : value.replace(/:\d*$/, '');
}

/** An origin as browsers send it (scheme://host[:port], lower-case), or undefined when `value` is none. */
export function normalizeOrigin(value: string): string | undefined {
  if (!URL.canParse(value)) return undefined;
  const url = new URL(value);
  const bare = url.pathname === '/' && !url.search && !url.hash && !url.username && !url.password;
  return ['http:', 'https:'].includes(url.protocol) && bare ? url.origin : undefined;
}

/** The host:port an Origin header names, or undefined when it is not an http(s) origin ("null", garbage). */
function originHost(origin: string): string | undefined {
  if (!URL.canParse(origin)) return undefined;
  const url = new URL(origin);
  return ['http:', 'https:'].includes(url.protocol) ? url.host : undefined;
}

export function createAccess({ apiKeys, host, allowedHosts = [], corsOrigins = [], metricsToken }: AccessOptions): Access {
  const anyOrigin = corsOrigins.includes('*');
  const origins = new Set(corsOrigins.filter((o) => o !== '*').map((o) => normalizeOrigin(o) ?? o));
  const checkHost = apiKeys.length === 0 || allowedHosts.length > 0;
  const names = new Set([...allowedHosts.map(hostName), ...(WILDCARDS.has(host) ? [] : [hostName(host)])]);
  const metricsKeys = [...apiKeys, ...(metricsToken ? [metricsToken] : [])];
  const metricsCheck = createApiKeyCheck(metricsKeys);

  const hostAllowed = (header: string | undefined) => {
    if (!checkHost) return true;
    if (!header) return false;
    const name = hostName(header);
    return isLoopback(name) || names.has(name);
  };

  /** Same origin (the page was served by this gateway, under the Host it asks), or listed. */
  const originAllowed = (origin: string, hostHeader: string | undefined) =>
    anyOrigin || origins.has(origin.toLowerCase()) || (hostHeader !== undefined && originHost(origin) === hostHeader.trim().toLowerCase());

  return {
    refusal(headers) {
      if (!hostAllowed(headers.host)) {
        return {
          status: 421,
          code: 'HOST_NOT_ALLOWED',
          message: `This gateway does not answer for the host ${JSON.stringify(headers.host ?? '')}: add it to ALLOWED_HOSTS`,
        };
      }
      const origin = headers.origin;
      if (origin !== undefined) {
        if (originAllowed(origin, headers.host)) return undefined;
        return { status: 403, code: 'ORIGIN_NOT_ALLOWED', message: `Requests from pages of ${JSON.stringify(origin)} are not allowed: add the origin to CORS_ORIGINS` };
      }
      // A browser request from another site that carries no Origin (an image, a script, a
      // form) is refused too; following a link to the gateway (a navigation) is not.
      const site = headers['sec-fetch-site'];
      if ((site === 'cross-site' || site === 'same-site') && headers['sec-fetch-mode'] !== 'navigate') {
        return { status: 403, code: 'ORIGIN_NOT_ALLOWED', message: 'Requests from pages of other sites are not allowed: add the origin to CORS_ORIGINS' };
      }
      return undefined;
    },
    cors(request) {
      const origin = request.headers.get('origin');
      if (!origin) return false;
      const host = request.headers.get('host') ?? undefined;
      // Same-origin requests need no grant; other allowed origins get one, never with credentials.
      if (host !== undefined && originHost(origin) === host.toLowerCase()) return false;
      return originAllowed(origin, host) ? { origin, credentials: false, maxAge: 600 } : false;
    },
    metricsAllowed(authorization) {
      return metricsKeys.length === 0 || metricsCheck(authorization);
    },
  };
}
