import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_MISSING, chromiumInstalled, launchBrowser, type LaunchedBrowser } from '../helpers/browser';
import { type ConsolePage, createAppInConsole, openConsole, signInAs } from '../helpers/console-browser';
import { startTestServer, type TestServer } from '../helpers/test-server';

/** What the console does with refusals: field errors beside their field, an ended session, a wrong key. */
const INSTALLED = chromiumInstalled();
if (!INSTALLED) console.warn(`console-errors.test.ts: ${CHROMIUM_MISSING}`);

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

/** The error the input's aria-describedby points at. */
async function errorOf(page: Page, label: string): Promise<string | null> {
  const input = page.getByRole('dialog').getByLabel(label, { exact: true });
  expect(await input.getAttribute('aria-invalid')).toBe('true');
  const ids = ((await input.getAttribute('aria-describedby')) ?? '').split(' ').filter((id) => id.endsWith('-error'));
  expect(ids).toHaveLength(1);
  return page.locator(`[id="${ids[0]}"]`).textContent();
}

describe.skipIf(!INSTALLED)('refusals in the console', () => {
  it('says why a key cannot sign in', async () => {
    await page.getByLabel('API key').fill('sk_live_not-a-real-key');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').filter({ hasText: 'Invalid API key provided' }).waitFor();
    await signInAs(page, server.rootKey);
  });

  it('shows a BAD_USER_INPUT error next to the field it names', async () => {
    await page.getByRole('button', { name: 'Create app' }).click();
    const dialog = page.getByRole('dialog', { name: 'Create app' });
    await dialog.getByLabel('Name').fill('Lifetimes');
    await dialog.getByLabel('Default token lifetime (seconds)').fill('5000');
    await dialog.getByLabel('Maximum token lifetime (seconds)').fill('600');
    await dialog.getByRole('button', { name: 'Create app' }).click();
    await dialog.getByRole('alert').waitFor();
    expect(await errorOf(page, 'Default token lifetime (seconds)')).toBe('defaultTokenLifetime must not exceed maxTokenLifetime');
    await page.keyboard.press('Escape');
  });

  it('shows a bad key name next to the Name field of Create key', async () => {
    await createAppInConsole(page, 'Errors app');
    await page.getByRole('button', { name: 'Create key' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Name').fill('   ');
    await dialog.getByRole('button', { name: 'Create key' }).click();
    await dialog.getByRole('alert').waitFor();
    expect(await errorOf(page, 'Name')).toMatch(/name/i);
    await page.keyboard.press('Escape');
  });

  it('offers to sign in again when the session ends under it', async () => {
    const [cookie] = await ui.context.cookies();
    // Signed out elsewhere (another tab, say): the server forgets the session.
    const out = await fetch(`${server.baseUrl}/console/session`, { method: 'DELETE', headers: { cookie: `${cookie.name}=${cookie.value}`, origin: server.baseUrl } });
    expect(out.status).toBe(204);
    await page.getByRole('navigation').getByRole('link', { name: 'Apps' }).click();
    await page.getByText('Your session has ended').waitFor();
    await signInAs(page, server.rootKey);
    await page.getByRole('heading', { name: 'Apps' }).waitFor();
    expect(ui.problems).toEqual([]);
  });
});
