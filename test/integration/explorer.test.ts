import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserContext } from 'playwright-core';
import { type LaunchedBrowser, BROWSER_SUITE_SKIPPED, browserLaunchError, browserSuite, launchBrowser } from '../helpers/browser';
import { CONSOLE_COOKIE, signInCookie } from '../helpers/console';
import { startTestServer, type TestServer } from '../helpers/test-server';

/**
 * The API explorer works offline: GET /graphql in a browser serves GraphiQL bundled from
 * the registry, every asset from this server. In Chromium with every request that is not
 * to the server aborted, it loads, runs a query with a key in its Headers tab, and keeps
 * that key out of the browser's storage. The page has the console's security headers and
 * works beside a console session (the cookie rides along on its requests).
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

  it("is served with the console's security headers: scripts only from this server, never framed, no Referer", async () => {
    const response = await fetch(server.url, { headers: { accept: 'text/html' } });
    expect(response.status).toBe(200);
    const csp = Object.fromEntries(
      (response.headers.get('content-security-policy') ?? '').split(';').map((d) => {
        const [name, ...values] = d.trim().split(/\s+/);
        return [name, values.join(' ')];
      }),
    );
    expect(csp).toMatchObject({ 'script-src': "'self'", 'frame-ancestors': "'none'", 'object-src': "'none'", 'base-uri': "'none'", 'connect-src': "'self'" });
    expect(csp['default-src']).toBe("'self'");
    expect(response.headers.get('x-frame-options')).toBe('DENY');
    expect(response.headers.get('referrer-policy')).toBe('no-referrer');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('loads the schema beside a console session: the cookie is not judged for introspection, nor when a key is sent', async () => {
    const cookie = await signInCookie(server.baseUrl, server.rootKey);
    const ask = (query: string, headers: Record<string, string> = {}) =>
      fetch(server.url, { method: 'POST', headers: { 'content-type': 'application/json', origin: server.baseUrl, cookie, ...headers }, body: JSON.stringify({ query }) });
    const schema = await ask('{ __schema { queryType { name } } }');
    expect(schema.status).toBe(200);
    expect(await schema.json()).toEqual({ data: { __schema: { queryType: { name: 'Query' } } } });
    const keyed = await ask('{ viewer { type } }', { authorization: `Bearer ${server.rootKey}` });
    expect(keyed.status).toBe(200);
    expect(await keyed.json()).toEqual({ data: { viewer: { type: 'ROOT' } } });
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

  /**
   * Opens the explorer in `context` with every request that is not to the server aborted,
   * runs the default query with the root key typed into the Headers tab, and checks that
   * nothing left the machine, nothing broke or was refused by the page's CSP, and no key was stored.
   */
  async function runExplorer(context: BrowserContext): Promise<void> {
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
    page.on('console', (message) => void (message.type() === 'error' && errors.push(message.text())));
    const schemaLoaded = page.waitForResponse((r) => r.url() === server.url && (r.request().postData() ?? '').includes('__schema'));
    await page.goto(server.url);
    expect((await schemaLoaded).status()).toBe(200);
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
    // A locator, not waitForFunction: its polling evaluates strings, which the page's CSP (rightly) forbids.
    await page.locator('.result-window', { hasText: '"ROOT"' }).waitFor({ timeout: 30_000 });
    expect(await page.textContent('.result-window')).toContain('"type": "ROOT"');

    const stored = await page.evaluate<string>('JSON.stringify({ local: { ...localStorage }, session: { ...sessionStorage }, cookies: document.cookie })');
    expect(stored).not.toContain(server.rootKey);
    expect(outside).toEqual([]);
    expect(errors).toEqual([]);
  }

  it('loads without internet access, runs a query with a key from the Headers tab, and stores no key', async () => {
    const context = await launched!.browser.newContext();
    await runExplorer(context);
    await context.close();
  }, 90_000);

  it('works beside a console session (its cookie sent along with every request)', async () => {
    const context = await launched!.browser.newContext();
    const pair = await signInCookie(server.baseUrl, server.rootKey);
    await context.addCookies([{ name: CONSOLE_COOKIE, value: pair.slice(pair.indexOf('=') + 1), url: server.baseUrl }]);
    await runExplorer(context);
    await context.close();
  }, 90_000);
});
