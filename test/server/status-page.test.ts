// The status page over plain HTTP: GET / serves the page with a strict CSP, its assets load
// with JavaScript/CSS content types, nothing outside the allow-list is served (no traversal),
// and no API key is needed for the files while GraphQL still asks for one.
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type App } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { silentLogger } from '../../src/logger.ts';
import { useTestDatabase } from '../fixtures/database.ts';

const KEY = 'status-page-test-key-0123456789';
const db = useTestDatabase();
let app: App;

beforeAll(async () => {
  app = await startApp({ config: loadConfig({ DATABASE_URL: db.url, PORT: '0', GATEWAY_API_KEYS: KEY }), logger: silentLogger(), sync: false });
});
afterAll(() => app?.close());

/** A request with the path sent exactly as given (fetch would normalise "..", "%2e" and the like). */
function raw(path: string, method = 'GET', headers: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  const { hostname, port } = new URL(app.url);
  return new Promise((resolve, reject) => {
    const req = request({ hostname, port, path, method, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('GET /', () => {
  it('serves the status page as HTML with a strict content security policy', async () => {
    const res = await fetch(`${app.url}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('cache-control')).toBe('no-cache');
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("connect-src 'self' ws: wss:");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).not.toContain('unsafe-eval');
    const html = await res.text();
    expect(html).toMatch(/^<!doctype html>/i);
    expect(html).toContain('<script type="module" src="/status/app.js"></script>');
    expect(html).toContain('src="/assets/chart.umd.min.js"');
    // No inline script or style: the CSP would block it.
    expect(html).not.toMatch(/<script(?![^>]*\ssrc=)[^>]*>/);
    expect(html).not.toMatch(/\sstyle=|<style/);
  });

  it('needs no API key (the page holds no data), while GraphQL does', async () => {
    expect((await fetch(`${app.url}/`)).status).toBe(200);
    const graphql = await fetch(`${app.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query":"{ mirrorCounts { type } }"}' });
    expect(graphql.status).toBe(401);
  });

  it('answers HEAD with the headers and no body, and a matching ETag with 304', async () => {
    const head = await raw('/', 'HEAD');
    expect(head.status).toBe(200);
    expect(head.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(Number(head.headers['content-length'])).toBeGreaterThan(1000);
    expect(head.body).toBe('');
    const etag = String(head.headers.etag);
    const again = await fetch(`${app.url}/`, { headers: { 'if-none-match': etag } });
    expect(again.status).toBe(304);
  });

  it('is not served for other methods', async () => {
    expect((await fetch(`${app.url}/`, { method: 'POST', body: '' })).status).toBe(404);
  });
});

describe('assets', () => {
  const scripts = ['/status/app.js', '/status/change-chart.js', '/status/feed.js', '/status/operations.js', '/assets/chart.umd.min.js', '/assets/graphql-ws/client.js'];

  it.each(scripts)('%s loads as JavaScript', async (path) => {
    const res = await fetch(`${app.url}${path}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect((await res.text()).length).toBeGreaterThan(500);
  });

  it('serves the stylesheet and the icon with their types', async () => {
    const css = await fetch(`${app.url}/status/style.css`);
    expect(css.status).toBe(200);
    expect(css.headers.get('content-type')).toBe('text/css; charset=utf-8');
    const icon = await fetch(`${app.url}/status/favicon.svg`);
    expect(icon.status).toBe(200);
    expect(icon.headers.get('content-type')).toBe('image/svg+xml');
  });

  it('serves the chunk the graphql-ws client imports, cached as a library', async () => {
    const client = await (await fetch(`${app.url}/assets/graphql-ws/client.js`)).text();
    const chunks = [...client.matchAll(/from '\.\/([^']+\.js)'/g)].map((m) => m[1]!);
    expect(chunks.length).toBeGreaterThan(0);
    for (const chunk of new Set(chunks)) {
      const res = await fetch(`${app.url}/assets/graphql-ws/${chunk}`);
      expect(res.status, chunk).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
      expect(res.headers.get('cache-control')).toBe('public, max-age=86400');
    }
  });

  it.each([
    '/assets/graphql-ws/../package.json',
    '/assets/graphql-ws/../../graphql-ws/package.json',
    '/assets/graphql-ws/%2e%2e/package.json',
    '/assets/graphql-ws/..%2fpackage.json',
    '/assets/graphql-ws/%2e%2e%2fpackage.json',
    '/assets/graphql-ws/use/ws.js',
    '/assets/graphql-ws/index.cjs',
    '/assets/graphql-ws/nope.js',
    '/assets/chart.js',
    '/status/feed.d.ts',
    '/status/operations.d.ts',
    '/status/../static.ts',
    '/status/%2e%2e/static.ts',
    '/status/index.html',
    '/index.html',
    '//etc/passwd',
  ])('answers %s with 404', async (path) => {
    const res = await raw(path);
    expect(res.status).toBe(404);
    expect(res.body).not.toContain('"name"');
  });
});
