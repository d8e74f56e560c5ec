import { generateKeyPairSync, sign } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WEBHOOK_EVENT_TYPES } from '../../src/modules/webhooks/webhook-event-types';
import { ManualClock } from '../../src/shared/clock';
import { redact } from '../../src/shared/redact';
import { CreateWebhookEndpointDocument, SendTestWebhookDocument } from '../generated/graphql';
import { createApp, createKey } from '../helpers/fixtures';
import { waitFor } from '../helpers/process-harness';
import { type TestServer, startTestServer } from '../helpers/test-server';
import { type Receiver, startReceiver } from '../helpers/webhook-receiver';

/**
 * DESIGN.md "Webhooks": bodies carry "ids and facts, never a key, token or hash". Every
 * event type this build emits is produced here, and every delivered body and header
 * (but the signature, which is an HMAC by definition) is scanned for each key value,
 * its HMAC, a session token, the endpoint's secret and anything shaped like a key, a
 * JWT or a hex digest. The server's log is scanned for the endpoint secret too.
 */

const HOUR = 3600_000;
const clock = new ManualClock(new Date('2032-05-01T00:00:00.000Z'));
let server: TestServer;
let receiver: Receiver;
let dir: string;
const secrets: string[] = [];
const scanner = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'keygate-payloads-'));
  const file = join(dir, 'keys.json');
  writeFileSync(file, JSON.stringify({ public_keys: [{ key_identifier: 'k1', key: scanner.publicKey.export({ type: 'spki', format: 'pem' }) }] }));
  server = await startTestServer({ clock, env: { KEYGATE_SECRET_SCANNING_KEYS: file, KEYGATE_WEBHOOK_SCAN_SECONDS: '3600' } });
  receiver = await startReceiver();
});
afterAll(async () => {
  await server?.close();
  await receiver?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A key's value and its stored HMAC: neither may appear anywhere in a webhook. */
function remember(value: string) {
  secrets.push(value, server.keygate.runtime.hasher.hash(value));
}

describe('every delivered webhook', () => {
  it('is produced for every event type this build emits', async () => {
    const appId = (await createApp(server.root, 'Payload app')).id;
    const created = await server.root.ok(CreateWebhookEndpointDocument, { input: { appId, mode: 'LIVE', url: receiver.url } });
    receiver.secret = created.createWebhookEndpoint.secret;
    secrets.push(receiver.secret, receiver.secret.slice('whsec_'.length));

    const expiring = await createKey(server.root, { appId, mode: 'LIVE', role: 'ADMIN', expiresAt: new Date(clock.now().getTime() + 20 * HOUR).toISOString() });
    const publishable = await createKey(server.root, { appId, mode: 'LIVE', kind: 'PUBLISHABLE' });
    const metered = await createKey(server.root, { appId, mode: 'LIVE', extra: { credits: { remaining: 10 } } });
    remember(metered.secret);
    await fetch(`${server.baseUrl}/auth/verify?cost=10`, { headers: { authorization: `Bearer ${metered.secret}` } }); // key.credits_low
    const leaked = await createKey(server.root, { appId, mode: 'LIVE' });
    [expiring, publishable, leaked].forEach((k) => remember(k.secret));
    await server.client(expiring.secret).raw('mutation($id: ID!) { updateApiKey(id: $id, input: { name: "renamed" }) { id } }', { id: publishable.id });
    const minted = await server.client(expiring.secret).raw<{ sessionAccess: { token: string } }>('mutation { sessionAccess(input: { userId: "u1" }) { token } }');
    secrets.push(minted.data!.sessionAccess.token);
    await server.keygate.runtime.webhooks.scan(); // key.expiring (1 day notice), before the rotation ends the key
    const rotated = await server.root.raw<{ rotateApiKey: { secret: string; rotation: { id: string } } }>('mutation($id: ID!) { rotateApiKey(id: $id, gracePeriodSeconds: 1800) { secret rotation { id } } }', { id: expiring.id });
    remember(rotated.data!.rotateApiKey.secret);
    await server.keygate.runtime.webhooks.scan(); // rotation.grace_ending
    await server.root.raw('mutation($id: ID!) { completeRotation(id: $id) { id } }', { id: rotated.data!.rotateApiKey.rotation.id });
    await server.root.raw('mutation($id: ID!) { updateApiKey(id: $id, input: { enabled: false }) { id } }', { id: publishable.id });
    await server.root.raw('mutation($id: ID!) { updateApiKey(id: $id, input: { enabled: true }) { id } }', { id: publishable.id });
    await server.root.raw('mutation($id: ID!) { revokeApiKey(id: $id) { id } }', { id: publishable.id });
    await server.root.ok(SendTestWebhookDocument, { id: created.createWebhookEndpoint.endpoint.id });
    const body = JSON.stringify([{ token: leaked.secret, type: 'keygate', url: 'https://example.com/x', source: 'content' }]);
    await fetch(`${server.baseUrl}/secret-scanning/github`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'github-public-key-identifier': 'k1', 'github-public-key-signature': sign('sha256', Buffer.from(body), { key: scanner.privateKey, dsaEncoding: 'der' }).toString('base64') },
      body,
    });

    const emitted = WEBHOOK_EVENT_TYPES;
    expect(await waitFor(() => emitted.every((t) => receiver.events(t).length > 0), 15_000)).toBe(true);
    expect(receiver.received.every((r) => r.verified !== null)).toBe(true);
  });

  it('carries no key, token, hash or secret in its body or headers', () => {
    expect(receiver.received.length).toBeGreaterThan(10);
    for (const r of receiver.received) {
      const { 'webhook-signature': _signature, ...headers } = r.headers;
      const text = `${JSON.stringify(headers)}\n${r.body}`;
      for (const secret of secrets) expect(text.includes(secret), `${r.verified?.type} carries a secret`).toBe(false);
      expect(redact(text), `${r.verified?.type} carries something shaped like a key, JWT or digest`).toBe(text);
    }
  });

  it('names its subject by ids: app_id, mode and (for key events) key_id', () => {
    for (const event of receiver.events()) {
      expect(event.data.app_id).toMatch(/^app_/);
      expect(event.data.mode).toBe('LIVE');
      if (event.type !== 'webhook.test') expect(event.data.key_id).toMatch(/^key_/);
    }
  });

  it('and the endpoint secret is in no log line', () => {
    const logs = server.logs.join('');
    expect(logs).not.toContain(receiver.secret!.slice('whsec_'.length));
  });
});
