import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_MISSING, chromiumInstalled, launchBrowser, type LaunchedBrowser } from '../helpers/browser';
import { type ConsolePage, createAppInConsole, createSecretKey, keyRow, openConsole, readReveal, seriousA11yViolations, signInAs } from '../helpers/console-browser';
import { startTestServer, type TestServer } from '../helpers/test-server';

/** axe-core on every screen and dialog (no serious or critical violation), and every dialog by keyboard alone. */
const INSTALLED = chromiumInstalled();
if (!INSTALLED) console.warn(`console-a11y.test.ts: ${CHROMIUM_MISSING}`);

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
});
afterAll(async () => {
  await launched?.close();
  await server?.close();
});

const nav = (name: string) => page.getByRole('navigation').getByRole('link', { name }).click();

async function expectAccessible(screen: string) {
  const violations = await seriousA11yViolations(page);
  expect({ screen, violations }).toEqual({ screen, violations: [] });
}

describe.skipIf(!INSTALLED)('every console screen under axe-core', () => {
  it('finds a seeded violation (the scan itself works)', async () => {
    await page.getByLabel('API key').waitFor();
    await page.evaluate(`document.body.insertAdjacentHTML('beforeend', '<button id="seeded"></button>')`);
    expect((await seriousA11yViolations(page)).map((v) => v.id)).toContain('button-name');
    await page.evaluate(`document.getElementById('seeded').remove()`);
  });

  it('sign-in', async () => {
    await page.getByLabel('API key').waitFor();
    await expectAccessible('sign-in');
    await signInAs(page, server.rootKey);
  });

  it('apps and the Create app dialog', async () => {
    await page.getByRole('heading', { name: 'Apps' }).waitFor();
    await expectAccessible('apps');
    await page.getByRole('button', { name: 'Create app' }).click();
    await page.getByRole('dialog', { name: 'Create app' }).waitFor();
    await expectAccessible('create app dialog');
    await page.keyboard.press('Escape');
    await page.getByRole('dialog').waitFor({ state: 'hidden' });
    await createAppInConsole(page, 'Accessible app');
  });

  it('keys, the Create key dialog, the reveal, Rotate and Revoke', async () => {
    await expectAccessible('keys (empty)');
    await page.getByRole('button', { name: 'Create key' }).click();
    await page.getByRole('dialog').getByLabel('Name').waitFor();
    await expectAccessible('create key dialog');
    await page.keyboard.press('Escape');
    await createSecretKey(page, 'worker');
    await keyRow(page, 'worker', /Active/).getByRole('button', { name: 'Rotate' }).click();
    await page.getByRole('dialog', { name: 'Rotate worker' }).waitFor();
    await expectAccessible('rotate dialog');
    await page.getByRole('dialog').getByRole('button', { name: 'Rotate key' }).click();
    await page.getByRole('dialog').getByLabel('Secret key').waitFor();
    await expectAccessible('secret reveal');
    await readReveal(page);
    await keyRow(page, 'worker', /Active/).getByRole('button', { name: 'Revoke' }).click();
    await page.getByRole('dialog', { name: 'Revoke worker?' }).waitFor();
    await expectAccessible('revoke dialog');
    await page.keyboard.press('Escape');
    await expectAccessible('keys (with rows)');
    await ui.screenshot('keys-rotating');
  });

  it('usage, rotations, audit log, settings and app settings', async () => {
    await nav('Usage');
    await page.getByRole('figure', { name: 'Usage' }).waitFor();
    await expectAccessible('usage');
    await nav('Rotations');
    await page.getByRole('button', { name: 'Complete rotation' }).waitFor();
    await expectAccessible('rotations');
    await ui.screenshot('rotations');
    await nav('Audit log');
    await page.getByText(/^Chain verified/).waitFor();
    await expectAccessible('audit log');
    await nav('Settings');
    await page.getByRole('heading', { name: 'Signing keys' }).waitFor();
    await expectAccessible('settings');
    await nav('Apps');
    await page.getByRole('link', { name: 'Settings of Accessible app' }).click();
    await page.getByRole('button', { name: 'Delete app' }).click();
    await page.getByRole('dialog', { name: 'Delete Accessible app?' }).waitFor();
    await expectAccessible('delete app dialog');
    await page.keyboard.press('Escape');
  });
});

describe.skipIf(!INSTALLED)('dialogs by keyboard alone', () => {
  it('Create key: open, fill, submit with Enter; the reveal asks before Escape loses the key', async () => {
    await nav('Keys');
    await page.getByRole('button', { name: 'Create key' }).focus();
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog');
    // The modal dialog moved focus to its first field.
    await expect.poll(() => page.evaluate(`document.activeElement?.closest('dialog') !== null`)).toBe(true);
    await page.keyboard.type('keyboard-key');
    await page.keyboard.press('Enter');
    await dialog.getByLabel('Secret key').waitFor();
    await page.keyboard.press('Escape');
    await dialog.getByText('You have not copied the key.').waitFor();
    // Focus is on "Back"; one step back is "Close without copying".
    await page.keyboard.press('Shift+Tab');
    await page.keyboard.press('Enter');
    await dialog.waitFor({ state: 'hidden' });
    await keyRow(page, 'keyboard-key', /Active/).waitFor();
  });

  it('Revoke: Escape cancels, Enter on "Revoke key" revokes', async () => {
    await keyRow(page, 'keyboard-key', /Active/).getByRole('button', { name: 'Revoke' }).focus();
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: 'Revoke keyboard-key?' });
    await dialog.waitFor();
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    await keyRow(page, 'keyboard-key', /Active/).getByRole('button', { name: 'Revoke' }).focus();
    await page.keyboard.press('Enter');
    await dialog.waitFor();
    await page.keyboard.type('no longer needed');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await dialog.waitFor({ state: 'hidden' });
    await keyRow(page, 'keyboard-key', /Revoked/).waitFor();
    expect(ui.problems).toEqual([]);
  });
});
