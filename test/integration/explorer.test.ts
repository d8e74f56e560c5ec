import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LaunchedBrowser, BROWSER_SUITE_SKIPPED, browserLaunchError, browserSuite, launchBrowser } from '../helpers/browser';
import { startTestServer, type TestServer } from '../helpers/test-server';

/**
 * The API explorer works offline: GET /graphql in a browser serves GraphiQL bundled from
 * the registry, every asset from this server. In Chromium with every request that is not
 * to the server aborted, it loads, runs a query with a key in its Headers tab, and keeps
 * that key out of the browser's storage.
 */

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.close());

const ASSETS = ['/graphiql/graphiql.min.css', '/graphiql/graphiql.min.js', '/graphiql/react.production.min.js', '/graphiql/react-dom.production.min.js', '/graphiql/explorer.js'];

describe('the explorer page', () => {
  it('references only assets of this server', async () => {
    const page = await (await fetch(server.url, { headers: { accept: 'text/html' } })).text();
    expect(page).toContain('<title>Keygate API explorer</title>');
    expect(page).not.toMatch(/https?:\/\//);
    for (const asset of ASSETS) expect(page).toContain(`"${asset}"`);
  });

  it('serves each asset with its content type, and nothing else under /graphiql/', async () => {
    for (const asset of ASSETS) {
      const response = await fetch(`${server.baseUrl}${asset}`);
      expect(response.status, asset).toBe(200);
      expect(response.headers.get('content-type')).toMatch(asset.endsWith('.css') ? /^text\/css/ : /^text\/javascript/);
      expect((await response.arrayBuffer()).byteLength).toBeGreaterThan(100);
    }
    expect((await fetch(`${server.baseUrl}/graphiql/package.json`)).status).toBe(404);
    expect((await fetch(`${server.baseUrl}/graphiql/../package.json`)).status).toBe(404);
  });
});

describe.skipIf(BROWSER_SUITE_SKIPPED)(browserSuite('the explorer in Chromium'), () => {
  let launched: LaunchedBrowser | null = null;
  beforeAll(async () => {
    launched = await launchBrowser();
    if (!launched) throw new Error(browserLaunchError());
  }, 60_000);
  afterAll(() => launched?.close());

  it('loads without internet access, runs a query with a key from the Headers tab, and stores no key', async () => {
    const context = await launched!.browser.newContext();
    const outside: string[] = [];
    await context.route('**/*', (route) => {
      const url = new URL(route.request().url());
      if (url.origin === server.baseUrl) return route.continue();
      outside.push(url.href);
      return route.abort('internetdisconnected');
    });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(server.url);
    await page.waitForSelector('.graphiql-execute-button', { timeout: 30_000 });

    // Type the key into the Headers editor (a CodeMirror 5 instance), then run the default query.
    // Browser code as expression strings: the tests compile without DOM typings.
    // The Headers tab is open (defaultEditorToolsVisibility); the Variables editor beside it is hidden.
    await page.evaluate(`(() => {
      const headers = [...document.querySelectorAll('.CodeMirror')].find((e) => e.closest('.graphiql-editor-tool') && !e.closest('.hidden'));
      if (!headers) throw new Error('no headers editor');
      headers.CodeMirror.setValue(${JSON.stringify(JSON.stringify({ Authorization: `Bearer ${server.rootKey}` }))});
    })()`);
    await page.click('.graphiql-execute-button');
    await page.waitForFunction(`document.querySelector('.result-window')?.textContent?.includes('"ROOT"')`, undefined, { timeout: 30_000 });
    expect(await page.textContent('.result-window')).toContain('"type": "ROOT"');

    const stored = await page.evaluate<string>('JSON.stringify({ local: { ...localStorage }, session: { ...sessionStorage }, cookies: document.cookie })');
    expect(stored).not.toContain(server.rootKey);
    expect(outside).toEqual([]);
    expect(errors).toEqual([]);
    await context.close();
  }, 90_000);
});
