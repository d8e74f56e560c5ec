import type { BrowserContext, Page, Request } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BROWSER_HOSTS,
  BROWSER_SUITE_SKIPPED,
  browserLaunchError,
  browserSuite,
  launchBrowser,
  startPageServer,
  type LaunchedBrowser,
  type PageServer,
} from '../helpers/browser';
import { createApp, createKey } from '../helpers/fixtures';
import { startTestServer, type TestServer } from '../helpers/test-server';

/**
 * DESIGN.md "Origins", checked with a real headless Chromium: pages served from an
 * allowed origin (shop) and a disallowed one (evil) call Keygate cross-origin. The browser
 * enforces CORS, so what the page can read proves which origins Keygate allowed; the same
 * request sent from node with that Origin header shows what the server answered.
 */

const [SHOP_HOST, EVIL_HOST] = BROWSER_HOSTS;

const VIEWER = '{ viewer { type kind } }';

interface Call {
  method: 'GET' | 'POST';
  path: string;
  key: string;
  body?: unknown;
}

/** What the page's own fetch() got. `ok: false` = the promise rejected (a CORS failure is a TypeError). */
type PageResult = { ok: true; status: number; body: string } | { ok: false; error: string };

/** What the browser's network layer saw for the real (non-preflight) request. */
type NetworkSeen =
  | { status: number; acao: string | undefined; sentOrigin: string | undefined }
  | { failed: string };

/** A GraphQL call, or a REST call of the contract. */
const graphqlCall = (key: string): Call => ({ method: 'POST', path: '/graphql', key, body: { query: VIEWER } });
const verifyCall = (key: string): Call => ({ method: 'GET', path: '/auth/verify', key });
const sessionCall = (key: string): Call => ({ method: 'POST', path: '/session_access', key, body: { user_id: 'user-1' } });

let server: TestServer;
let pages: PageServer;
let launched: LaunchedBrowser | null = null;
let context: BrowserContext;
const pageByHost = new Map<string, Page>();
/** Every ACAO / ACAC pair seen on /graphql, by node or by the browser. */
const graphqlCors: { from: string; acao: string | undefined; acac: string | undefined }[] = [];

let appId: string;
let publishable: string;
let secret: string;
let shopOrigin: string;
let evilOrigin: string;

async function openPage(host: string): Promise<Page> {
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  page.on('response', async (response) => {
    if (new URL(response.url()).pathname !== '/graphql') return;
    const headers = await response.allHeaders().catch(() => ({}) as Record<string, string>);
    graphqlCors.push({ from: `browser:${host}`, acao: headers['access-control-allow-origin'], acac: headers['access-control-allow-credentials'] });
  });
  await page.goto(pages.url(host), { waitUntil: 'load' });
  pageByHost.set(host, page);
  return page;
}

/** Runs fetch() inside the page loaded from `host`, against Keygate, cross-origin. */
async function fromPage(host: string, call: Call): Promise<{ page: PageResult; network: NetworkSeen | null }> {
  const page = pageByHost.get(host) ?? (await openPage(host));
  const target = `${server.baseUrl}${call.path}`;
  const isCall = (r: Request) => r.url() === target && r.method() === call.method;
  // A response the browser let the page read shows up as 'response'; one that CORS blocked
  // never does: Chromium fails the request instead ('requestfailed'). Wait for either.
  const seen: Promise<NetworkSeen | null> = Promise.race([
    page.waitForResponse((r) => isCall(r.request()), { timeout: 10_000 }).then(async (r) => ({
      status: r.status(),
      acao: (await r.allHeaders())['access-control-allow-origin'],
      sentOrigin: (await r.request().allHeaders())['origin'],
    })),
    page.waitForEvent('requestfailed', { predicate: isCall, timeout: 10_000 }).then((r) => ({ failed: r.failure()?.errorText ?? 'failed' })),
  ]).catch(() => null);
  const result = await page.evaluate(
    async ({ url, method, key, body }) => {
      try {
        const response = await fetch(url, {
          method,
          headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
          body: body === undefined ? undefined : JSON.stringify(body),
          signal: AbortSignal.timeout(10_000),
        });
        return { ok: true as const, status: response.status, body: await response.text() };
      } catch (error) {
        return { ok: false as const, error: `${(error as Error).name}: ${(error as Error).message}` };
      }
    },
    { url: target, method: call.method, key: call.key, body: call.body },
  );
  return { page: result, network: await seen };
}

/** The same request from node, with the page's Origin header: what the server really answered. */
async function fromNode(origin: string | undefined, call: Call) {
  const response = await fetch(`${server.baseUrl}${call.path}`, {
    method: call.method,
    headers: {
      authorization: `Bearer ${call.key}`,
      ...(origin ? { origin } : {}),
      ...(call.body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: call.body === undefined ? undefined : JSON.stringify(call.body),
    signal: AbortSignal.timeout(10_000),
  });
  const acao = response.headers.get('access-control-allow-origin') ?? undefined;
  const acac = response.headers.get('access-control-allow-credentials') ?? undefined;
  if (call.path === '/graphql') graphqlCors.push({ from: `node:${origin ?? '-'}`, acao, acac });
  return { status: response.status, acao, acac, vary: response.headers.get('vary') ?? '', body: (await response.json()) as any };
}

/** The reason of a refusal, in the GraphQL or the REST error shape. */
function reasonOf(call: Call, body: any): string | undefined {
  return call.path === '/graphql' ? body?.errors?.[0]?.extensions?.reason : body?.error?.reason;
}

function expectSuccessBody(call: Call, body: any) {
  const type = call.key === server.rootKey ? 'ROOT' : 'API_KEY';
  if (call.path === '/graphql') expect(body).toEqual({ data: { viewer: expect.objectContaining({ type }) } });
  else if (call.path === '/auth/verify') expect(body).toMatchObject({ valid: true, app_id: appId });
  else expect(body).toMatchObject({ token: expect.any(String), token_id: expect.any(String) });
}

/** Allowed: the page reads the answer; the server echoed exactly the page's origin. */
async function expectAllowed(host: string, call: Call) {
  const origin = `http://${host}:${pages.port}`;
  const { page, network } = await fromPage(host, call);
  expect(page, JSON.stringify(page)).toMatchObject({ ok: true, status: 200 });
  expectSuccessBody(call, JSON.parse((page as { body: string }).body));
  expect(network).toEqual({ status: 200, acao: origin, sentOrigin: origin });

  const node = await fromNode(origin, call);
  expect(node.status).toBe(200);
  expect(node.acao).toBe(origin);
  expect(node.vary.toLowerCase()).toContain('origin');
  expectSuccessBody(call, node.body);
}

/** Refused: the page's fetch rejects; the server answered 403 with `reason` and no ACAO. */
async function expectRefused(host: string, call: Call, reason: string) {
  const origin = `http://${host}:${pages.port}`;
  const { page, network } = await fromPage(host, call);
  expect(page.ok, JSON.stringify(page)).toBe(false);
  expect((page as { error: string }).error).toMatch(/^TypeError/);
  // Chromium blocked the answer (CORS): the request failed in the browser. (A failed
  // request's headers are not reported, so what was sent is checked from node below.)
  expect(network).toEqual({ failed: 'net::ERR_FAILED' });

  const node = await fromNode(origin, call);
  expect(node.status).toBe(403);
  expect(node.acao).toBeUndefined();
  expect(reasonOf(call, node.body)).toBe(reason);
  if (call.path !== '/graphql') expect(node.body.error.code).toBe('permission_denied');
}

describe.skipIf(BROWSER_SUITE_SKIPPED)(browserSuite('origins and CORS in a real browser (headless Chromium)'), () => {
  beforeAll(async () => {
    server = await startTestServer();
    pages = await startPageServer();
    launched = await launchBrowser();
    // Chromium does not start, or is missing in CI: that is a failure, not a skip.
    if (!launched) throw new Error(browserLaunchError());
    context = await launched.browser.newContext();
    shopOrigin = pages.origin(SHOP_HOST);
    evilOrigin = pages.origin(EVIL_HOST);

    appId = (await createApp(server.root, 'Browser app')).id;
    publishable = (await createKey(server.root, { appId, kind: 'PUBLISHABLE', role: null, allowedOrigins: [shopOrigin] })).secret;
    // READ_WRITE may mint tokens, so a refusal below is about the origin, not the role.
    secret = (await createKey(server.root, { appId, kind: 'SECRET', role: 'READ_WRITE' })).secret;
  }, 90_000);

  afterAll(async () => {
    await context?.close().catch(() => undefined);
    await launched?.close();
    await pages?.close();
    await server?.close();
  }, 30_000);

  it('a publishable key with allowedOrigins works on GraphQL from an allowed origin, and CORS allows exactly that origin', async () => {
    await expectAllowed(SHOP_HOST, graphqlCall(publishable));
  });

  it('a publishable key is refused on GraphQL from another origin (403 ORIGIN_NOT_ALLOWED, no ACAO, unreadable in the browser)', async () => {
    await expectRefused(EVIL_HOST, graphqlCall(publishable), 'ORIGIN_NOT_ALLOWED');
  });

  it('a publishable key with allowedOrigins works on GET /auth/verify from an allowed origin only', async () => {
    await expectAllowed(SHOP_HOST, verifyCall(publishable));
    await expectRefused(EVIL_HOST, verifyCall(publishable), 'ORIGIN_NOT_ALLOWED');
  });

  it('a publishable key with allowedOrigins mints on POST /session_access from an allowed origin only', async () => {
    await expectAllowed(SHOP_HOST, sessionCall(publishable));
    await expectRefused(EVIL_HOST, sessionCall(publishable), 'ORIGIN_NOT_ALLOWED');
  });

  it('a publishable key with allowedOrigins is refused on a request without an Origin header', async () => {
    const node = await fromNode(undefined, graphqlCall(publishable));
    expect(node.status).toBe(403);
    expect(reasonOf(graphqlCall(publishable), node.body)).toBe('ORIGIN_NOT_ALLOWED');
  });

  it('a secret key used from a web page outside KEYGATE_CONSOLE_ORIGINS is refused (SECRET_KEY_IN_BROWSER) on GraphQL and REST', async () => {
    for (const host of [SHOP_HOST, EVIL_HOST]) {
      await expectRefused(host, graphqlCall(secret), 'SECRET_KEY_IN_BROWSER');
      await expectRefused(host, verifyCall(secret), 'SECRET_KEY_IN_BROWSER');
      await expectRefused(host, sessionCall(secret), 'SECRET_KEY_IN_BROWSER');
    }
  });

  it('secret and root keys work from a console origin (http://localhost:* and http://127.0.0.1:* outside production)', async () => {
    for (const host of ['localhost', '127.0.0.1']) {
      await expectAllowed(host, graphqlCall(secret));
      await expectAllowed(host, graphqlCall(server.rootKey));
      await expectAllowed(host, verifyCall(secret));
    }
  });

  it('the secret key stays usable from servers (no Origin header), so the refusals above are about the origin', async () => {
    const node = await fromNode(undefined, verifyCall(secret));
    expect(node.status).toBe(200);
    expect(node.acao).toBeUndefined();
  });

  it('preflights (OPTIONS) are answered 204 for any origin, echoing it — never ACAO * and never * with credentials', async () => {
    for (const path of ['/graphql', '/auth/verify', '/session_access']) {
      for (const origin of [shopOrigin, evilOrigin, 'https://sandbox.embed.apollographql.com']) {
        const response = await fetch(`${server.baseUrl}${path}`, {
          method: 'OPTIONS',
          headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type' },
          signal: AbortSignal.timeout(10_000),
        });
        expect(response.status).toBe(204);
        const acao = response.headers.get('access-control-allow-origin');
        expect(acao).toBe(origin);
        expect(acao).not.toBe('*');
        const allowHeaders = (response.headers.get('access-control-allow-headers') ?? '').toLowerCase();
        expect(allowHeaders).toContain('authorization');
        expect(allowHeaders).toContain('content-type');
        expect(response.headers.get('access-control-allow-methods') ?? '').toContain('POST');
        expect(response.headers.get('vary')?.toLowerCase()).toContain('origin');
        if (response.headers.get('access-control-allow-credentials') === 'true') expect(acao).not.toBe('*');
      }
    }
    // And Chromium itself accepted the preflight of a request that needs one
    // (Authorization + JSON): the allowed fetch went through.
    await expectAllowed(SHOP_HOST, graphqlCall(publishable));
  });

  it('no /graphql response ever carries Access-Control-Allow-Origin: *', async () => {
    // From both pages through the browser, and from node without a key and with a bad
    // one: errors must not open CORS either.
    await expectAllowed(SHOP_HOST, graphqlCall(publishable));
    await expectRefused(EVIL_HOST, graphqlCall(publishable), 'ORIGIN_NOT_ALLOWED');
    await expectRefused(SHOP_HOST, graphqlCall(secret), 'SECRET_KEY_IN_BROWSER');
    for (const key of ['', 'pk_test_not-a-key']) {
      const response = await fetch(server.url, {
        method: 'POST',
        headers: { origin: evilOrigin, 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
        body: JSON.stringify({ query: VIEWER }),
        signal: AbortSignal.timeout(10_000),
      });
      graphqlCors.push({ from: `node:${evilOrigin}:${key || 'no key'}`, acao: response.headers.get('access-control-allow-origin') ?? undefined, acac: undefined });
      expect(response.headers.get('access-control-allow-origin')).toBeNull();
    }
    expect(graphqlCors.some((c) => c.from.startsWith('browser:'))).toBe(true);
    for (const seen of graphqlCors) {
      expect(seen.acao, seen.from).not.toBe('*');
      if (seen.acac === 'true') expect(seen.acao, seen.from).not.toBe('*');
    }
  });
});
