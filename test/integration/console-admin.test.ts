import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppsDocument } from '../generated/graphql';
import { CHROMIUM_MISSING, chromiumInstalled, launchBrowser, type LaunchedBrowser } from '../helpers/browser';
import { type ConsolePage, createAppInConsole, openConsole, signInAs } from '../helpers/console-browser';
import { startTestServer, type TestServer } from '../helpers/test-server';

/** Root's screens: an app's settings and deletion, and the signing keys. */
const INSTALLED = chromiumInstalled();
if (!INSTALLED) console.warn(`console-admin.test.ts: ${CHROMIUM_MISSING}`);

let server: TestServer;
let launched: LaunchedBrowser | null;
let ui: ConsolePage;
let page: Page;

beforeAll(async () => {
  if (!INSTALLED) return;
  server = await startTestServer();
  launched = await launchBrowser();
  if (!launched) throw new Error('Chromium did not start');
  ui = await openConsole(launched.browser, server);
  page = ui.page;
  await signInAs(page, server.rootKey);
});
afterAll(async () => {
  await launched?.close();
  await server?.close();
});

describe.skipIf(!INSTALLED)('apps as root', () => {
  it('changes an app’s settings', async () => {
    await createAppInConsole(page, 'Settings app');
    await page.getByRole('navigation').getByRole('link', { name: 'Apps' }).click();
    await page.getByRole('link', { name: 'Settings of Settings app' }).click();
    await page.getByLabel('Allowed origins').fill('https://shop.example.com');
    await page.getByLabel('Default token lifetime (seconds)').fill('900');
    await page.getByRole('button', { name: 'Save settings' }).click();
    await page.getByText('Saved.').waitFor();
    const apps = await server.root.ok(AppsDocument, { first: 100 });
    expect(apps.apps.nodes.find((a) => a.name === 'Settings app')).toMatchObject({ allowedOrigins: ['https://shop.example.com'], defaultTokenLifetime: 900 });
  });

  it('deletes an app only once its name is typed', async () => {
    await page.getByRole('button', { name: 'Delete app' }).click();
    const dialog = page.getByRole('dialog', { name: 'Delete Settings app?' });
    const confirm = dialog.getByRole('button', { name: 'Delete app' });
    expect(await confirm.isDisabled()).toBe(true);
    await dialog.getByLabel("Type the app's name to confirm").fill('Settings ap');
    expect(await confirm.isDisabled()).toBe(true);
    await dialog.getByLabel("Type the app's name to confirm").fill('Settings app');
    await confirm.click();
    await page.getByRole('heading', { name: 'Apps' }).waitFor();
    const apps = await server.root.ok(AppsDocument, { first: 100 });
    expect(apps.apps.nodes.map((a) => a.name)).not.toContain('Settings app');
  });
});

describe.skipIf(!INSTALLED)('publishable keys', () => {
  it('are revealed as public and stay readable in the keys list', async () => {
    await createAppInConsole(page, 'Web app');
    await page.getByRole('button', { name: 'Create key' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Name').fill('web');
    await dialog.getByLabel('Kind').selectOption('PUBLISHABLE');
    expect(await dialog.getByLabel('Role').count()).toBe(0);
    await dialog.getByRole('button', { name: 'Create key' }).click();
    await dialog.getByText('This publishable key is public by design').waitFor();
    const value = await dialog.getByLabel('Secret key').inputValue();
    expect(value).toMatch(/^pk_live_/);
    // Nothing is lost by closing without copying: no second question.
    await dialog.getByRole('button', { name: 'Done' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await page.getByRole('row').filter({ hasText: value }).waitFor();
  });
});

describe.skipIf(!INSTALLED)('signing keys as root', () => {
  it('lists the current key and, after a rotation, the retired one', async () => {
    await page.getByRole('navigation').getByRole('link', { name: 'Settings' }).click();
    await page.getByRole('heading', { name: 'Signing keys' }).waitFor();
    await page.getByRole('button', { name: 'Rotate signing key' }).click();
    await page.getByRole('dialog', { name: 'Rotate signing key' }).getByRole('button', { name: 'Rotate signing key' }).click();
    await page.getByRole('dialog').waitFor({ state: 'hidden' });
    await page.getByRole('button', { name: 'Rotate signing key' }).click();
    await page.getByRole('dialog', { name: 'Rotate signing key' }).getByRole('button', { name: 'Rotate signing key' }).click();
    await page.getByRole('cell', { name: /^Retired / }).first().waitFor();
    const states = await page.getByRole('table').locator('tbody tr td:nth-child(4)').allTextContents();
    expect(states[0]).toBe('Current');
    expect(states.slice(1).every((s) => s.startsWith('Retired '))).toBe(true);
    expect(states.length).toBeGreaterThanOrEqual(2);
    await ui.screenshot('settings');
    expect(ui.problems).toEqual([]);
  });
});
