import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreateWebhookEndpointDocument, RetryWebhookDeliveryDocument, SendTestWebhookDocument, WebhookDeliveriesDocument } from '../generated/graphql';
import { createApp } from '../helpers/fixtures';
import { codeOf } from '../helpers/graphql-client';
import { waitFor } from '../helpers/process-harness';
import { type TestServer, startTestServer } from '../helpers/test-server';
import { type Receiver, startReceiver } from '../helpers/webhook-receiver';

/**
 * DESIGN.md "Webhooks": a 2xx is success; anything else is retried on the schedule
 * (KEYGATE_WEBHOOK_RETRY_SCHEDULE; here three attempts, no waiting), then FAILED.
 * Redirects are never followed. retryWebhookDelivery makes a finished delivery due again.
 */

let server: TestServer;
let appId: string;
const receivers: Receiver[] = [];

beforeAll(async () => {
  server = await startTestServer({ env: { KEYGATE_WEBHOOK_RETRY_SCHEDULE: '0,0,0' } });
  appId = (await createApp(server.root, 'Retry app')).id;
});
afterAll(async () => {
  await server?.close();
  await Promise.all(receivers.map((r) => r.close()));
});

/** A receiver behind its own endpoint (its own mode), and a test event sent to it. */
async function sendTo(respond: Parameters<typeof startReceiver>[0], mode: 'LIVE' | 'TEST') {
  const receiver = await startReceiver(respond);
  receivers.push(receiver);
  const created = await server.root.ok(CreateWebhookEndpointDocument, { input: { appId, mode, url: receiver.url, events: ['webhook.test'] } });
  receiver.secret = created.createWebhookEndpoint.secret;
  const sent = await server.root.ok(SendTestWebhookDocument, { id: created.createWebhookEndpoint.endpoint.id });
  return { receiver, deliveryId: sent.sendTestWebhook.id, mode };
}

async function delivery(mode: 'LIVE' | 'TEST', id: string) {
  const data = await server.root.ok(WebhookDeliveriesDocument, { appId, mode });
  return data.webhookEndpoints.nodes.flatMap((e) => e.deliveries.nodes).find((d) => d.id === id)!;
}

const settled = (mode: 'LIVE' | 'TEST', id: string) => waitFor(async () => (await delivery(mode, id)).status !== 'PENDING', 15_000);

describe('retries', () => {
  it('a receiver that fails twice and then answers 200 gets the event on the third attempt', async () => {
    const { receiver, deliveryId, mode } = await sendTo((n) => (n <= 2 ? 503 : 200), 'LIVE');
    expect(await settled(mode, deliveryId)).toBe(true);
    expect(await delivery(mode, deliveryId)).toMatchObject({ status: 'SUCCEEDED', attempts: 3, responseStatus: 200, nextAttemptAt: null });
    expect(receiver.received).toHaveLength(3);
    // The same message each time: same id, same body, each signature valid.
    expect(new Set(receiver.received.map((r) => r.headers['webhook-id'])).size).toBe(1);
    expect(new Set(receiver.received.map((r) => r.body)).size).toBe(1);
    expect(receiver.received.every((r) => r.verified?.type === 'webhook.test')).toBe(true);
  });

  it('a receiver that always fails ends FAILED after the last attempt of the schedule', async () => {
    const { receiver, deliveryId, mode } = await sendTo(() => 500, 'TEST');
    expect(await settled(mode, deliveryId)).toBe(true);
    expect(await delivery(mode, deliveryId)).toMatchObject({ status: 'FAILED', attempts: 3, responseStatus: 500, nextAttemptAt: null });
    expect(receiver.received).toHaveLength(3);
  });

  it('retryWebhookDelivery makes a FAILED delivery due again: one more attempt', async () => {
    let healthy = false;
    const { receiver, deliveryId, mode } = await sendTo(() => (healthy ? 200 : 500), 'TEST');
    expect(await settled(mode, deliveryId)).toBe(true);
    healthy = true;
    const retried = await server.root.ok(RetryWebhookDeliveryDocument, { id: deliveryId });
    expect(retried.retryWebhookDelivery).toMatchObject({ id: deliveryId, status: 'PENDING' });
    expect(await settled(mode, deliveryId)).toBe(true);
    expect(await delivery(mode, deliveryId)).toMatchObject({ status: 'SUCCEEDED', attempts: 4, responseStatus: 200 });
    expect(receiver.received).toHaveLength(4);
  });

  it('retryWebhookDelivery of a pending delivery is CONFLICT; of an unknown one NOT_FOUND', async () => {
    // A receiver that has not answered yet keeps its delivery pending (in flight).
    let answer!: (status: number) => void;
    const answered = new Promise<number>((resolve) => (answer = resolve));
    const { receiver, deliveryId, mode } = await sendTo(() => answered, 'LIVE');
    expect(await waitFor(() => receiver.received.length === 1, 10_000)).toBe(true);
    const pending = await server.root.request(RetryWebhookDeliveryDocument, { id: deliveryId });
    expect(codeOf(pending)).toBe('CONFLICT');
    answer(200);
    expect(await settled(mode, deliveryId)).toBe(true);
    const unknown = await server.root.request(RetryWebhookDeliveryDocument, { id: 'dlv_0000000000000000000000000' });
    expect(codeOf(unknown)).toBe('NOT_FOUND');
  });
});

describe('redirects', () => {
  it('a 302 is a failed attempt: its Location (a private address) is never requested', async () => {
    const inside = await startReceiver(() => 200);
    receivers.push(inside);
    const { deliveryId, mode } = await sendTo(() => ({ status: 302, headers: { location: inside.url } }), 'LIVE');
    expect(await settled(mode, deliveryId)).toBe(true);
    expect(await delivery(mode, deliveryId)).toMatchObject({ status: 'FAILED', attempts: 3, responseStatus: 302 });
    expect(inside.received).toHaveLength(0);
  });
});
