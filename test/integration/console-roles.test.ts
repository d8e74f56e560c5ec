import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BROWSER_SUITE_SKIPPED, browserLaunchError, browserSuite, launchBrowser, type LaunchedBrowser } from '../helpers/browser';
import { type ConsolePage, keyRow, openConsole, signInAs } from '../helpers/console-browser';
import { createApp, createKey } from '../helpers/fixtures';
import { startTestServer, type TestServer } from '../helpers/test-server';

/** Signed in with an app key, the console offers only what that key's role may do, in its own mode. */

let server: TestServer;
let launched: LaunchedBrowser | null;
let reader: Awaited<ReturnType<typeof createKey>>;
let admin: Awaited<ReturnType<typeof createKey>>;

beforeAll(async () => {
  if (BROWSER_SUITE_SKIPPED) return;
  server = await startTestServer();
  const appId = (await createApp(server.root, 'Roles app')).id;
  reader = await createKey(server.root, { appId, role: 'READ_ONLY', mode: 'LIVE', name: 'reader' });
  admin = await createKey(server.root, { appId, role: 'ADMIN', mode: 'TEST', name: 'admin' });
  await createKey(server.root, { appId, role: 'READ_ONLY', mode: 'LIVE', name: 'live-only' });
  launched = await launchBrowser();
  if (!launched) throw new Error(browserLaunchError());
});
afterAll(async () => {
  await launched?.close();
  await server?.close();
});

async function signedIn(key: string): Promise<ConsolePage> {
  const ui = await openConsole(launched!.browser, server);
  await signInAs(ui.page, key);
  return ui;
}

describe.skipIf(BROWSER_SUITE_SKIPPED)(browserSuite('the console for an app key'), () => {
  it('READ_ONLY: says so in the header and offers no change at all', async () => {
    const ui = await signedIn(reader.secret);
    const { page } = ui;
    expect(await page.getByLabel('Signed in as').textContent()).toBe('Roles app · live · read-only');
    await keyRow(page, 'reader', /Active/).waitFor();
    expect(await page.getByRole('button', { name: 'Create key' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: /^Actions for / }).count()).toBe(0);
    const links = await page.getByRole('navigation').getByRole('link').allTextContents();
    expect(links).toEqual(['Apps', 'Keys', 'Usage', 'Rotations', 'Gateway']);
    // The mode is the key's own: the switch shows it and cannot change it.
    expect(await page.getByRole('switch', { name: 'Test mode' }).isDisabled()).toBe(true);
    await ui.close();
  });

  it('ADMIN in test mode: manages test keys only, and never sees live ones', async () => {
    const ui = await signedIn(admin.secret);
    const { page } = ui;
    expect(await page.getByLabel('Signed in as').textContent()).toBe('Roles app · test · admin');
    await page.getByText('Test mode: you are viewing test data.').waitFor();
    expect(await page.getByRole('switch', { name: 'Test mode' }).isChecked()).toBe(true);
    await keyRow(page, 'admin', /Active/).getByRole('button', { name: 'Actions for admin' }).click();
    await page.getByRole('menuitem', { name: 'Rotate', exact: true }).waitFor();
    await page.keyboard.press('Escape');
    expect(await page.getByRole('rowheader', { name: 'live-only' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Create key' }).count()).toBe(1);
    const links = await page.getByRole('navigation').getByRole('link').allTextContents();
    expect(links).toEqual(['Apps', 'Keys', 'Usage', 'Rotations', 'Audit log', 'Webhooks', 'Gateway', 'Settings']);
    expect(ui.problems).toEqual([]);
    await ui.close();
  });
});
