// The status page (GET /) in a real browser against a running `start`: it shows the sync state,
// the device UUID and the mirror's counts as the simulator has them; a change made upstream
// shows up in the live feed (and in the counts) within seconds; the feed filters and pauses;
// after its WebSocket drops it resumes from its last cursor: nothing missed, nothing twice; and
// with API keys it asks for one and keeps it in the tab's session storage.
import { mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Browser, Page, WebSocketRoute } from 'playwright-core';
import { DEMO_TOKEN } from '../../src/simulator/index.ts';
import { ARTIFACTS, describeInBrowser, launchBrowser } from '../fixtures/browser.ts';
import { runCli, type CliProcess } from '../fixtures/cli.ts';

const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };

describeInBrowser('status page', () => {
  /** Gateways started, and their data directories: stopped and removed after the file. */
  const gateways: CliProcess[] = [];
  const dataDirs: string[] = [];
  let url = '';
  let simulator = '';
  let browser: Browser;
  let page: Page;
  /** Console errors (CSP violations among them) and uncaught exceptions of every page. */
  const problems: string[] = [];

  beforeAll(async () => {
    const gateway = start({ PORT: '0', SIMULATOR_PORT: '0', SIMULATOR_OBJECTS: '500', SIMULATOR_ACTIVITY: '0' });
    simulator = String((await gateway.waitFor((l) => typeof l.simulator === 'string')).simulator);
    url = String((await gateway.waitFor((l) => String(l.msg).startsWith('gateway ready'))).url);
    await gateway.waitFor((l) => String(l.msg).startsWith('sync session finished'));
    browser = await launchBrowser();
    page = await newPage();
  });
  afterAll(async () => {
    await browser?.close();
    // Stopped cleanly (their embedded Postgres with them) before their data goes.
    await Promise.all(gateways.map((g) => g.stop()));
    await Promise.all(dataDirs.map((dir) => rm(dir, { recursive: true, force: true })));
  });

  /** Runs `start` in a data directory of its own. */
  function start(env: Record<string, string>): CliProcess {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'bsg-status-page-'));
    dataDirs.push(dataDir);
    const gateway = runCli(['start'], { DATA_DIR: dataDir, ...env });
    gateways.push(gateway);
    return gateway;
  }

  async function newPage(): Promise<Page> {
    const p = await browser.newPage({ viewport: DESKTOP });
    p.on('console', (m) => void (m.type() === 'error' && problems.push(`console: ${m.text()}`)));
    p.on('pageerror', (e) => void problems.push(`page error: ${e.message}`));
    return p;
  }

  async function graphql(query: string): Promise<any> {
    const res = await fetch(`${url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) });
    const body = (await res.json()) as { data: any; errors?: unknown };
    expect(body.errors).toBeUndefined();
    return body.data;
  }

  /** Changes the simulated Base account through the simulator's control API. */
  async function upstream(changes: unknown[]): Promise<void> {
    const res = await fetch(`${simulator}/_sim/changes`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${DEMO_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify(changes),
    });
    expect(res.status).toBe(200);
  }

  /** Live objects per type (snake_case) in the simulator. */
  async function simulatorCounts(): Promise<Record<string, number>> {
    const res = await fetch(`${simulator}/_sim/objects?format=ndjson`, { headers: { Authorization: `Bearer ${DEMO_TOKEN}` } });
    const counts: Record<string, number> = {};
    for (const line of (await res.text()).split('\n').filter(Boolean)) {
      const { type } = JSON.parse(line) as { type: string };
      counts[type] = (counts[type] ?? 0) + 1;
    }
    return counts;
  }

  const number = (text: string) => Number(text.replace(/[^\d]/g, ''));
  const liveCount = async (p: Page, type: string) => number(await p.locator(`#counts-body tr[data-type="${type}"] td`).first().innerText());
  const feedRows = (p: Page, text: string) => p.locator('#feed li', { hasText: text });

  it('shows the sync state, the device UUID and the mirror counts', async () => {
    await page.goto(`${url}/`);
    await expect.poll(() => page.locator('#connection-text').innerText(), { timeout: 10_000 }).toBe('Live');
    await expect.poll(() => page.locator('#sync-state').innerText(), { timeout: 10_000 }).toBe('Idle');
    const { syncStatus, mirrorCounts } = await graphql('{ syncStatus { deviceUuid } mirrorCounts { type live deleted } }');
    expect(syncStatus.deviceUuid).toMatch(/^[0-9a-f-]{36}$/);
    expect(await page.locator('#device-uuid').innerText()).toBe(syncStatus.deviceUuid);
    expect(await page.locator('#last-success time').count()).toBe(1);

    // The table: a row per type, with the counts of the simulated account.
    const sim = await simulatorCounts();
    expect(await page.locator('#counts-body tr').count()).toBe(mirrorCounts.length);
    for (const { type, live, deleted } of mirrorCounts as Array<{ type: string; live: number; deleted: number }>) {
      const cells = page.locator(`#counts-body tr[data-type="${type}"] td`);
      expect(number(await cells.nth(0).innerText()), type).toBe(live);
      expect(number(await cells.nth(1).innerText()), type).toBe(deleted);
      expect(live, type).toBe(sim[type.toLowerCase()] ?? 0);
    }
    expect(await liveCount(page, 'DEAL')).toBeGreaterThan(0);
    expect(await page.locator('#counts caption').innerText()).toContain('Objects in the mirror');

    // The chart counts the initial sync's changes: every object mirrored was created within the hour.
    const summary = await page.locator('#chart-summary').innerText();
    const mirrored = mirrorCounts.reduce((n: number, c: { live: number }) => n + c.live, 0);
    expect(number(summary.split(' change')[0]!)).toBeGreaterThanOrEqual(mirrored);
    expect(await page.locator('#chart').getAttribute('aria-label')).toContain('per minute');
    expect((await page.locator('#chart').boundingBox())?.height).toBeGreaterThan(100);
  });

  it('shows a change made upstream in the live feed within seconds, and counts it', async () => {
    const dealsBefore = await liveCount(page, 'DEAL');
    await upstream([{ op: 'create', type: 'deal', data: { name: 'Seen on the status page', value: '4242.00', currency: 'EUR' } }]);
    const row = feedRows(page, 'Seen on the status page');
    await row.waitFor({ timeout: 10_000 });
    expect(await row.locator('.kind').innerText()).toMatch(/created/i);
    expect(await row.locator('.type').innerText()).toBe('Deal');
    expect(await row.locator('.label').innerText()).toContain('€4,242.00');
    expect(await page.locator('#feed li').first().innerText()).toContain('Seen on the status page');
    await expect.poll(() => liveCount(page, 'DEAL'), { timeout: 10_000 }).toBe(dealsBefore + 1);
    await expect.poll(() => page.locator('#chart-summary').innerText()).toMatch(/\d+ changes in the last hour/);

    await page.screenshot({ path: new URL('status-page-desktop.png', ARTIFACTS).pathname });
    await page.setViewportSize(PHONE);
    await page.waitForTimeout(300);
    // Readable on a phone: one column, nothing wider than the screen.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
    await page.screenshot({ path: new URL('status-page-phone.png', ARTIFACTS).pathname });
    await page.screenshot({ path: new URL('status-page-phone-full.png', ARTIFACTS).pathname, fullPage: true });
    await page.setViewportSize(DESKTOP);
  });

  it('filters the feed by type and kind, and pauses it', async () => {
    const deal = feedRows(page, 'Seen on the status page');
    await page.locator('#type-filter').selectOption('LEAD');
    await expect.poll(() => deal.count()).toBe(0);
    await page.locator('#type-filter').selectOption('DEAL');
    await expect.poll(() => deal.count()).toBe(1);
    await page.getByRole('checkbox', { name: 'Created' }).uncheck();
    await expect.poll(() => deal.count()).toBe(0);
    await page.getByRole('checkbox', { name: 'Created' }).check();
    await page.locator('#type-filter').selectOption('');
    await expect.poll(() => deal.count()).toBe(1);

    // Pause with the keyboard: new changes wait, counted on the button, until resumed.
    await page.locator('#pause').focus();
    await page.keyboard.press('Enter');
    expect(await page.locator('#pause').innerText()).toBe('Resume');
    await upstream([{ op: 'create', type: 'deal', data: { name: 'Held while paused' } }]);
    await expect.poll(() => page.locator('#pause').innerText(), { timeout: 10_000 }).toBe('Resume (1 new)');
    expect(await feedRows(page, 'Held while paused').count()).toBe(0);
    await page.keyboard.press('Space');
    expect(await page.locator('#pause').innerText()).toBe('Pause');
    await expect.poll(() => feedRows(page, 'Held while paused').count()).toBe(1);
    expect(await page.locator('#feed li').first().innerText()).toContain('Held while paused');
  });

  it('resumes the feed from its last cursor after the WebSocket drops: nothing missed, nothing twice', async () => {
    const p = await newPage();
    /** Subscribe payloads of the feed the page sent, and the last cursor the server sent it. */
    const feedSubscriptions: Array<{ variables: { after: string | null } }> = [];
    let lastCursor: string | undefined;
    let reachable = true;
    const sockets: WebSocketRoute[] = [];
    // A transparent proxy of the page's WebSocket that can cut it, and refuse new ones.
    await p.routeWebSocket(/\/graphql$/, (ws) => {
      if (!reachable) {
        void ws.close({ code: 1012, reason: 'test: gateway unreachable' });
        return;
      }
      const server = ws.connectToServer();
      sockets.push(ws);
      ws.onMessage((message) => {
        const msg = JSON.parse(String(message));
        if (msg.type === 'subscribe' && String(msg.payload.query).includes('StatusPageFeed')) feedSubscriptions.push(msg.payload);
        server.send(message);
      });
      server.onMessage((message) => {
        const cursor = JSON.parse(String(message)).payload?.data?.changes?.cursor;
        if (cursor) lastCursor = cursor;
        ws.send(message);
      });
    });
    await p.goto(`${url}/`);
    await expect.poll(() => p.locator('#connection-text').innerText(), { timeout: 10_000 }).toBe('Live');
    expect(feedSubscriptions).toHaveLength(1);
    // It starts from the latest change (not from nothing), so a drop before any event loses nothing either.
    expect(feedSubscriptions[0]!.variables.after).toMatch(/^\d+$/);

    await upstream([{ op: 'create', type: 'deal', data: { name: 'Before the drop' } }]);
    await feedRows(p, 'Before the drop').waitFor({ timeout: 10_000 });
    const cursorBeforeDrop = lastCursor;
    expect(cursorBeforeDrop).toBeDefined();

    // The connection drops and cannot come back for a while; meanwhile a deal is created and mirrored.
    reachable = false;
    await sockets.at(-1)!.close({ code: 1012, reason: 'test: connection lost' });
    await expect.poll(() => p.locator('#connection-text').innerText(), { timeout: 10_000 }).toBe('Reconnecting…');
    await upstream([{ op: 'create', type: 'deal', data: { name: 'Made while offline' } }]);
    await expect
      .poll(async () => (await graphql('{ deals(where: { name: { eq: "Made while offline" } }) { totalCount } }')).deals.totalCount, { timeout: 15_000 })
      .toBe(1);
    expect(await feedRows(p, 'Made while offline').count()).toBe(0);

    reachable = true;
    await expect.poll(() => p.locator('#connection-text').innerText(), { timeout: 30_000 }).toBe('Live');
    await feedRows(p, 'Made while offline').waitFor({ timeout: 10_000 });
    // One new subscription, after the last event received before the drop.
    expect(feedSubscriptions).toHaveLength(2);
    expect(feedSubscriptions[1]!.variables.after).toBe(cursorBeforeDrop);
    expect(await feedRows(p, 'Before the drop').count()).toBe(1);
    expect(await feedRows(p, 'Made while offline').count()).toBe(1);
    await p.close();
  });

  it('asks for an API key when the gateway needs one, and keeps it for the tab', async () => {
    const key = 'status-page-browser-key-0123456789';
    const keyed = start({
      PORT: '0',
      SIMULATOR_PORT: '0',
      SIMULATOR_OBJECTS: '100',
      SIMULATOR_ACTIVITY: '0',
      GATEWAY_API_KEYS: key,
    });
    const keyedUrl = String((await keyed.waitFor((l) => String(l.msg).startsWith('gateway ready'))).url);
    await keyed.waitFor((l) => String(l.msg).startsWith('sync session finished'));
    // Its own page: the refused requests log 401s, which are expected here.
    const p = await browser.newPage({ viewport: DESKTOP });
    await p.goto(`${keyedUrl}/`);
    await expect.poll(() => p.locator('#connection-text').innerText(), { timeout: 10_000 }).toBe('API key needed');
    expect(await p.locator('#notice').innerText()).toContain('needs an API key');
    expect(await p.evaluate(() => document.activeElement?.id)).toBe('api-key');

    await p.getByLabel('API key').fill('not-the-key-0123456789');
    await p.keyboard.press('Enter');
    await expect.poll(() => p.locator('#notice').innerText()).toContain('refused');

    await p.getByLabel('API key').fill(key);
    await p.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => p.locator('#connection-text').innerText(), { timeout: 10_000 }).toBe('Live');
    await expect.poll(() => p.locator('#sync-state').innerText(), { timeout: 10_000 }).toBe('Idle');
    expect(await p.locator('#notice').isHidden()).toBe(true);
    expect(await liveCount(p, 'LEAD')).toBeGreaterThan(0);
    expect(await p.evaluate(() => Object.values(sessionStorage))).toEqual([key]);

    await p.reload();
    await expect.poll(() => p.locator('#connection-text').innerText(), { timeout: 10_000 }).toBe('Live');
    await p.getByRole('button', { name: 'Clear' }).click();
    await expect.poll(() => p.locator('#connection-text').innerText(), { timeout: 10_000 }).toBe('API key needed');
    expect(await p.evaluate(() => sessionStorage.length)).toBe(0);
    await p.close();
  });

  it('logged no error (a CSP violation would be one)', () => {
    expect(problems).toEqual([]);
  });
});
