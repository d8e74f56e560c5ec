import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONSOLE_WIDTHS, type ConsolePage, consoleSuite, keyRow, openConsole, sidewaysOverflow, seriousA11yViolations, signInAs, verifyStatus, setTestMode } from '../helpers/console-browser';
import { createApp, createKey } from '../helpers/fixtures';

/**
 * DESIGN.md "Console, second edition", point by point, at a laptop's 1280 px and a
 * phone's 390 px: no sideways scrolling, a page per key, errors beside their field in plain
 * words, focus back on the opener, test mode in the URL, one current nav item, names in
 * the audit log. One browser and one server for the file; a fresh context per width.
 */
const suite = consoleSuite('console-second-edition.test.ts');

const PAGES = ['Keys', 'Usage', 'Rotations', 'Audit log', 'Webhooks', 'Gateway', 'Settings'] as const;

async function currentNavItems(page: Page): Promise<string[]> {
  return page.getByRole('navigation').locator('a[aria-current="page"]').allTextContents();
}

/** The error text the input's aria-describedby points at (the one "beside the field"). */
async function errorBeside(page: Page, label: string): Promise<string | null> {
  const input = page.getByRole('dialog').getByLabel(label, { exact: true });
  await expect.poll(() => input.getAttribute('aria-invalid')).toBe('true');
  const ids = ((await input.getAttribute('aria-describedby')) ?? '').split(' ').filter((id) => id.endsWith('-error'));
  expect(ids).toHaveLength(1);
  return page.locator(`[id="${ids[0]}"]`).textContent();
}

async function focusedName(page: Page): Promise<string | null> {
  return page.evaluate(() => {
    const active = (globalThis as unknown as { document: { activeElement: { getAttribute(n: string): string | null; textContent: string | null } | null } }).document.activeElement;
    return active?.getAttribute('aria-label') ?? active?.textContent ?? null;
  });
}

for (const width of CONSOLE_WIDTHS) {
  describe.skipIf(!suite.installed)(`the console at ${width} px`, () => {
    let ui: ConsolePage;
    let page: Page;
    let appId: string;
    const appName = `Shop ${width}`;
    const keyName = `billing-backend-${width}`;
    const webName = `storefront-${width}`;
    let keyId: string;
    let webId: string;

    beforeAll(async () => {
      if (!suite.installed) return;
      appId = (await createApp(suite.server.root, appName, { allowedOrigins: ['https://shop.example.com'] })).id;
      await createApp(suite.server.root, `Other ${width}`);
      const secret = await createKey(suite.server.root, {
        appId,
        mode: 'LIVE',
        role: 'ADMIN',
        name: keyName,
        extra: { ownerId: 'customer-42', meta: { plan: 'pro' }, allowedIps: ['127.0.0.1', '10.0.0.0/8'], credits: { remaining: 500 } },
      });
      keyId = secret.id;
      webId = (await createKey(suite.server.root, { appId, mode: 'LIVE', kind: 'PUBLISHABLE', name: webName })).id;
      // Some use, so the chart and the sparkline have something to draw.
      for (let i = 0; i < 3; i++) expect(await verifyStatus(suite.server, secret.secret)).toBe(200);
      ui = await openConsole(suite.browser, suite.server, width);
      page = ui.page;
      await signInAs(page, suite.server.rootKey);
    });
    afterAll(async () => {
      await ui?.close();
    });

    it('nav state: exactly one current item on every page, and "Keys" works before any app is chosen', async () => {
      await page.getByRole('heading', { name: 'Apps' }).waitFor();
      expect(await currentNavItems(page)).toEqual(['Apps']);
      await page.getByRole('navigation').getByRole('link', { name: 'Keys' }).click();
      // Several apps: the console asks which one, and the app's keys are one click away.
      await page.getByRole('heading', { name: 'Keys: choose an app' }).waitFor();
      expect(await currentNavItems(page)).toEqual(['Keys']);
      await page.getByRole('link', { name: appName }).click();
      await page.getByRole('heading', { name: `Keys of ${appName}` }).waitFor();
      for (const name of PAGES) {
        await page.getByRole('navigation').getByRole('link', { name }).click();
        await expect.poll(() => currentNavItems(page)).toEqual([name]);
      }
      await page.getByRole('navigation').getByRole('link', { name: 'Keys' }).click();
      await page.getByRole('heading', { name: `Keys of ${appName}` }).waitFor();
      expect(await currentNavItems(page)).toEqual(['Keys']);
    });

    it('page width: no page scrolls sideways, and axe-core finds nothing serious', async () => {
      const visit = async (path: string, ready: () => Promise<void>, screen: string) => {
        await page.goto(`${suite.server.baseUrl}/console${path}`);
        await ready();
        expect({ screen, overflow: await sidewaysOverflow(page) }).toEqual({ screen, overflow: [] });
        expect({ screen, violations: await seriousA11yViolations(page) }).toEqual({ screen, violations: [] });
      };
      await visit('/apps', () => page.getByRole('cell', { name: appName, exact: true }).waitFor(), 'apps');
      await visit(`/apps/${appId}/keys`, () => keyRow(page, keyName, /Active/).waitFor(), 'keys');
      await ui.screenshot(`docs-keys${width === 1280 ? '' : `-${width}`}`);
      await visit(`/apps/${appId}/keys/${keyId}`, () => page.getByRole('figure', { name: 'Usage' }).locator('canvas').first().waitFor(), 'key page');
      await ui.screenshot(`docs-key-page${width === 1280 ? '' : `-${width}`}`);
      await visit(`/apps/${appId}/usage`, () => page.getByRole('figure', { name: 'Usage' }).locator('canvas').first().waitFor(), 'usage');
      await ui.screenshot(`docs-usage${width === 1280 ? '' : `-${width}`}`);
      await visit(`/apps/${appId}/rotations`, () => page.getByText('No rotations in grace.').waitFor(), 'rotations');
      await visit(`/apps/${appId}/audit`, () => page.getByText(/^Chain verified/).waitFor(), 'audit log');
      await ui.screenshot(`docs-audit-log${width === 1280 ? '' : `-${width}`}`);
      await visit(`/apps/${appId}/webhooks`, () => page.getByText('No live endpoints yet.').waitFor(), 'webhooks');
      await visit(`/apps/${appId}/settings`, () => page.getByRole('button', { name: 'Save settings' }).waitFor(), 'app settings');
      await visit('/settings', () => page.getByRole('heading', { name: 'Signing keys' }).waitFor(), 'settings');
      // The usage chart follows the page's width: it is never wider than the window.
      await page.goto(`${suite.server.baseUrl}/console/apps/${appId}/usage`);
      await page.getByRole('figure', { name: 'Usage' }).locator('canvas').first().waitFor();
      const widest = () =>
        page.evaluate(() => Math.max(...[...(globalThis as unknown as { document: { querySelectorAll(s: string): Iterable<{ getBoundingClientRect(): { width: number } }> } }).document.querySelectorAll('figure canvas')].map((c) => c.getBoundingClientRect().width)));
      await expect.poll(widest).toBeGreaterThan(width / 2);
      expect(await widest()).toBeLessThanOrEqual(width);
    });

    it('key page: the name in the table links to it; it shows details, effective origins, usage, audit events and actions', async () => {
      await page.goto(`${suite.server.baseUrl}/console/apps/${appId}/keys`);
      await keyRow(page, keyName, /Active/).getByRole('link', { name: keyName }).click();
      await page.getByRole('heading', { level: 1, name: keyName }).waitFor();
      expect(new URL(page.url()).pathname).toBe(`/console/apps/${appId}/keys/${keyId}`);
      await page.getByText('customer-42', { exact: true }).waitFor();
      await page.getByText(/^\d+ left$/).waitFor();
      await page.getByRole('figure', { name: 'Usage' }).waitFor();
      expect(Number(await page.getByRole('figure', { name: 'Usage' }).locator('[data-total="verifications"]').textContent())).toBeGreaterThanOrEqual(3);
      await page.getByRole('table', { name: `Audit events of ${keyName}, newest first` }).getByRole('cell', { name: 'key.create' }).waitFor();
      for (const action of ['Edit', 'Rotate', 'Disable key', 'Revoke']) await page.getByRole('button', { name: action, exact: true }).waitFor();

      // An action from the page: disabling asks first, then the status says so and the toast confirms it.
      await page.getByRole('button', { name: 'Disable key', exact: true }).click();
      await page.getByRole('dialog', { name: `Disable ${keyName}?` }).getByRole('button', { name: 'Disable key' }).click();
      await page.getByText(`${keyName} disabled.`).first().waitFor();
      await page.getByRole('button', { name: 'Enable key', exact: true }).click();
      await page.getByText(`${keyName} enabled.`).first().waitFor();
      await page.getByRole('button', { name: 'Disable key', exact: true }).waitFor();

      // A publishable key's page names the origins its calls are checked against (the app's, copied at creation).
      await page.goto(`${suite.server.baseUrl}/console/apps/${appId}/keys/${webId}`);
      await page.getByRole('heading', { level: 1, name: webName }).waitFor();
      await page.getByRole('term').filter({ hasText: 'Effective origins' }).waitFor();
      await page.getByText('https://shop.example.com').waitFor();
      expect(ui.problems).toEqual([]);
    });

    it('field errors: beside their field, in plain words, checked before the API for numbers', async () => {
      await page.goto(`${suite.server.baseUrl}/console/apps/${appId}/keys`);
      await page.getByRole('button', { name: 'Create key' }).click();
      const dialog = page.getByRole('dialog', { name: /^Create key/ });
      await dialog.getByLabel('Kind').selectOption('SECRET');
      await dialog.getByLabel('Name').fill('typo');
      await dialog.getByLabel('Credits').fill('abc');
      await dialog.getByLabel('Rate limit (requests per window)').fill('ten');
      await dialog.getByRole('button', { name: 'Create key' }).click();
      expect(await errorBeside(page, 'Credits')).toBe('Credits must be a whole number, e.g. 100');
      expect(await errorBeside(page, 'Rate limit (requests per window)')).toBe('Rate limit must be a whole number, e.g. 100');
      await dialog.getByLabel('Credits').fill('');
      await dialog.getByLabel('Rate limit (requests per window)').fill('');
      await dialog.getByLabel('Allowed IPs').fill('10.0.0.0/8\n999.1.1.1');
      await dialog.getByRole('button', { name: 'Create key' }).click();
      expect(await errorBeside(page, 'Allowed IPs')).toMatch(/^999\.1\.1\.1 is not an IP address or CIDR range/);
      expect(await dialog.textContent()).not.toMatch(/Variable "\$|allowedIps|credits\.remaining/);
      await page.keyboard.press('Escape');
      await dialog.waitFor({ state: 'hidden' });
      expect(await page.getByRole('rowheader', { name: 'typo' }).count()).toBe(0);
    });

    it('focus return: closing a dialog puts focus back on the button or menu that opened it', async () => {
      await page.getByRole('button', { name: 'Create key' }).click();
      await page.getByRole('dialog').getByLabel('Name').waitFor();
      await page.keyboard.press('Escape');
      await page.getByRole('dialog').waitFor({ state: 'hidden' });
      await expect.poll(() => focusedName(page)).toBe('Create key');

      await keyRow(page, keyName, /Active/).getByRole('button', { name: `Actions for ${keyName}` }).click();
      await page.getByRole('menuitem', { name: 'Edit', exact: true }).click();
      const edit = page.getByRole('dialog', { name: `Edit ${keyName}` });
      await edit.getByRole('button', { name: 'Cancel' }).click();
      await edit.waitFor({ state: 'hidden' });
      await expect.poll(() => focusedName(page)).toBe(`Actions for ${keyName}`);
    });

    it('test mode reload: the mode is in the URL, survives a reload and follows the links', async () => {
      await setTestMode(page, true);
      await page.getByText('No test keys here.').waitFor();
      expect(new URL(page.url()).searchParams.get('mode')).toBe('test');
      await page.reload();
      await page.getByText('Test mode: you are viewing test data.').waitFor();
      expect(await page.getByRole('switch', { name: 'Test mode' }).isChecked()).toBe(true);
      await page.getByText('No test keys here.').waitFor();
      await page.getByRole('navigation').getByRole('link', { name: 'Audit log' }).click();
      await page.getByRole('heading', { name: 'Audit log' }).waitFor();
      expect(new URL(page.url()).searchParams.get('mode')).toBe('test');
      await setTestMode(page, false);
      await expect.poll(() => new URL(page.url()).searchParams.get('mode')).toBe(null);
      await page.getByText('Test mode: you are viewing test data.').waitFor({ state: 'hidden' });
    });

    it('audit names: key and app names linked, app-level events included, filters applied as chosen', async () => {
      await page.goto(`${suite.server.baseUrl}/console/apps/${appId}/audit`);
      const table = page.getByRole('table', { name: 'Audit events, newest first' });
      // app.create is an app-level event (no mode): it shows in the live log.
      const created = table.getByRole('row').filter({ has: page.getByRole('cell', { name: /^app\.create/ }) });
      await created.getByRole('link', { name: appName }).waitFor();
      const keyCreated = table.getByRole('row').filter({ has: page.getByRole('cell', { name: 'key.create' }) }).filter({ has: page.getByRole('link', { name: keyName }) });
      await keyCreated.getByRole('cell', { name: 'Root key' }).waitFor();
      expect(await table.textContent()).not.toContain(keyId);
      // Filters apply at once (there is no Apply button).
      expect(await page.getByRole('button', { name: 'Apply filters' }).count()).toBe(0);
      await page.getByLabel('Action').selectOption('key.disable');
      await expect.poll(async () => (await table.locator('tbody tr td:nth-child(2)').allTextContents()).every((a) => a === 'key.disable')).toBe(true);
      expect(await table.locator('tbody tr').count()).toBe(1);
      await page.getByLabel('Action').selectOption('');
      await page.getByLabel('Target').selectOption({ label: webName });
      await expect.poll(() => table.locator('tbody tr').count()).toBe(1);
      await table.getByRole('link', { name: webName }).click();
      await page.getByRole('heading', { level: 1, name: webName }).waitFor();
      // The same app-level event shows in the test-mode log too.
      await page.goto(`${suite.server.baseUrl}/console/apps/${appId}/audit?mode=test`);
      await page.getByRole('table', { name: 'Audit events, newest first' }).getByRole('link', { name: appName }).waitFor();
      expect(ui.problems).toEqual([]);
    });
  });
}
