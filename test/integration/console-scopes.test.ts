import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KeyScopesDocument } from '../generated/graphql';
import { CONSOLE_WIDTHS, type ConsolePage, consoleSuite, keyRow, openConsole, readReveal, seriousA11yViolations, sidewaysOverflow, signInAs } from '../helpers/console-browser';
import { createApp, createKey } from '../helpers/fixtures';
import type { TestServer } from '../helpers/test-server';

/**
 * Issue 21's console part (DESIGN.md, Scopes and Console, second edition): an app declares
 * its scopes in its settings, the key dialogs grant them in a group named "Scopes", and the
 * key's page and the keys table show them. What the console saved is read back from the API
 * and from /auth/verify, at a laptop's 1280 px and a phone's 390 px.
 */
const suite = consoleSuite('console-scopes.test.ts');

/** The effective scopes /auth/verify answers for a key. */
async function verifiedScopes(server: TestServer, key: string): Promise<string[]> {
  const response = await fetch(`${server.baseUrl}/auth/verify`, { headers: { authorization: `Bearer ${key}` } });
  expect(response.status).toBe(200);
  return ((await response.json()) as { scopes: string[] }).scopes;
}

/** The text of the error an input's aria-describedby points at (the one "beside the field"). */
async function errorBeside(page: Page, input: ReturnType<Page['getByLabel']>): Promise<string | null> {
  await expect.poll(() => input.getAttribute('aria-invalid')).toBe('true');
  const ids = ((await input.getAttribute('aria-describedby')) ?? '').split(' ').filter((id) => id.endsWith('-error'));
  expect(ids).toHaveLength(1);
  return page.locator(`[id="${ids[0]}"]`).textContent();
}

for (const width of CONSOLE_WIDTHS) {
  describe.skipIf(!suite.installed)(`scopes in the console at ${width} px`, () => {
    let ui: ConsolePage;
    let page: Page;
    let appId: string;
    let bareAppId: string;
    const appName = `Orders ${width}`;
    const keyName = `fulfilment-${width}`;
    let keyId: string;
    let secret: string;
    const settings = () => `${suite.server.baseUrl}/console/apps/${appId}/settings`;

    beforeAll(async () => {
      if (!suite.installed) return;
      appId = (await createApp(suite.server.root, appName)).id;
      bareAppId = (await createApp(suite.server.root, `No scopes ${width}`)).id;
      // Another key in the table, holding no scope.
      await createKey(suite.server.root, { appId, mode: 'LIVE', name: `older-${width}` });
      ui = await openConsole(suite.browser, suite.server, width);
      page = ui.page;
      await signInAs(page, suite.server.rootKey);
    });
    afterAll(async () => {
      await ui?.close();
    });

    it('declaring: an invalid name is refused beside its row in plain words; two scopes are saved as the app\'s list', async () => {
      await page.goto(settings());
      const group = page.getByRole('group', { name: 'Scopes' });
      await group.getByText('No scopes declared.').waitFor();
      await group.getByRole('button', { name: 'Add scope' }).click();
      await group.getByLabel('Name of scope 1', { exact: true }).fill('Orders Read');
      await page.getByRole('button', { name: 'Save scopes' }).click();
      expect(await errorBeside(page, group.getByLabel('Name of scope 1', { exact: true }))).toBe(
        'Scope name "Orders Read" is not valid: 1–64 characters, lowercase letters, digits and _ . : -, starting with a letter',
      );
      expect(await page.getByRole('main').textContent()).not.toMatch(/Variable "\$|BAD_USER_INPUT/);
      // The error names the rules; the page is still usable by everyone while it shows.
      expect(await seriousA11yViolations(page)).toEqual([]);

      await group.getByLabel('Name of scope 1', { exact: true }).fill('orders:read');
      await group.getByLabel('Description of scope 1', { exact: true }).fill('Read orders and their lines');
      await group.getByRole('button', { name: 'Add scope' }).click();
      await group.getByLabel('Name of scope 2', { exact: true }).fill('orders:refund');
      await group.getByLabel('Description of scope 2', { exact: true }).fill('Refund an order');
      await page.getByRole('button', { name: 'Save scopes' }).click();
      await page.getByRole('status').filter({ hasText: 'Scopes saved.' }).waitFor();
      expect(await group.getByRole('alert').count()).toBe(0);

      // A reload shows what the API holds.
      await page.reload();
      await expect.poll(() => group.getByLabel(/^Name of scope \d$/).evaluateAll((inputs) => inputs.map((i) => (i as unknown as { value: string }).value))).toEqual(['orders:read', 'orders:refund']);
      expect(await group.getByLabel('Description of scope 2', { exact: true }).inputValue()).toBe('Refund an order');
      expect({ overflow: await sidewaysOverflow(page) }).toEqual({ overflow: [] });
      expect(await seriousA11yViolations(page)).toEqual([]);
      // The committed screenshot is of the window: the Scopes section at its top.
      await page.getByRole('heading', { name: 'Scopes', exact: true }).evaluate((h) => (h as unknown as { scrollIntoView(): void }).scrollIntoView());
      await ui.screenshot(width === 1280 ? 'docs-app-scopes' : `app-scopes-${width}`);
    });

    it('granting: the create dialog grants one declared scope, shown on the key page and in the keys table', async () => {
      await page.goto(`${suite.server.baseUrl}/console/apps/${appId}/keys`);
      await page.getByRole('button', { name: 'Create key' }).click();
      const dialog = page.getByRole('dialog', { name: /^Create key/ });
      await dialog.getByLabel('Name', { exact: true }).fill(keyName);
      await dialog.getByLabel('Kind').selectOption('SECRET');
      await dialog.getByLabel('Role').selectOption({ label: 'Read only' });
      const scopes = dialog.getByRole('group', { name: 'Scopes' });
      await scopes.getByRole('checkbox', { name: /^orders:refund/ }).waitFor();
      await scopes.getByRole('checkbox', { name: /^orders:read/ }).check();
      expect({ overflow: await sidewaysOverflow(page) }).toEqual({ overflow: [] });
      await ui.screenshot(`scopes-create-key-${width}`);
      await dialog.getByRole('button', { name: 'Create key' }).click();
      secret = await readReveal(page);
      expect(await verifiedScopes(suite.server, secret)).toEqual(['orders:read', 'public', 'read']);

      const row = keyRow(page, keyName, /Active/);
      await row.waitFor();
      // The phone's compact table keeps name, status and actions; the scopes are on the key's page.
      if (width === 1280) await row.getByText('orders:read').waitFor();
      expect({ overflow: await sidewaysOverflow(page) }).toEqual({ overflow: [] });
      await row.getByRole('link', { name: keyName }).click();
      await page.getByRole('heading', { level: 1, name: keyName }).waitFor();
      keyId = new URL(page.url()).pathname.split('/').pop() ?? '';
      const details = page.locator('.details-list div').filter({ has: page.getByRole('term').filter({ hasText: /^Scopes$/ }) });
      await details.getByText('orders:read', { exact: true }).waitFor();
      await details.getByText('plus the built-in ones of its kind and role').waitFor();
      expect({ overflow: await sidewaysOverflow(page) }).toEqual({ overflow: [] });
      await ui.screenshot(`scopes-key-page-${width}`);
    });

    it('editing: the edit dialog replaces the grant, and the key answers with its new scopes at once', async () => {
      await page.goto(`${suite.server.baseUrl}/console/apps/${appId}/keys/${keyId}`);
      await page.getByRole('button', { name: 'Edit', exact: true }).click();
      const dialog = page.getByRole('dialog', { name: `Edit ${keyName}` });
      const scopes = dialog.getByRole('group', { name: 'Scopes' });
      expect(await scopes.getByRole('checkbox', { name: /^orders:read/ }).isChecked()).toBe(true);
      await scopes.getByRole('checkbox', { name: /^orders:read/ }).uncheck();
      await scopes.getByRole('checkbox', { name: /^orders:refund/ }).check();
      await dialog.getByRole('button', { name: 'Save key' }).click();
      await dialog.waitFor({ state: 'hidden' });
      const details = page.locator('.details-list div').filter({ has: page.getByRole('term').filter({ hasText: /^Scopes$/ }) });
      await details.getByText('orders:refund', { exact: true }).waitFor();
      expect(await verifiedScopes(suite.server, secret)).toEqual(['orders:refund', 'public', 'read']);
      await page.getByRole('table', { name: `Audit events of ${keyName}, newest first` }).getByRole('cell', { name: 'key.update' }).waitFor();
    });

    it('an app key grants only the scopes it holds: the others are offered disabled, with the reason', async () => {
      const admin = await createKey(suite.server.root, { appId, mode: 'LIVE', role: 'ADMIN', name: `scoped-admin-${width}`, extra: { scopes: ['orders:read'] } });
      const own = await openConsole(suite.browser, suite.server, width);
      try {
        await signInAs(own.page, admin.secret);
        await own.page.goto(`${suite.server.baseUrl}/console/apps/${appId}/keys`);
        await own.page.getByRole('button', { name: 'Create key' }).click();
        const scopes = own.page.getByRole('dialog', { name: /^Create key/ }).getByRole('group', { name: 'Scopes' });
        await scopes.getByText('Scopes your key does not hold cannot be granted.', { exact: false }).waitFor();
        expect(await scopes.getByRole('checkbox', { name: /^orders:read/ }).isEnabled()).toBe(true);
        expect(await scopes.getByRole('checkbox', { name: /^orders:refund/ }).isDisabled()).toBe(true);
        expect(own.problems).toEqual([]);
      } finally {
        await own.close();
      }
    });

    it('removing: saving without a declared scope warns that every key loses it at once, and asks first', async () => {
      await page.goto(settings());
      const group = page.getByRole('group', { name: 'Scopes' });
      await group.getByRole('button', { name: 'Remove scope orders:refund' }).click();
      await page.getByText('Saving takes orders:refund from every key that holds it, at once.').waitFor();
      await page.getByRole('button', { name: 'Save scopes' }).click();
      const confirm = page.getByRole('dialog', { name: 'Remove 1 scope?' });
      await confirm.getByText(/will be taken from every key that holds it, at once/).waitFor();
      // Cancel keeps everything as it was.
      await confirm.getByRole('button', { name: 'Cancel' }).click();
      await confirm.waitFor({ state: 'hidden' });
      expect((await suite.server.root.ok(KeyScopesDocument, { id: keyId })).apiKey?.scopes).toEqual(['orders:refund']);

      await page.getByRole('button', { name: 'Save scopes' }).click();
      await confirm.getByRole('button', { name: 'Remove scopes' }).click();
      await page.getByRole('status').filter({ hasText: 'Scopes saved.' }).waitFor();
      expect((await suite.server.root.ok(KeyScopesDocument, { id: keyId })).apiKey?.scopes).toEqual([]);
      expect(await verifiedScopes(suite.server, secret)).toEqual(['public', 'read']);
      expect(ui.problems).toEqual([]);
    });

    it('an app that declares no scopes: the key dialog says so and points to its settings', async () => {
      await page.goto(`${suite.server.baseUrl}/console/apps/${bareAppId}/keys`);
      await page.getByRole('button', { name: 'Create key' }).click();
      const dialog = page.getByRole('dialog', { name: /^Create key/ });
      await dialog.getByText('Scopes: this app declares none yet.').waitFor();
      expect(await dialog.getByRole('group', { name: 'Scopes' }).count()).toBe(0);
      await dialog.getByRole('link', { name: "Declare them in the app's settings" }).click();
      await page.getByRole('heading', { name: `Settings of No scopes ${width}` }).waitFor();
      await page.getByRole('group', { name: 'Scopes' }).getByText('No scopes declared.').waitFor();
    });
  });
}
