import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ResolvedAddress } from '../../src/modules/webhooks/address-policy';
import { CreateWebhookEndpointDocument, SendTestWebhookDocument, UpdateWebhookEndpointDocument, WebhookDeliveriesDocument, WebhookEndpointsDocument } from '../generated/graphql';
import { createApp } from '../helpers/fixtures';
import { type GraphQLClient, codeOf } from '../helpers/graphql-client';
import { waitFor } from '../helpers/process-harness';
import { type TestServer, startTestServer } from '../helpers/test-server';
import { type Receiver, startReceiver } from '../helpers/webhook-receiver';

/**
 * SSRF (DESIGN.md "Webhooks"): in production, endpoint URLs whose host resolves to a
 * loopback, private, link-local or metadata address are refused when the endpoint is
 * created or changed AND when each delivery is made (DNS can change in between), unless
 * KEYGATE_WEBHOOK_ALLOW_PRIVATE=true; redirects are never followed.
 * Names are answered by an injected resolver (no DNS here): `public.test` resolves to a
 * public address, `internal.test` to 10.0.0.5, and `rebind.test` to whatever the test says.
 */

const PUBLIC: ResolvedAddress = { address: '93.184.216.34', family: 4 };
let rebindTo: ResolvedAddress = PUBLIC;
const NAMES: Record<string, () => ResolvedAddress[]> = {
  'public.test': () => [PUBLIC],
  'internal.test': () => [{ address: '10.0.0.5', family: 4 }],
  'mixed.test': () => [PUBLIC, { address: '192.168.1.1', family: 4 }],
  'compat6.test': () => [{ address: '::7f00:1', family: 6 }],
  'rebind.test': () => [rebindTo],
};
const resolver = async (name: string) => NAMES[name]?.() ?? [];

/** Production servers refuse plain HTTP unless a trusted proxy says the client used HTTPS. */
const PRODUCTION = { NODE_ENV: 'production', KEYGATE_TRUST_PROXY: 'true', KEYGATE_WEBHOOK_RETRY_SCHEDULE: '0,0' };
const viaProxy = (s: TestServer) => s.client(s.rootKey, { 'x-forwarded-proto': 'https' });

let strict: TestServer;
let open: TestServer;
let root: GraphQLClient;
let appId: string;
let receiver: Receiver;

beforeAll(async () => {
  [strict, open, receiver] = await Promise.all([
    startTestServer({ env: PRODUCTION, webhookResolver: resolver }),
    startTestServer({ env: { ...PRODUCTION, KEYGATE_WEBHOOK_ALLOW_PRIVATE: 'true' }, webhookResolver: resolver }),
    startReceiver(() => 200),
  ]);
  root = viaProxy(strict);
  appId = (await createApp(root, 'SSRF app')).id;
});
afterAll(async () => {
  await Promise.all([strict?.close(), open?.close(), receiver?.close()]);
});

const port = () => new URL(receiver.url).port;

describe('in production, creating an endpoint refuses internal addresses with BAD_USER_INPUT (field url)', () => {
  const refused = [
    ['loopback', () => `http://127.0.0.1:${port()}/hooks`],
    ['cloud metadata (link-local)', () => 'http://169.254.169.254/latest/meta-data/'],
    ['IPv6 loopback', () => `http://[::1]:${port()}/hooks`],
    ['IPv4-mapped IPv6 loopback', () => `http://[::ffff:127.0.0.1]:${port()}/hooks`],
    ['the unspecified address', () => `http://0.0.0.0:${port()}/hooks`],
    ['a name resolving to 10.x', () => 'https://internal.test/hooks'],
    ['a name with one private address among public ones', () => 'https://mixed.test/hooks'],
    ['a name that does not resolve', () => 'https://nowhere.test/hooks'],
    // IPv6 forms that carry a refused IPv4 address (issue 20 F7)
    ['IPv4-compatible IPv6 loopback', () => `http://[::127.0.0.1]:${port()}/hooks`],
    ['6to4 IPv6 of loopback', () => `http://[2002:7f00:1::]:${port()}/hooks`],
    ['NAT64 IPv6 of the metadata address', () => 'http://[64:ff9b::169.254.169.254]/latest/meta-data/'],
    ['Teredo IPv6 whose client is loopback', () => `http://[2001:0:4136:e378:8000:63bf:80ff:fffe]:${port()}/hooks`],
    ['a name resolving to an IPv4-compatible IPv6 loopback', () => 'https://compat6.test/hooks'],
    ['a non-http scheme', () => 'file:///etc/passwd'],
  ] as const;
  for (const [label, url] of refused) {
    it(label, async () => {
      const result = await root.request(CreateWebhookEndpointDocument, { input: { appId, mode: 'LIVE', url: url() } });
      expect(codeOf(result)).toBe('BAD_USER_INPUT');
      expect(result.errors![0].extensions!.field).toBe('url');
      expect(result.data).toBeNull();
    });
  }

  it('created nothing, and contacted nothing', async () => {
    expect((await root.ok(WebhookEndpointsDocument, { appId })).webhookEndpoints.nodes).toEqual([]);
    expect(receiver.received).toHaveLength(0);
  });

  it('updating an endpoint to an internal address is refused the same way', async () => {
    const created = await root.ok(CreateWebhookEndpointDocument, { input: { appId, mode: 'TEST', url: 'https://public.test/hooks' } });
    const result = await root.request(UpdateWebhookEndpointDocument, { id: created.createWebhookEndpoint.endpoint.id, input: { url: 'http://169.254.169.254/' } });
    expect(codeOf(result)).toBe('BAD_USER_INPUT');
    expect(result.errors![0].extensions!.field).toBe('url');
    const listed = await root.ok(WebhookEndpointsDocument, { appId, mode: 'TEST' });
    expect(listed.webhookEndpoints.nodes.map((e) => e.url)).toEqual(['https://public.test/hooks']);
  });
});

describe('in production, each delivery checks the address again and connects to the address it checked', () => {
  it.each([
    ['a loopback address', { address: '127.0.0.1', family: 4 }],
    ['an IPv4-compatible IPv6 loopback (::127.0.0.1)', { address: '::7f00:1', family: 6 }],
    ['a 6to4 IPv6 of loopback (2002:7f00:1::)', { address: '2002:7f00:1::', family: 6 }],
  ] as const)('a name that re-resolves to %s after creation is refused at delivery and never contacted', async (_label, internal) => {
    rebindTo = PUBLIC;
    const created = await root.ok(CreateWebhookEndpointDocument, { input: { appId, mode: 'LIVE', url: `http://rebind.test:${port()}/hooks` } });
    rebindTo = internal;
    const sent = await root.ok(SendTestWebhookDocument, { id: created.createWebhookEndpoint.endpoint.id });
    const endpointId = created.createWebhookEndpoint.endpoint.id;
    const log = async () =>
      (await root.ok(WebhookDeliveriesDocument, { appId, mode: 'LIVE' })).webhookEndpoints.nodes.find((e) => e.id === endpointId)!.deliveries.nodes.find((d) => d.id === sent.sendTestWebhook.id)!;
    expect(await waitFor(async () => (await log()).status === 'FAILED', 15_000)).toBe(true);
    // Two attempts made, no response from anyone: the connection was never opened.
    expect(await log()).toMatchObject({ status: 'FAILED', attempts: 2, responseStatus: null });
    expect(receiver.received).toHaveLength(0);
    // Refused by the address check, not by a connection that failed on its own.
    const attempts = strict.logs.filter((line) => line.includes(sent.sendTestWebhook.id) && line.includes('"webhook attempt"'));
    expect(attempts).toHaveLength(2);
    for (const line of attempts) expect(JSON.parse(line).error).toBe('the host resolves to a loopback, private or link-local address');
  });
});

describe('KEYGATE_WEBHOOK_ALLOW_PRIVATE=true', () => {
  it('lets a production server deliver to a loopback receiver — and even then a 302 to an internal address is not followed', async () => {
    const client = viaProxy(open);
    const app = (await createApp(client, 'Private app')).id;
    const direct = await client.ok(CreateWebhookEndpointDocument, { input: { appId: app, mode: 'LIVE', url: receiver.url } });
    receiver.secret = direct.createWebhookEndpoint.secret;
    await client.ok(SendTestWebhookDocument, { id: direct.createWebhookEndpoint.endpoint.id });
    expect(await waitFor(() => receiver.events('webhook.test').length === 1, 10_000)).toBe(true);

    const redirector = await startReceiver(() => ({ status: 302, headers: { location: receiver.url } }));
    const hop = await client.ok(CreateWebhookEndpointDocument, { input: { appId: app, mode: 'TEST', url: redirector.url } });
    await client.ok(SendTestWebhookDocument, { id: hop.createWebhookEndpoint.endpoint.id });
    const log = async () => (await client.ok(WebhookDeliveriesDocument, { appId: app, mode: 'TEST' })).webhookEndpoints.nodes[0].deliveries.nodes[0];
    expect(await waitFor(async () => (await log()).status === 'FAILED', 15_000)).toBe(true);
    expect(await log()).toMatchObject({ status: 'FAILED', attempts: 2, responseStatus: 302 });
    expect(redirector.received).toHaveLength(2);
    expect(receiver.received).toHaveLength(1);
    await redirector.close();
  });
});
