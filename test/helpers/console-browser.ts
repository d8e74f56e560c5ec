import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, expect } from 'vitest';
import { BROWSER_SUITE_SKIPPED, CHROMIUM_MISSING, browserLaunchError, chromiumInstalled, launchBrowser, type LaunchedBrowser } from './browser';
import { startTestServer, type TestServer, type TestServerOptions } from './test-server';

/** Screenshots the browser suites write (gitignored): docs/ holds the few that are committed. */
export const SCREENSHOT_DIR = join(__dirname, '..', '..', 'test-results', 'console');
/** Where the committed screenshots live; written only when KEYGATE_DOCS_SCREENSHOTS=1 (see ConsolePage.screenshot). */
const DOCS_DIR = join(__dirname, '..', '..', 'docs');

export interface ConsolePage {
  context: BrowserContext;
  page: Page;
  /** Content-Security-Policy violations the page reported, and console errors. */
  problems: string[];
  /** Into test-results/console/; a name starting "docs-" also becomes docs/console-<rest>.png under KEYGATE_DOCS_SCREENSHOTS=1. */
  screenshot(name: string): Promise<void>;
  close(): Promise<void>;
}

/** The widths the console promises to work at: a laptop window and a phone. */
export const CONSOLE_WIDTHS = [1280, 390] as const;

/** A fresh browser context (no cookies) on the console of `server`, recording CSP violations. */
export async function openConsole(browser: Browser, server: TestServer, width = 1280): Promise<ConsolePage> {
  const context = await browser.newContext({ viewport: { width, height: width < 600 ? 844 : 860 } });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.baseUrl });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  const problems: string[] = [];
  // Runs before the console's scripts (through the DevTools protocol, which CSP does not govern).
  await page.addInitScript({
    content: "document.addEventListener('securitypolicyviolation', (e) => console.error('CSP violation: ' + e.violatedDirective + ' ' + e.blockedURI));",
  });
  page.on('console', (message) => {
    // An HTTP error status (the 401 before signing in) is the API answering, not a problem of the page.
    if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) problems.push(message.text());
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  await page.goto(`${server.baseUrl}/console/`);
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  return {
    context,
    page,
    problems,
    screenshot: async (name) => {
      await page.screenshot({ path: join(SCREENSHOT_DIR, `${name}.png`), fullPage: true });
      // KEYGATE_DOCS_SCREENSHOTS=1 regenerates the committed ones (docs/console-*.png) from the same run.
      if (process.env.KEYGATE_DOCS_SCREENSHOTS === '1' && name.startsWith('docs-')) {
        await page.screenshot({ path: join(DOCS_DIR, `console-${name.slice('docs-'.length)}.png`), fullPage: false });
      }
    },
    close: () => context.close(),
  };
}

export interface ConsoleSuite {
  /**
   * False only where browser suites are skipped (Chromium missing, outside CI): suites
   * skip with describe.skipIf(!suite.installed). In CI a missing Chromium fails the suite.
   */
  installed: boolean;
  /** The fields below are set once the suite's beforeAll has run. */
  server: TestServer;
  browser: Browser;
  ui: ConsolePage;
  page: Page;
}

export interface ConsoleSuiteOptions {
  server?: TestServerOptions;
  /** Sign in with the root key once the console is open. */
  signIn?: boolean;
  /** Then create an app of this name (signs in first); the page ends on its keys page. */
  app?: string;
}

/**
 * The setup every console browser suite shares: a test server, headless Chromium and the
 * console open in a fresh context (signed in as root and on a new app's keys page when asked),
 * all closed after the suite. Call at the top level of the file; a file's own beforeAll
 * hooks run after this one, and its afterAll hooks before the browser and server close.
 */
export function consoleSuite(file: string, options: ConsoleSuiteOptions = {}): ConsoleSuite {
  const installed = !BROWSER_SUITE_SKIPPED;
  if (!chromiumInstalled()) console.warn(`${file}: ${CHROMIUM_MISSING}`);
  const suite = { installed } as ConsoleSuite;
  let launched: LaunchedBrowser | null = null;
  beforeAll(async () => {
    if (!installed) return;
    suite.server = await startTestServer(options.server);
    launched = await launchBrowser();
    if (!launched) throw new Error(browserLaunchError());
    suite.browser = launched.browser;
    suite.ui = await openConsole(launched.browser, suite.server);
    suite.page = suite.ui.page;
    if (options.signIn || options.app !== undefined) await signInAs(suite.page, suite.server.rootKey);
    if (options.app !== undefined) await createAppInConsole(suite.page, options.app);
  });
  afterAll(async () => {
    await launched?.close();
    await suite.server?.close();
  });
  return suite;
}

export async function signInAs(page: Page, key: string): Promise<void> {
  await page.getByLabel('API key').fill(key);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
}

/** Creates an app through the dialog; ends on its keys page. */
export async function createAppInConsole(page: Page, name: string): Promise<void> {
  await page.getByRole('navigation').getByRole('link', { name: 'Apps' }).click();
  await page.getByRole('button', { name: 'Create app' }).click();
  const dialog = page.getByRole('dialog', { name: 'Create app' });
  await dialog.getByLabel('Name').fill(name);
  await dialog.getByRole('button', { name: 'Create app' }).click();
  await page.getByRole('heading', { name: `Keys of ${name}` }).waitFor();
}

/** Creates a secret key through the dialog and returns the value read from the reveal. */
export async function createSecretKey(page: Page, name: string, role = 'Admin'): Promise<string> {
  await page.getByRole('button', { name: 'Create key' }).click();
  const dialog = page.getByRole('dialog', { name: /^Create key/ });
  await dialog.getByLabel('Name').fill(name);
  await dialog.getByLabel('Kind').selectOption('SECRET');
  await dialog.getByLabel('Role').selectOption({ label: role });
  await dialog.getByRole('button', { name: 'Create key' }).click();
  return readReveal(page);
}

/** Reads the shown-once secret, copies it and closes the reveal. */
export async function readReveal(page: Page): Promise<string> {
  const reveal = page.getByRole('dialog');
  const field = reveal.getByLabel('Secret key');
  await field.waitFor();
  const secret = await field.inputValue();
  await reveal.getByRole('button', { name: 'Copy' }).click();
  await reveal.getByText('Copied to the clipboard.').waitFor();
  await reveal.getByRole('button', { name: 'Done' }).click();
  await reveal.waitFor({ state: 'hidden' });
  return secret;
}

/** The keys table's row for a key with this name and (visible) status text. */
export function keyRow(page: Page, name: string, status: RegExp) {
  return page.getByRole('table').getByRole('row').filter({ has: page.getByRole('rowheader', { name, exact: true }) }).filter({ hasText: status });
}

/** Chooses an action ("Rotate", "Revoke", …) from a key row's "Actions for <name>" menu. */
export async function keyAction(page: Page, name: string, status: RegExp, action: string): Promise<void> {
  await keyRow(page, name, status).getByRole('button', { name: `Actions for ${name}` }).click();
  await page.getByRole('menu').getByRole('menuitem', { name: action, exact: true }).click();
}

/**
 * What makes the page scroll sideways (the console promises it never does, at any width it
 * supports): empty when the page is no wider than the window, else the elements sticking out.
 */
export async function sidewaysOverflow(page: Page): Promise<string[]> {
  // Runs in the page (the test program has no DOM types).
  return page.evaluate(`(() => {
    if (document.documentElement.scrollWidth <= innerWidth) return [];
    // Inside a box that scrolls or clips by itself (a wide table's wrapper) sticking out is fine.
    const clipped = (e) => { for (let a = e.parentElement; a; a = a.parentElement) if (getComputedStyle(a).overflowX !== 'visible') return true; return false; };
    const out = [...document.querySelectorAll('body *')].filter((e) => e.getBoundingClientRect().right > innerWidth + 1 && !clipped(e));
    const described = out.map((e) => e.tagName.toLowerCase() + (e.className ? '.' + String(e.className).split(' ').join('.') : '') + ' right=' + Math.round(e.getBoundingClientRect().right));
    return described.length > 0 ? described.slice(0, 8) : ['page ' + document.documentElement.scrollWidth + ' px wide'];
  })()`);
}

/** GET /auth/verify with the key, from node (outside the browser): the HTTP status. */
export async function verifyStatus(server: TestServer, key: string): Promise<number> {
  const response = await fetch(`${server.baseUrl}/auth/verify`, { headers: { authorization: `Bearer ${key}` } });
  return response.status;
}

const require = createRequire(__filename);
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

/** Runs axe-core in the page (evaluated through DevTools, so the page's CSP need not allow it); serious and critical only. */
export async function seriousA11yViolations(page: Page): Promise<AxeViolation[]> {
  await page.evaluate(AXE_SOURCE);
  const violations = await page.evaluate(async () => {
    // Runs in the page (the test program has no DOM types): axe and document are the page's.
    const { axe, document } = globalThis as unknown as { axe: { run(context: unknown, options: unknown): Promise<{ violations: AxeViolation[] }> }; document: unknown };
    const result = await axe.run(document, { resultTypes: ['violations'] });
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => ({ target: n.target })) }));
  });
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

/**
 * Turns test mode on or off with the header's switch. The mode lives in the URL and the router
 * applies it in a transition, so the switch may flip a moment after the click: Playwright's
 * check()/uncheck() would call that a failed click under load. Click, then wait for the URL.
 */
export async function setTestMode(page: Page, on: boolean): Promise<void> {
  const toggle = page.getByRole('switch', { name: 'Test mode' });
  if ((await toggle.isChecked()) !== on) await toggle.click();
  await expect.poll(() => new URL(page.url()).searchParams.get('mode') === 'test').toBe(on);
  await expect.poll(() => toggle.isChecked()).toBe(on);
}

/** Opens a menu button's menu by keyboard and waits until the menu holds focus (Radix moves it a frame after the menu appears, and keys pressed before then go nowhere). */
export async function openMenuByKeyboard(page: Page, button: Locator): Promise<void> {
  await button.focus();
  await page.keyboard.press('Enter');
  await page.getByRole('menu').waitFor();
  await expect.poll(() => page.evaluate("document.activeElement?.closest('[role=menu]') !== null")).toBe(true);
}
