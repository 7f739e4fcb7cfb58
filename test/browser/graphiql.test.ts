// GraphiQL in a real browser against a running `start`: it loads, a query typed into it returns
// synced data, and a subscription started in it shows an event after a change upstream.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { DEMO_TOKEN } from '../../src/simulator/index.ts';
import { ARTIFACTS, describeInBrowser, launchBrowser } from '../fixtures/browser.ts';
import { runCli, type CliProcess } from '../fixtures/cli.ts';

describeInBrowser('GraphiQL', () => {
  let dataDir = '';
  let url = '';
  let simulator = '';
  let gateway: CliProcess | undefined;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'bsg-graphiql-'));
    gateway = runCli(['start'], { DATA_DIR: dataDir, PORT: '0', SIMULATOR_PORT: '0', SIMULATOR_OBJECTS: '500', SIMULATOR_ACTIVITY: '0' });
    simulator = String((await gateway.waitFor((l) => typeof l.simulator === 'string')).simulator);
    url = String((await gateway.waitFor((l) => String(l.msg).startsWith('gateway ready'))).url);
    await gateway.waitFor((l) => String(l.msg).startsWith('sync session finished'));
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  });
  afterAll(async () => {
    await browser?.close();
    // Stopped (its embedded Postgres with it) before its data goes.
    await gateway?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  /** Replaces the operation in GraphiQL's editor by typing it, then runs it. */
  async function run(operation: string) {
    const editor = page.locator('.graphiql-query-editor .monaco-editor, .graphiql-query-editor .CodeMirror').first();
    await editor.click();
    await page.keyboard.press('ControlOrMeta+A');
    await page.keyboard.press('Delete');
    // One line, so the editor's auto-indent has nothing to add; its auto-closed brackets are typed over.
    await page.keyboard.type(operation);
    // GraphiQL picks up the operation's name from the editor after a short debounce.
    await page.waitForTimeout(1000);
    await page.keyboard.press('ControlOrMeta+Enter');
  }

  // The response pane's text, with the editor's non-breaking spaces made plain.
  const response = async () => (await page.locator('.graphiql-response').first().innerText()).replaceAll('\u00a0', ' ');

  it('loads, and runs a query typed into it on synced data', async () => {
    await page.goto(`${url}/graphql`);
    await page.locator('.graphiql-container').first().waitFor();
    await run('query FirstDeals { deals(first: 3, orderBy: [{ field: BASE_ID, direction: ASC }]) { totalCount edges { node { baseId name } } } }');
    await expect.poll(response, { timeout: 20_000 }).toContain('"totalCount"');
    await page.screenshot({ path: new URL('graphiql-query.png', ARTIFACTS).pathname });
    expect(await response()).toMatch(/"name": "[^"]+"/);
  });

  it('shows an event of a subscription started in it', async () => {
    await run('subscription DealFeed { dealChanged { kind node { name value } } }');
    await page.waitForTimeout(1000);
    const res = await fetch(`${simulator}/_sim/changes`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${DEMO_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify([{ op: 'create', type: 'deal', data: { name: 'Seen in GraphiQL', value: '4242.00' } }]),
    });
    expect(res.status).toBe(200);
    await expect.poll(response, { timeout: 20_000 }).toContain('Seen in GraphiQL');
    expect(await response()).toContain('"kind": "CREATED"');
    await page.screenshot({ path: new URL('graphiql-subscription.png', ARTIFACTS).pathname });
  });
});
