import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_MISSING, chromiumInstalled, launchBrowser, type LaunchedBrowser } from '../helpers/browser';
import { type ConsolePage, openConsole, signInAs } from '../helpers/console-browser';
import { startTestServer, type TestServer } from '../helpers/test-server';

/** The console links the API explorer (GraphiQL at /graphql) and opens it in a new tab, leaving the console as it was. */
const INSTALLED = chromiumInstalled();
if (!INSTALLED) console.warn(`console-explorer-link.test.ts: ${CHROMIUM_MISSING}`);

let server: TestServer;
let launched: LaunchedBrowser | null;
let ui: ConsolePage;

beforeAll(async () => {
  if (!INSTALLED) return;
  server = await startTestServer();
  launched = await launchBrowser();
  if (!launched) throw new Error('Chromium did not start');
  ui = await openConsole(launched.browser, server);
  await signInAs(ui.page, server.rootKey);
});
afterAll(async () => {
  await launched?.close();
  await server?.close();
});

describe.skipIf(!INSTALLED)('the "API explorer" link', () => {
  it('points at /graphql and opens a new tab without an opener', async () => {
    const link = ui.page.getByRole('link', { name: 'API explorer', exact: true });
    expect(await link.getAttribute('href')).toBe('/graphql');
    expect(await link.getAttribute('target')).toBe('_blank');
    expect((await link.getAttribute('rel'))?.split(' ')).toEqual(expect.arrayContaining(['noopener', 'noreferrer']));
    const [tab] = await Promise.all([ui.context.waitForEvent('page'), link.click()]);
    await tab.waitForLoadState('domcontentloaded');
    expect(new URL(tab.url()).pathname).toBe('/graphql');
    expect(await tab.evaluate('window.opener')).toBeNull();
    await tab.close();
    expect(new URL(ui.page.url()).pathname).toBe('/console/apps');
  });
});
