import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiKeyDocument } from '../generated/graphql';
import { createApp, createKey } from '../helpers/fixtures';
import { type Nginx, type Upstream, nginxForSuite, startNginx, startUpstream } from '../helpers/nginx';
import { restClient, restError } from '../helpers/rest';
import { type TestServer, startTestServer } from '../helpers/test-server';

/**
 * Issue 20 F1 (DESIGN.md "Key controls", credits): what a use of /auth/forward costs
 * comes only from the proxy's own configuration, the query string of the auth URL.
 * nginx and Traefik hand the client's own headers to the auth request, so no header
 * (`X-Keygate-Cost`) and nothing of the client's own URL (`?cost=` on it, passed on as
 * `X-Original-URI` / `X-Forwarded-Uri`) may change what the key pays.
 */

/** Everything a client could try to name its own price with. */
const CLIENT_PRICE = { 'x-keygate-cost': '0', 'x-original-uri': '/orders/1?cost=0', 'x-forwarded-uri': '/orders/1?cost=0' };

let server: TestServer;
let appId: string;
let rest: ReturnType<typeof restClient>;

beforeAll(async () => {
  server = await startTestServer();
  appId = (await createApp(server.root, 'Forward cost')).id;
  rest = restClient(server.baseUrl);
});
afterAll(() => server?.close());

const withCredits = (remaining: number) => createKey(server.root, { appId, mode: 'LIVE', role: 'READ_ONLY', extra: { credits: { remaining } } });
const remainingOf = async (id: string) => (await server.root.ok(ApiKeyDocument, { id })).apiKey?.credits?.remaining;

describe('/auth/forward takes its cost from its own query string, never from the client', () => {
  it('X-Keygate-Cost: 0 and a client URL saying ?cost=0 change nothing: each use spends the auth URL\'s cost (default 1)', async () => {
    const key = await withCredits(3);
    const statuses = [];
    for (let i = 0; i < 5; i++) statuses.push((await rest.call('/auth/forward', { key: key.secret, headers: CLIENT_PRICE })).status);
    expect(statuses).toEqual([200, 200, 200, 403, 403]);
    expect(await remainingOf(key.id)).toBe(0);
  });

  it('nor can a header raise the price or make a use fail: X-Keygate-Cost: 1001 is not read', async () => {
    const key = await withCredits(3);
    expect((await rest.call('/auth/forward?cost=2', { key: key.secret, headers: { 'x-keygate-cost': '1001' } })).status).toBe(200);
    expect(await remainingOf(key.id)).toBe(1);
  });

  it('spent credits answer 403 usage_exceeded whatever the client claims', async () => {
    const key = await withCredits(1);
    expect(await restError(await rest.call('/auth/forward?cost=2', { key: key.secret, headers: CLIENT_PRICE }), 403)).toMatchObject({ code: 'usage_exceeded', reason: 'USAGE_EXCEEDED' });
    expect(await remainingOf(key.id)).toBe(1);
  });
});

const INSTALLED = nginxForSuite('forward-cost.security.test.ts');

describe.skipIf(!INSTALLED)('behind a real nginx with the docs/guide.md block as pasted', () => {
  let upstream: Upstream;
  /** Stands in for Keygate: answers 200 to everything and records what nginx asked. */
  let authRecorder: Upstream;
  let nginx: Nginx;
  let recordingNginx: Nginx;
  let nginxCost2: Nginx;

  beforeAll(async () => {
    [upstream, authRecorder] = await Promise.all([startUpstream(), startUpstream()]);
    const keygatePort = Number(new URL(server.baseUrl).port);
    [nginx, recordingNginx, nginxCost2] = await Promise.all([
      startNginx(keygatePort, upstream.port),
      startNginx(authRecorder.port, upstream.port),
      startNginx(keygatePort, upstream.port, { cost: 2 }),
    ]);
  }, 60_000);

  afterAll(async () => {
    await Promise.all([nginx?.close(), recordingNginx?.close(), nginxCost2?.close()]);
    await Promise.all([upstream?.close(), authRecorder?.close()]);
  });

  /** One client request through `proxy`, naming its own price every way it can. */
  const through = async (proxy: Nginx, key: string) => {
    const before = upstream.received.length;
    const response = await fetch(`${proxy.url}/orders/1?cost=0`, { headers: { authorization: `Bearer ${key}`, ...CLIENT_PRICE }, signal: AbortSignal.timeout(10_000) });
    await response.text();
    return { status: response.status, reached: upstream.received.length > before };
  };

  it('nginx asks the auth URL as configured, not the client\'s URI, and hands the client\'s X-Keygate-Cost along (which is why it is not read)', async () => {
    const before = authRecorder.targets.length;
    expect((await through(recordingNginx, 'sk_live_anything')).status).toBe(200);
    expect(authRecorder.targets.slice(before)).toEqual(['/auth/forward?cost=1']);
    expect(authRecorder.received.at(-1)).toMatchObject({ 'x-keygate-cost': '0', 'x-original-uri': '/orders/1?cost=0' });
  });

  it('a key with 3 credits lets exactly 3 of 10 requests through to the upstream, each spending 1, with X-Keygate-Cost: 0 on all of them', async () => {
    const key = await withCredits(3);
    const results = [];
    for (let i = 0; i < 10; i++) results.push(await through(nginx, key.secret));
    expect(results.map((r) => r.status)).toEqual([200, 200, 200, 403, 403, 403, 403, 403, 403, 403]);
    expect(results.filter((r) => r.reached)).toHaveLength(3);
    expect(await remainingOf(key.id)).toBe(0);
  });

  it('the block with ?cost=2 in its auth URL spends 2 per request, whatever the client claims', async () => {
    const key = await withCredits(5);
    const results = [];
    for (let i = 0; i < 3; i++) results.push(await through(nginxCost2, key.secret));
    expect(results).toEqual([
      { status: 200, reached: true },
      { status: 200, reached: true },
      { status: 403, reached: false },
    ]);
    expect(await remainingOf(key.id)).toBe(1);
  });

  it('every answer was one nginx passes on (no 500 from auth_request)', () => {
    for (const proxy of [nginx, recordingNginx, nginxCost2]) expect(proxy.errorLog()).not.toMatch(/auth request unexpected status/);
  });
});
