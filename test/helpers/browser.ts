import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser } from 'playwright-core';
import { CI_REQUIRES_TOOLS } from './outside-tool';

/**
 * The Debian `chromium` package (apt-get install chromium). playwright-core drives it
 * through `executablePath`; it never downloads a browser of its own.
 */
export const CHROMIUM_PATH = process.env.KEYGATE_CHROMIUM_PATH ?? '/usr/bin/chromium';

export const CHROMIUM_MISSING = 'Chromium not installed; .ci/run installs it (apt-get install chromium)';

/** Is the Chromium binary there at all? (Checked synchronously, at test collection time.) */
export function chromiumInstalled(): boolean {
  return existsSync(CHROMIUM_PATH);
}

/** CI installs Chromium (.ci/run): there a missing one fails the browser suites rather than skipping them. */
export const CHROMIUM_REQUIRED = CI_REQUIRES_TOOLS;

/** A browser suite is skipped only outside CI, when Chromium is missing; its name then says why. */
export const BROWSER_SUITE_SKIPPED = !chromiumInstalled() && !CHROMIUM_REQUIRED;

export function browserSuite(name: string): string {
  return chromiumInstalled() ? name : `${name} (${CHROMIUM_REQUIRED ? 'fails in CI' : 'skipped'}: ${CHROMIUM_MISSING})`;
}

/** Host names the browser resolves to 127.0.0.1, so one loopback server can be several origins. */
export const BROWSER_HOSTS = ['shop.example.test', 'evil.example.test'] as const;

export interface LaunchedBrowser {
  browser: Browser;
  /** Closes the browser (and every Chromium process it started). */
  close(): Promise<void>;
}

let lastLaunchError: string | undefined;

/** Why the last launchBrowser() returned null. */
export function browserLaunchError(): string | undefined {
  return lastLaunchError;
}

/**
 * Starts headless Chromium, or returns null (see browserLaunchError()) when the binary is
 * missing or does not start.
 */
export async function launchBrowser(): Promise<LaunchedBrowser | null> {
  lastLaunchError = undefined;
  if (!chromiumInstalled()) {
    lastLaunchError = CHROMIUM_MISSING;
    return null;
  }
  try {
    // chromium.launch() gives Chromium a fresh temporary profile and deletes it on close.
    const browser = await chromium.launch({
      executablePath: CHROMIUM_PATH,
      headless: true,
      timeout: 30_000,
      args: [
        // Containers run as root, where Chromium's sandbox cannot start.
        '--no-sandbox',
        '--disable-gpu',
        // Small /dev/shm in containers crashes the renderer; use /tmp instead.
        '--disable-dev-shm-usage',
        '--disable-quic',
        '--no-first-run',
        '--no-default-browser-check',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--disable-extensions',
        // Never send the test hosts to a proxy from the environment.
        '--no-proxy-server',
        // Distinct origins without DNS: the fake hosts go to the loopback page server;
        // localhost and 127.0.0.1 are left alone (direct).
        `--host-resolver-rules=${BROWSER_HOSTS.map((h) => `MAP ${h} 127.0.0.1`).join(', ')}`,
        // Private Network Access / Local Network Access: Chromium may refuse (or demand an
        // extra permission / preflight for) requests from a page on a non-loopback-looking
        // origin to a loopback address. Here the "public" pages are themselves loopback,
        // and Keygate on 127.0.0.1 stands in for a public server, so switch these off; the
        // CORS behaviour under test is unaffected.
        '--disable-features=BlockInsecurePrivateNetworkRequests,PrivateNetworkAccessSendPreflights,PrivateNetworkAccessRespectPreflightResults,LocalNetworkAccessChecks',
      ],
    });
    return {
      browser,
      async close() {
        await browser.close().catch(() => undefined);
      },
    };
  } catch (error) {
    lastLaunchError = `Chromium at ${CHROMIUM_PATH} did not start: ${(error as Error).message}`;
    return null;
  }
}

export interface PageServer {
  port: number;
  /** `http://<host>:<port>` — the origin of a page loaded from that host name. */
  origin(host: string): string;
  /** The page's URL on that host. */
  url(host: string): string;
  close(): Promise<void>;
}

/**
 * A tiny HTTP server on 127.0.0.1 that serves one blank HTML page for any Host, so
 * http://shop.example.test:<port>/ and http://evil.example.test:<port>/ are two origins.
 */
export async function startPageServer(): Promise<PageServer> {
  const server: Server = createServer((req, res) => {
    if (req.url === '/favicon.ico') {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
    res.end('<!doctype html><html><head><meta charset="utf-8"><title>Keygate browser test</title></head><body>test page</body></html>');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    port,
    origin: (host) => `http://${host}:${port}`,
    url: (host) => `http://${host}:${port}/`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
