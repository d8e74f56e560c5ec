import 'reflect-metadata';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONSOLE_DIST } from '../../src/modules/console/console-http';
import { startTestServer, type TestServer } from '../helpers/test-server';

if (!existsSync(join(CONSOLE_DIST, 'index.html'))) throw new Error('console/dist is missing: run npm run build first');

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.close());

const get = (path: string) => fetch(`${server.baseUrl}${path}`);
const assets = readdirSync(join(CONSOLE_DIST, 'assets'));
// The entry the HTML names; the other scripts are the pages' chunks, fetched when a page is first shown.
const script = /\/console\/assets\/([^"]+\.js)"/.exec(readFileSync(join(CONSOLE_DIST, 'index.html'), 'utf8'))?.[1] as string;

describe('GET /console', () => {
  it('serves the app with a strict CSP, no framing, no Referer and no caching of the HTML', async () => {
    const response = await get('/console/');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    expect(response.headers.get('cache-control')).toBe('no-cache');
    const csp = response.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).not.toContain('unsafe-eval');
    expect(response.headers.get('referrer-policy')).toBe('no-referrer');
    expect(response.headers.get('x-frame-options')).toBe('DENY');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    const html = await response.text();
    // Every script is a file of the console's own: none inline.
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(html).toContain(`/console/assets/${script}`);
  });

  it('answers /console itself with the app', async () => {
    const response = await get('/console');
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('<div id="root">');
  });

  it('caches the hashed assets for good: the entry and every lazily loaded chunk, under the same CSP', async () => {
    // Split by page: more than the entry and its stylesheet.
    expect(assets.filter((f) => f.endsWith('.js')).length).toBeGreaterThan(2);
    for (const file of assets) {
      const response = await get(`/console/assets/${file}`);
      expect({ file, status: response.status }).toEqual({ file, status: 200 });
      expect(response.headers.get('content-type')).toMatch(file.endsWith('.css') ? /^text\/css/ : /javascript/);
      expect(response.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
      expect(response.headers.get('content-security-policy')).toContain("script-src 'self'");
    }
  });

  it('falls back to the app for client routes (history API), uncached', async () => {
    const response = await get('/console/apps/app_123/keys');
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-cache');
    expect(await response.text()).toContain('<div id="root">');
  });

  it('answers 404 for a missing file rather than the app', async () => {
    const response = await get('/console/assets/missing-0000.js');
    expect(response.status).toBe(404);
  });

  it('refuses other methods with 405', async () => {
    const response = await fetch(`${server.baseUrl}/console/`, { method: 'POST' });
    expect(response.status).toBe(405);
  });
});

describe('KEYGATE_CONSOLE=false', () => {
  it('turns the console and its sign-in off (404)', async () => {
    const off = await startTestServer({ env: { KEYGATE_CONSOLE: 'false' } });
    try {
      expect((await fetch(`${off.baseUrl}/console/`)).status).toBe(404);
      const signIn = await fetch(`${off.baseUrl}/console/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ key: off.rootKey }) });
      expect(signIn.status).toBe(404);
    } finally {
      await off.close();
    }
  });
});
