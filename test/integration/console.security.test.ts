import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppsDocument } from '../generated/graphql';
import { BROWSER_HOSTS, BROWSER_SUITE_SKIPPED, browserLaunchError, browserSuite, launchBrowser, startPageServer, type LaunchedBrowser, type PageServer } from '../helpers/browser';
import { type ConsolePage, createAppInConsole, createSecretKey, openConsole, signInAs } from '../helpers/console-browser';
import { startTestServer, type TestServer } from '../helpers/test-server';

/** The console's promises about secrets and sessions, checked in headless Chromium. */
const EVIL_HOST = BROWSER_HOSTS[1];

let server: TestServer;
let pages: PageServer;
let launched: LaunchedBrowser | null;
let ui: ConsolePage;
const urls: string[] = [];
let secret: string;

beforeAll(async () => {
  if (BROWSER_SUITE_SKIPPED) return;
  server = await startTestServer();
  pages = await startPageServer();
  launched = await launchBrowser();
  if (!launched) throw new Error(browserLaunchError());
  ui = await openConsole(launched.browser, server);
  ui.page.on('request', (request) => urls.push(request.url()));
  ui.page.on('framenavigated', (frame) => urls.push(frame.url()));
  await signInAs(ui.page, server.rootKey);
  await createAppInConsole(ui.page, 'Secure app');
  secret = await createSecretKey(ui.page, 'server');
});
afterAll(async () => {
  await launched?.close();
  await pages?.close();
  await server?.close();
});

describe.skipIf(BROWSER_SUITE_SKIPPED)(browserSuite('keys in the browser'), () => {
  it('are never in localStorage, sessionStorage, document.cookie or a URL', async () => {
    const stored = (await ui.page.evaluate(`({
      local: JSON.stringify({ ...localStorage }),
      session: JSON.stringify({ ...sessionStorage }),
      cookie: document.cookie,
      url: location.href,
    })`)) as Record<'local' | 'session' | 'cookie' | 'url', string>;
    for (const key of [server.rootKey, secret]) {
      expect(stored.local).not.toContain(key);
      expect(stored.session).not.toContain(key);
      expect(stored.cookie).not.toContain(key);
      expect(stored.url).not.toContain(key);
      for (const url of urls) expect(url).not.toContain(key);
    }
    expect(urls.length).toBeGreaterThan(3);
  });

  it('keeps the session cookie out of reach of scripts (HttpOnly)', async () => {
    const cookies = await ui.context.cookies();
    expect(cookies).toEqual([expect.objectContaining({ name: 'keygate_console', httpOnly: true, sameSite: 'Strict', path: '/' })]);
    expect(await ui.page.evaluate('document.cookie')).toBe('');
  });
});

describe.skipIf(BROWSER_SUITE_SKIPPED)(browserSuite('the session from another page (CSRF)'), () => {
  const CREATE = 'mutation { createApp(input: { name: "csrf" }) { id } }';

  async function attack(host: string) {
    const page = await ui.context.newPage();
    await page.goto(pages.url(host));
    const result = await page.evaluate(
      async ({ target, query }) => {
        const outcomes: string[] = [];
        // A credentialed CORS request with the CSRF header: the preflight never allows credentials.
        try {
          const r = await fetch(target, { method: 'POST', credentials: 'include', headers: { 'content-type': 'application/json', 'apollo-require-preflight': 'true' }, body: JSON.stringify({ query }) });
          outcomes.push(`read ${r.status}`);
        } catch {
          outcomes.push('blocked');
        }
        // A "simple" request needs no preflight: the cookie may ride along, the server must refuse it.
        await fetch(target, { method: 'POST', mode: 'no-cors', credentials: 'include', headers: { 'content-type': 'text/plain' }, body: JSON.stringify({ query }) }).catch(() => undefined);
        return outcomes;
      },
      { target: `${server.baseUrl}/graphql`, query: CREATE },
    );
    await page.close();
    return result;
  }

  it('cannot act from another site, nor from another origin of the same site', async () => {
    // evil.example.test is another site; 127.0.0.1 on another port is the same site (SameSite lets the cookie through).
    expect(await attack(EVIL_HOST)).toEqual(['blocked']);
    expect(await attack('127.0.0.1')).toEqual(['blocked']);
    const apps = await server.root.ok(AppsDocument, { first: 100 });
    expect(apps.apps.nodes.map((a) => a.name)).not.toContain('csrf');
  });
});

describe.skipIf(BROWSER_SUITE_SKIPPED)(browserSuite('the Content-Security-Policy'), () => {
  it('reports no violation in normal use', () => {
    expect(ui.problems).toEqual([]);
  });

  it('is enforced: an injected inline handler does not run', async () => {
    await ui.page.evaluate(`document.body.insertAdjacentHTML('beforeend', '<img src="data:," onload="window.__injected = true">')`);
    // The browser reports the blocked handler as a violation (none would come without the policy) …
    await expect.poll(() => ui.problems.some((p) => p.includes('CSP violation: script-src'))).toBe(true);
    // … and the handler never ran.
    expect(await ui.page.evaluate('window.__injected')).toBeUndefined();
  });
});
