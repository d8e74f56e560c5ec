import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, createKey } from '../helpers/fixtures';
import { type Nginx, type Upstream, nginxForSuite, startNginx, startUpstream } from '../helpers/nginx';
import { type TestServer, startTestServer } from '../helpers/test-server';

/**
 * DESIGN.md "Key controls" behind a real nginx (`auth_request`, the guide's recipe): the
 * IP allow-list checks the address nginx forwards (Keygate trusts nginx through
 * KEYGATE_TRUST_PROXY), credits are spent per request that nginx lets through, and the
 * owner reaches the upstream as X-Keygate-Owner-Id.
 */
const INSTALLED = nginxForSuite('nginx-key-controls.test.ts');

describe.skipIf(!INSTALLED)('key controls through nginx auth_request', () => {
  let server: TestServer;
  let upstream: Upstream;
  let nginx: Nginx;
  let appId: string;

  beforeAll(async () => {
    server = await startTestServer({ env: { KEYGATE_TRUST_PROXY: '127.0.0.1' } });
    upstream = await startUpstream();
    nginx = await startNginx(Number(new URL(server.baseUrl).port), upstream.port);
    appId = (await createApp(server.root, 'Proxied controls')).id;
  }, 60_000);

  afterAll(async () => {
    await nginx?.close();
    await upstream?.close();
    await server?.close();
  });

  const through = async (key: string, clientAddress?: string) => {
    const before = upstream.received.length;
    const response = await fetch(`${nginx.url}/orders/1`, {
      headers: { authorization: `Bearer ${key}`, ...(clientAddress ? { 'x-forwarded-for': clientAddress } : {}) },
      signal: AbortSignal.timeout(10_000),
    });
    await response.text();
    return { status: response.status, reached: upstream.received.length > before, headers: upstream.received.at(-1) };
  };

  it('checks the IP allow-list against the address nginx forwards', async () => {
    const key = await createKey(server.root, { appId, mode: 'LIVE', role: 'READ_ONLY', extra: { allowedIps: ['203.0.113.0/24'] } });
    // The client's own X-Forwarded-For, extended by nginx with the peer it saw (127.0.0.1, trusted).
    expect(await through(key.secret, '203.0.113.9')).toMatchObject({ status: 200, reached: true });
    expect(await through(key.secret, '198.51.100.1')).toMatchObject({ status: 403, reached: false });
    // An allowed address on the left does not help a client whose own hop is written with a port, or unreadably.
    expect(await through(key.secret, '203.0.113.9, 198.51.100.1:5555')).toMatchObject({ status: 403, reached: false });
    expect(await through(key.secret, '203.0.113.9, unknown')).toMatchObject({ status: 403, reached: false });
    // Without one, the client is nginx's peer: loopback, not on the list.
    expect(await through(key.secret)).toMatchObject({ status: 403, reached: false });
  });

  it('lets exactly as many requests through as the key has credits, and names the owner upstream', async () => {
    const key = await createKey(server.root, { appId, mode: 'LIVE', role: 'READ_ONLY', extra: { ownerId: 'cus_9', credits: { remaining: 3 } } });
    const results = [];
    for (let i = 0; i < 5; i++) results.push(await through(key.secret));
    expect(results.map((r) => r.status)).toEqual([200, 200, 200, 403, 403]);
    expect(results.filter((r) => r.reached)).toHaveLength(3);
    expect(results[0].headers?.['x-keygate-owner-id']).toBe('cus_9');
  });
});
