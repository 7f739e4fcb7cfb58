// The status page and its assets: a fixed allow-list of files (the page, its script modules and
// CSS, Chart.js, graphql-ws's browser client), served as they are on disk, without a build step.
// They hold no data, so they need no API key; the page's GraphQL calls carry the key.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const PAGE_DIR = fileURLToPath(new URL('./status-page/', import.meta.url));
/** Chart.js's dist/ (the UMD build defines window.Chart; its ESM build needs a bundler). */
const CHART_DIR = path.dirname(require.resolve('chart.js'));
/** graphql-ws's dist/: client.js imports a hashed ./common-*.js chunk next to it. */
const GRAPHQL_WS_DIR = path.dirname(require.resolve('graphql-ws'));

/**
 * The page's Content-Security-Policy: everything from this origin only, no inline script or
 * style, GraphQL over fetch and WebSockets to this host.
 */
const STATUS_PAGE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self' ws: wss:",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "object-src 'none'",
].join('; ');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};

interface Asset {
  file: string;
  /** Our own files may change with the gateway: always revalidated. Libraries: cached a day. */
  cache: string;
}

const OWN = 'no-cache';
const LIBRARY = 'public, max-age=86400';

const FIXED: Record<string, Asset> = {
  '/': { file: path.join(PAGE_DIR, 'index.html'), cache: OWN },
  '/status/app.js': { file: path.join(PAGE_DIR, 'app.js'), cache: OWN },
  '/status/change-chart.js': { file: path.join(PAGE_DIR, 'change-chart.js'), cache: OWN },
  '/status/feed.js': { file: path.join(PAGE_DIR, 'feed.js'), cache: OWN },
  '/status/operations.js': { file: path.join(PAGE_DIR, 'operations.js'), cache: OWN },
  '/status/style.css': { file: path.join(PAGE_DIR, 'style.css'), cache: OWN },
  '/status/favicon.svg': { file: path.join(PAGE_DIR, 'favicon.svg'), cache: OWN },
  '/assets/chart.umd.min.js': { file: path.join(CHART_DIR, 'chart.umd.min.js'), cache: LIBRARY },
};

const GRAPHQL_WS_PREFIX = '/assets/graphql-ws/';
/** A plain file name: no slash, no "..", nothing but these characters. */
const BASENAME = /^[a-zA-Z0-9_][a-zA-Z0-9_.-]*\.js$/;

/** The asset a path names, if it is on the allow-list. */
function assetOf(pathname: string): Asset | undefined {
  if (Object.hasOwn(FIXED, pathname)) return FIXED[pathname];
  if (pathname.startsWith(GRAPHQL_WS_PREFIX)) {
    const name = pathname.slice(GRAPHQL_WS_PREFIX.length);
    if (BASENAME.test(name) && !name.includes('..')) return { file: path.join(GRAPHQL_WS_DIR, name), cache: LIBRARY };
  }
  return undefined;
}

interface Loaded {
  body: Buffer;
  etag: string;
}

// Read once per process: the files do not change under a running gateway (a new version restarts it).
const loaded = new Map<string, Promise<Loaded | undefined>>();

function load(file: string): Promise<Loaded | undefined> {
  let entry = loaded.get(file);
  if (!entry) {
    entry = readFile(file).then(
      (body) => ({ body, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"` }),
      (error: NodeJS.ErrnoException) => {
        loaded.delete(file);
        if (error.code === 'ENOENT' || error.code === 'EISDIR') return undefined;
        throw error;
      },
    );
    loaded.set(file, entry);
  }
  return entry;
}

/**
 * Serves GET and HEAD of the status page (`/`) and its assets. Answers true when it handled
 * the request, false to let the caller route it (another path or method, or an unknown file).
 */
export async function serveStatic(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
  if (req.method !== 'GET' && req.method !== 'HEAD') return false;
  const { pathname } = new URL(req.url ?? '/', 'http://localhost');
  const asset = assetOf(pathname);
  if (!asset) return false;
  const file = await load(asset.file);
  if (!file) return false;
  const headers: Record<string, string | number> = {
    'content-type': TYPES[path.extname(asset.file)] ?? 'application/octet-stream',
    'cache-control': asset.cache,
    etag: file.etag,
    'x-content-type-options': 'nosniff',
  };
  if (pathname === '/') {
    headers['content-security-policy'] = STATUS_PAGE_CSP;
    headers['referrer-policy'] = 'no-referrer';
    headers['x-frame-options'] = 'DENY';
  }
  if (req.headers['if-none-match'] === file.etag) {
    res.writeHead(304, headers);
    res.end();
    return true;
  }
  headers['content-length'] = file.body.length;
  res.writeHead(200, headers);
  res.end(req.method === 'HEAD' ? undefined : file.body);
  return true;
}
