// In headless Chromium: a page served from another origin (another port) can neither fetch
// /graphql nor open a GraphQL WebSocket to a default gateway; once its origin is in CORS_ORIGINS
// both work. The gateway's own pages (same origin) fetch and subscribe as before.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { App } from '../../src/app.ts';
import { describeInBrowser, launchBrowser } from '../fixtures/browser.ts';
import { useTestDatabase } from '../fixtures/database.ts';
import { startServing } from '../fixtures/gateway.ts';

/** What a page's script got from the gateway: data, or how the browser refused. */
interface Outcome {
  fetch: { ok: true; state: string } | { ok: false; error: string };
  websocket: { ok: true; ack: boolean; state: string } | { ok: false; closeCode: number };
}

/**
 * Runs in the page: a GraphQL POST, then a graphql-transport-ws connection that subscribes to
 * syncStatus and waits for its first result.
 */
async function tryGateway(base: string): Promise<Outcome> {
  const query = '{ syncStatus { state } }';
  let fetched: Outcome['fetch'];
  try {
    const res = await fetch(`${base}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) });
    fetched = { ok: true, state: (await res.json()).data.syncStatus.state };
  } catch (error) {
    fetched = { ok: false, error: String(error) };
  }
  const websocket = await new Promise<Outcome['websocket']>((resolve) => {
    const socket = new WebSocket(`${base.replace('http', 'ws')}/graphql`, 'graphql-transport-ws');
    let ack = false;
    socket.onopen = () => socket.send(JSON.stringify({ type: 'connection_init' }));
    socket.onmessage = (event) => {
      const message = JSON.parse(event.data);
      if (message.type === 'connection_ack') {
        ack = true;
        socket.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: 'subscription { syncStatus { state } }' } }));
      }
      if (message.type === 'next') {
        resolve({ ok: true, ack, state: message.payload.data.syncStatus.state });
        socket.close();
      }
    };
    socket.onclose = (event) => resolve({ ok: false, closeCode: event.code });
  });
  return { fetch: fetched, websocket };
}

describeInBrowser('cross-origin pages', () => {
  const db = useTestDatabase();
  let foreign: Server;
  let foreignOrigin = '';
  let closed: App;
  let listing: App;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    // "Another site": a page on another port of this machine.
    foreign = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end('<!doctype html><title>another site</title><p>another site</p>');
    });
    await new Promise<void>((resolve) => foreign.listen(0, '127.0.0.1', resolve));
    foreignOrigin = `http://127.0.0.1:${(foreign.address() as AddressInfo).port}`;
    closed = await startServing(db);
    listing = await startServing(db, { CORS_ORIGINS: foreignOrigin });
    browser = await launchBrowser();
    page = await browser.newPage();
  });
  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => foreign?.close(resolve));
  });

  it('cannot fetch /graphql nor open a WebSocket to a default gateway', async () => {
    await page.goto(foreignOrigin);
    const outcome = await page.evaluate(tryGateway, closed.url);
    expect(outcome.fetch).toMatchObject({ ok: false, error: expect.stringMatching(/Failed to fetch/) });
    expect(outcome.websocket).toMatchObject({ ok: false });
  });

  it('can do both once its origin is in CORS_ORIGINS', async () => {
    await page.goto(foreignOrigin);
    const outcome = await page.evaluate(tryGateway, listing.url);
    expect(outcome).toEqual({ fetch: { ok: true, state: 'NEVER_SYNCED' }, websocket: { ok: true, ack: true, state: 'NEVER_SYNCED' } });
  });

  it('lets the gateway\'s own pages do both (same origin)', async () => {
    for (const app of [closed, listing]) {
      await page.goto(`${app.url}/`);
      expect(await page.evaluate(tryGateway, app.url)).toEqual({ fetch: { ok: true, state: 'NEVER_SYNCED' }, websocket: { ok: true, ack: true, state: 'NEVER_SYNCED' } });
    }
  });
});
