// The status page tells the truth while the sync cannot work: with every Sync API call failing
// it shows "Stalled" and the error, and "Idle" again once the upstream is back.
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { DEMO_TOKEN } from '../../src/simulator/index.ts';
import { ARTIFACTS, describeInBrowser, launchBrowser } from '../fixtures/browser.ts';
import { runCli } from '../fixtures/cli.ts';
import { useTestDatabase } from '../fixtures/database.ts';
import { useSimulator } from '../fixtures/sync.ts';

describeInBrowser('status page while the sync is stalled', () => {
  const db = useTestDatabase();
  const sim = useSimulator({ world: { total: 100 }, ackDelayMs: 0 });
  let url = '';
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    const gateway = runCli(['serve'], {
      DATABASE_URL: db.url,
      BASE_API_URL: sim.url,
      BASE_ACCESS_TOKEN: DEMO_TOKEN,
      PORT: '0',
      SYNC_INTERVAL_MS: '200',
      SYNC_STALL_SECONDS: '2',
    });
    url = String((await gateway.waitFor((l) => String(l.msg).startsWith('gateway ready'))).url);
    await gateway.waitFor((l) => String(l.msg).startsWith('sync session finished'));
    browser = await launchBrowser();
    page = await browser.newPage();
  });
  afterAll(() => browser?.close());

  it('shows the stall and its cause, then the recovery', async () => {
    await page.goto(`${url}/`);
    await expect.poll(() => page.locator('#sync-state').innerText(), { timeout: 10_000 }).toBe('Idle');

    sim.setFaults({ serverErrors: { start: 1, queue: 1, ack: 1 } });
    await expect.poll(() => page.locator('#sync-state').innerText(), { timeout: 20_000 }).toBe('Stalled');
    expect(await page.locator('#sync-detail').innerText()).toContain('going stale');
    expect(await page.locator('#last-error-block').isVisible()).toBe(true);
    expect(await page.locator('#last-error').innerText()).toContain('500');
    expect(await page.locator('#last-progress time').count()).toBe(1);
    await page.screenshot({ path: new URL('status-page-stalled.png', ARTIFACTS).pathname });

    sim.setFaults({});
    await expect.poll(() => page.locator('#sync-state').innerText(), { timeout: 60_000 }).toBe('Idle');
  });
});
