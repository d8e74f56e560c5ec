import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_MISSING, chromiumInstalled, launchBrowser, type LaunchedBrowser } from '../helpers/browser';
import { type ConsolePage, createAppInConsole, createSecretKey, keyRow, openConsole, signInAs } from '../helpers/console-browser';
import { restClient, restError } from '../helpers/rest';
import { startTestServer, type TestServer } from '../helpers/test-server';

/** Disabling and enabling a key from the console; the verdict is read at GET /auth/verify, outside the browser. */
const INSTALLED = chromiumInstalled();
if (!INSTALLED) console.warn(`console-key-disabling.test.ts: ${CHROMIUM_MISSING}`);

let server: TestServer;
let launched: LaunchedBrowser | null;
let ui: ConsolePage;
let page: Page;
let secret: string;

beforeAll(async () => {
  if (!INSTALLED) return;
  server = await startTestServer();
  launched = await launchBrowser();
  if (!launched) throw new Error('Chromium did not start');
  ui = await openConsole(launched.browser, server);
  page = ui.page;
  await signInAs(page, server.rootKey);
  await createAppInConsole(page, 'Switch app');
  secret = await createSecretKey(page, 'switchable', 'Read only');
});
afterAll(async () => {
  await launched?.close();
  await server?.close();
});

const verify = () => restClient(server.baseUrl).call('/auth/verify', { key: secret });

describe.skipIf(!INSTALLED)('Disable key / Enable key', () => {
  it('asks before disabling; Cancel leaves the key working', async () => {
    expect((await verify()).status).toBe(200);
    await keyRow(page, 'switchable', /Active/).getByRole('button', { name: 'Disable key' }).click();
    const dialog = page.getByRole('dialog', { name: 'Disable switchable?' });
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'hidden' });
    expect((await verify()).status).toBe(200);
  });

  it('disables after the confirmation: the row says Disabled and verify answers 401 KEY_DISABLED', async () => {
    await keyRow(page, 'switchable', /Active/).getByRole('button', { name: 'Disable key' }).click();
    await page.getByRole('dialog', { name: 'Disable switchable?' }).getByRole('button', { name: 'Disable key' }).click();
    await keyRow(page, 'switchable', /Disabled/).waitFor();
    expect(await restError(await verify(), 401)).toMatchObject({ code: 'authentication_failed', reason: 'KEY_DISABLED' });
  });

  it('enables again without a question: the row says Active and verify answers 200', async () => {
    await keyRow(page, 'switchable', /Disabled/).getByRole('button', { name: 'Enable key' }).click();
    await keyRow(page, 'switchable', /Active/).waitFor();
    const response = await verify();
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ valid: true, key_id: expect.any(String) });
    expect(ui.problems).toEqual([]);
  });

  it('offers neither action to a read-only key', async () => {
    const readOnly = await openConsoleAs(secret);
    await readOnly.page.getByRole('table').waitFor();
    expect(await readOnly.page.getByRole('button', { name: /^(Disable|Enable) key$/ }).count()).toBe(0);
    expect(await readOnly.page.getByRole('button', { name: 'Edit' }).count()).toBe(0);
    await readOnly.close();
  });
});

async function openConsoleAs(key: string): Promise<ConsolePage> {
  const other = await openConsole(launched!.browser, server);
  await signInAs(other.page, key);
  return other;
}
