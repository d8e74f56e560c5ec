import 'reflect-metadata';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONSOLE_DIST } from '../../src/modules/console/console-http';
import { consoleSuite, signInAs } from '../helpers/console-browser';
import { createApp } from '../helpers/fixtures';

/**
 * The console is split by page (console/vite.config.ts, Layout.tsx): a visitor downloads the
 * sign-in page's code only, a signed-in operator each page's on its first visit, and a page
 * whose code is slow or gone (an upgrade under an open console) still ends on that page.
 */
const suite = consoleSuite('console-code-split.test.ts');

/** The scripts index.html names: the entry and the libraries it preloads. */
const ENTRY_SCRIPTS = [...readFileSync(join(CONSOLE_DIST, 'index.html'), 'utf8').matchAll(/\/console\/assets\/([^"]+\.js)"/g)].map((m) => m[1]).sort();

describe.skipIf(!suite.installed)('the console split by page', () => {
  let context: BrowserContext;
  let page: Page;
  let appId: string;
  /** Every console script the page has requested, by file name, in order. */
  const scripts: string[] = [];

  beforeAll(async () => {
    if (!suite.installed) return;
    appId = (await createApp(suite.server.root, 'Split')).id;
    context = await suite.browser.newContext();
    page = await context.newPage();
    page.on('request', (request) => {
      const match = /\/console\/assets\/([^/]+\.js)$/.exec(request.url());
      if (match) scripts.push(match[1]);
    });
  });
  afterAll(async () => {
    await context?.close();
  });

  it('the sign-in page loads only the scripts index.html names, none of the signed-in console', async () => {
    await page.goto(`${suite.server.baseUrl}/console/`);
    await page.getByLabel('API key').waitFor();
    expect([...scripts].sort()).toEqual(ENTRY_SCRIPTS);
  });

  it('a page’s code is fetched when the page is first shown', async () => {
    await signInAs(page, suite.server.rootKey);
    await page.getByRole('heading', { name: 'Apps' }).waitFor();
    expect(scripts.some((s) => s.startsWith('SettingsPage-'))).toBe(false);
    await page.getByRole('navigation').getByRole('link', { name: 'Settings' }).click();
    await page.getByRole('heading', { name: 'Signing keys' }).waitFor();
    expect(scripts.filter((s) => s.startsWith('SettingsPage-'))).toHaveLength(1);
  });

  it('says "Loading…" in a status region while a page’s code is slow to come, then shows the page', async () => {
    let release = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    await page.route(/\/console\/assets\/UsagePage-[^/]+\.js$/, async (route) => {
      await held;
      await route.continue();
    });
    await page.goto(`${suite.server.baseUrl}/console/apps/${appId}/keys`);
    await page.getByRole('heading', { name: 'Keys of Split' }).waitFor();
    await page.getByRole('navigation').getByRole('link', { name: 'Usage' }).click();
    await page.getByRole('main').getByRole('status').filter({ hasText: 'Loading…' }).waitFor();
    release();
    await page.getByRole('heading', { name: 'Usage', level: 1 }).waitFor();
    expect(await page.getByRole('main').getByText('Loading…').count()).toBe(0);
    await page.unroute(/\/console\/assets\/UsagePage-[^/]+\.js$/);
  });

  it('reloads the console when a page’s code is gone (a newer build replaced it), and shows the page', async () => {
    let refused = 0;
    await page.route(/\/console\/assets\/AuditPage-[^/]+\.js$/, (route) => {
      refused += 1;
      return refused === 1 ? route.fulfill({ status: 404, body: 'gone' }) : route.continue();
    });
    await page.getByRole('navigation').getByRole('link', { name: 'Audit log' }).click();
    await page.getByText(/^Chain verified/).waitFor();
    expect(refused).toBe(2);
    expect(new URL(page.url()).pathname).toBe(`/console/apps/${appId}/audit`);
  });

  it('says so, with a Reload button, when a page’s code is still gone after that reload (no reload loop)', async () => {
    const webhooksCode = /\/console\/assets\/WebhooksPage-[^/]+\.js$/;
    let refused = 0;
    await page.route(webhooksCode, (route) => {
      refused += 1;
      return route.fulfill({ status: 404, body: 'gone' });
    });
    await page.getByRole('navigation').getByRole('link', { name: 'Webhooks' }).click();
    const alert = page.getByRole('alert').filter({ hasText: 'This page could not be loaded' });
    await alert.waitFor();
    // At most the first attempt and the one after the single reload.
    expect(refused).toBeGreaterThanOrEqual(1);
    expect(refused).toBeLessThanOrEqual(2);
    await page.unroute(webhooksCode);
    await alert.getByRole('button', { name: 'Reload' }).click();
    await page.getByRole('heading', { name: /Webhooks/, level: 1 }).waitFor();
    expect(new URL(page.url()).pathname).toBe(`/console/apps/${appId}/webhooks`);
  });
});
