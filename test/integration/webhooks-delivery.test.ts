import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreateWebhookEndpointDocument, SendTestWebhookDocument, UpdateWebhookEndpointDocument, WebhookDeliveriesDocument } from '../generated/graphql';
import { createApp, createKey } from '../helpers/fixtures';
import { codeOf } from '../helpers/graphql-client';
import { waitFor } from '../helpers/process-harness';
import { type TestServer, startTestServer } from '../helpers/test-server';
import { type Receiver, startReceiver } from '../helpers/webhook-receiver';

/**
 * DESIGN.md "Webhooks": every change to a key is written to the outbox in its
 * transaction and delivered, signed per Standard Webhooks, to the endpoints of its app
 * and mode. A real receiver on loopback verifies each delivery with `standardwebhooks`.
 */

let server: TestServer;
let appId: string;
let live: Receiver;
let test: Receiver;
let testEndpointId: string;

async function endpoint(receiver: Receiver, mode: 'LIVE' | 'TEST', events?: string[]) {
  const data = await server.root.ok(CreateWebhookEndpointDocument, { input: { appId, mode, url: receiver.url, events } });
  receiver.secret = data.createWebhookEndpoint.secret;
  return data.createWebhookEndpoint.endpoint;
}

beforeAll(async () => {
  server = await startTestServer();
  appId = (await createApp(server.root, 'Webhook app')).id;
  [live, test] = await Promise.all([startReceiver(), startReceiver()]);
  await endpoint(live, 'LIVE');
  testEndpointId = (await endpoint(test, 'TEST')).id;
});
afterAll(async () => {
  await server?.close();
  await Promise.all([live?.close(), test?.close()]);
});

describe('creating an endpoint', () => {
  it('shows the signing secret once, as whsec_<base64>, and never on the endpoint', async () => {
    expect(live.secret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
    const listed = await server.root.raw<{ webhookEndpoints: { nodes: Record<string, unknown>[] } }>(`query($a: ID!) { webhookEndpoints(appId: $a) { nodes { id mode url events enabled } } }`, { a: appId });
    expect(JSON.stringify(listed)).not.toContain(live.secret!.slice(6));
    expect(listed.data!.webhookEndpoints.nodes.map((e) => e.mode).sort()).toEqual(['LIVE', 'TEST']);
  });

  it('defaults the mode to LIVE for root and the events to all', async () => {
    const r = await startReceiver();
    const data = await server.root.ok(CreateWebhookEndpointDocument, { input: { appId, url: r.url } });
    expect(data.createWebhookEndpoint.endpoint).toMatchObject({ mode: 'LIVE', events: [], enabled: true });
    await server.root.raw('mutation($id: ID!) { deleteWebhookEndpoint(id: $id) }', { id: data.createWebhookEndpoint.endpoint.id });
    await r.close();
  });

  it('refuses a non-http(s) URL and an unknown event type with BAD_USER_INPUT naming the field', async () => {
    const ftp = await server.root.request(CreateWebhookEndpointDocument, { input: { appId, url: 'ftp://127.0.0.1/x' } });
    expect(codeOf(ftp)).toBe('BAD_USER_INPUT');
    expect(ftp.errors![0].extensions!.field).toBe('url');
    const events = await server.root.request(CreateWebhookEndpointDocument, { input: { appId, url: live.url, events: ['key.exploded'] } });
    expect(codeOf(events)).toBe('BAD_USER_INPUT');
    expect(events.errors![0].extensions!.field).toBe('events');
  });
});

describe('events about keys', () => {
  it('delivers key.created, key.updated, key.rotated, rotation.completed and key.revoked, each signed and verified', async () => {
    const key = await createKey(server.root, { appId, mode: 'LIVE', role: 'ADMIN', name: 'hooked' });
    await server.root.raw('mutation($id: ID!) { updateApiKey(id: $id, input: { name: "renamed" }) { id } }', { id: key.id });
    const rotated = await server.root.raw<{ rotateApiKey: { rotation: { id: string; newKey: { id: string } } } }>(
      'mutation($id: ID!) { rotateApiKey(id: $id, gracePeriodSeconds: 600) { rotation { id newKey { id } } } }',
      { id: key.id },
    );
    const rotation = rotated.data!.rotateApiKey.rotation;
    await server.root.raw('mutation($id: ID!) { completeRotation(id: $id) { id } }', { id: rotation.id });
    await server.root.raw('mutation($id: ID!) { revokeApiKey(id: $id, reason: "done") { id } }', { id: rotation.newKey.id });

    const types = ['key.created', 'key.updated', 'key.rotated', 'rotation.completed', 'key.revoked'];
    expect(await waitFor(() => types.every((t) => live.events(t).length > 0), 10_000)).toBe(true);
    expect(live.received.every((r) => r.verified !== null)).toBe(true);
    expect(live.events('key.created')[0].data).toMatchObject({ app_id: appId, mode: 'LIVE', key_id: key.id, kind: 'SECRET', role: 'ADMIN' });
    expect(live.events('key.updated')[0].data).toMatchObject({ key_id: key.id, changed: ['name'] });
    expect(live.events('key.rotated')[0].data).toMatchObject({ key_id: key.id, new_key_id: rotation.newKey.id, rotation_id: rotation.id });
    expect(live.events('rotation.completed')[0].data).toMatchObject({ key_id: key.id, rotation_id: rotation.id });
    expect(live.events('key.revoked')[0].data).toMatchObject({ key_id: rotation.newKey.id, reason: 'done' });
    for (const r of live.received) {
      expect(r.headers['webhook-id']).toMatch(/^msg_/);
      expect(r.headers['content-type']).toBe('application/json');
    }
  });

  it('sends test-mode events only to test-mode endpoints', async () => {
    const before = live.received.length;
    const key = await createKey(server.root, { appId, mode: 'TEST', name: 'sandboxed' });
    expect(await waitFor(() => test.events('key.created').some((e) => e.data.key_id === key.id), 10_000)).toBe(true);
    expect(live.received.slice(before).some((r) => r.body.includes(key.id))).toBe(false);
  });

  it('sends only the subscribed event types', async () => {
    const only = await startReceiver();
    const created = await server.root.ok(CreateWebhookEndpointDocument, { input: { appId, mode: 'LIVE', url: only.url, events: ['key.revoked'] } });
    only.secret = created.createWebhookEndpoint.secret;
    const key = await createKey(server.root, { appId, mode: 'LIVE', name: 'filtered' });
    await server.root.raw('mutation($id: ID!) { revokeApiKey(id: $id) { id } }', { id: key.id });
    expect(await waitFor(() => only.events('key.revoked').some((e) => e.data.key_id === key.id), 10_000)).toBe(true);
    expect(only.events().map((e) => e.type)).toEqual(['key.revoked']);
    await server.root.raw('mutation($id: ID!) { deleteWebhookEndpoint(id: $id) }', { id: created.createWebhookEndpoint.endpoint.id });
    await only.close();
  });

  it('announces every key an app deletion revokes', async () => {
    const doomed = (await createApp(server.root, 'Doomed')).id;
    const r = await startReceiver();
    r.secret = (await server.root.ok(CreateWebhookEndpointDocument, { input: { appId: doomed, mode: 'TEST', url: r.url } })).createWebhookEndpoint.secret;
    const keys = [await createKey(server.root, { appId: doomed }), await createKey(server.root, { appId: doomed, kind: 'PUBLISHABLE' })];
    await server.root.raw('mutation($id: ID!) { deleteApp(id: $id) }', { id: doomed });
    expect(await waitFor(() => r.events('key.revoked').length === 2, 10_000)).toBe(true);
    expect(r.events('key.revoked').map((e) => e.data.key_id).sort()).toEqual(keys.map((k) => k.id).sort());
    expect(r.events('key.revoked').every((e) => e.data.reason === 'app deleted')).toBe(true);
    await r.close();
  });
});

describe('test events and the delivery log', () => {
  it('sendTestWebhook sends webhook.test to that endpoint and the log shows it SUCCEEDED on the first attempt', async () => {
    const sent = await server.root.ok(SendTestWebhookDocument, { id: testEndpointId });
    expect(sent.sendTestWebhook).toMatchObject({ eventType: 'webhook.test', status: 'PENDING', attempts: 0 });
    expect(await waitFor(() => test.events('webhook.test').length === 1, 10_000)).toBe(true);
    expect(test.events('webhook.test')[0].data).toEqual({ app_id: appId, mode: 'TEST', endpoint_id: testEndpointId });
    const log = async () => (await server.root.ok(WebhookDeliveriesDocument, { appId, mode: 'TEST' })).webhookEndpoints.nodes[0].deliveries.nodes.find((d) => d.id === sent.sendTestWebhook.id);
    expect(await waitFor(async () => (await log())?.status === 'SUCCEEDED', 10_000)).toBe(true);
    expect(await log()).toMatchObject({ status: 'SUCCEEDED', attempts: 1, responseStatus: 204, nextAttemptAt: null, eventId: sent.sendTestWebhook.eventId });
  });

  it('a disabled endpoint gets no new events', async () => {
    await server.root.ok(UpdateWebhookEndpointDocument, { id: testEndpointId, input: { enabled: false } });
    const before = test.received.length;
    const key = await createKey(server.root, { appId, mode: 'TEST', name: 'unheard' });
    // The live endpoint hears nothing of test mode; a new test endpoint proves the event was sent.
    const witness = await startReceiver();
    witness.secret = (await server.root.ok(CreateWebhookEndpointDocument, { input: { appId, mode: 'TEST', url: witness.url } })).createWebhookEndpoint.secret;
    await server.root.raw('mutation($id: ID!) { revokeApiKey(id: $id) { id } }', { id: key.id });
    expect(await waitFor(() => witness.events('key.revoked').length === 1, 10_000)).toBe(true);
    expect(test.received.length).toBe(before);
    await witness.close();
  });
});
