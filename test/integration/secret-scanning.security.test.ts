import { createHash, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKey } from '../../src/modules/auth/key-format';
import { createRootKey } from '../../src/modules/auth/root-key.service';
import { CreateWebhookEndpointDocument } from '../generated/graphql';
import { createApp, createKey } from '../helpers/fixtures';
import { documentedFetch } from '../helpers/openapi';
import { allAuditEvents, getJson, waitFor } from '../helpers/process-harness';
import { type TestServer, startTestServer } from '../helpers/test-server';
import { type Receiver, startReceiver } from '../helpers/webhook-receiver';

/**
 * POST /secret-scanning/github (DESIGN.md "Leaked-key reports"): reports signed by a
 * configured code-host key (ECDSA P-256 over the raw body) revoke a leaked secret key
 * under the default policy; anything unsigned or forged is 401 and changes nothing;
 * strings that are not working secret keys are false positives and write nothing.
 * The "code host" is a key pair made here with node:crypto.
 */

const KEY_ID = 'test-host-key-1';
let host: { privateKey: KeyObject; publicKey: KeyObject };
let dir: string;
let server: TestServer;
let receiver: Receiver;
let appId: string;

beforeAll(async () => {
  host = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  dir = mkdtempSync(join(tmpdir(), 'keygate-scanning-'));
  const file = join(dir, 'public_keys.json');
  writeFileSync(file, JSON.stringify({ public_keys: [{ key_identifier: KEY_ID, key: host.publicKey.export({ type: 'spki', format: 'pem' }), is_current: true }] }));
  server = await startTestServer({ env: { KEYGATE_SECRET_SCANNING_KEYS: file } });
  appId = (await createApp(server.root, 'Leaky app')).id;
  receiver = await startReceiver();
  receiver.secret = (await server.root.ok(CreateWebhookEndpointDocument, { input: { appId, mode: 'LIVE', url: receiver.url } })).createWebhookEndpoint.secret;
});
afterAll(async () => {
  await server?.close();
  await receiver?.close();
  rmSync(dir, { recursive: true, force: true });
});

type Item = { token: string; type: string; url: string; source: string };
const item = (token: string): Item => ({ token, type: 'keygate_secret_key', url: 'https://github.com/octo/repo/blob/main/.env', source: 'content' });

async function report(items: unknown, signer: { key: KeyObject; id: string } | null = { key: host.privateKey, id: KEY_ID }) {
  const body = JSON.stringify(items);
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (signer) {
    headers['github-public-key-identifier'] = signer.id;
    headers['github-public-key-signature'] = sign('sha256', Buffer.from(body), { key: signer.key, dsaEncoding: 'der' }).toString('base64');
  }
  const response = await documentedFetch(server.baseUrl, '/secret-scanning/github', { method: 'POST', headers, body });
  return { status: response.status, body: (await response.json()) as any };
}

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
const verify = (key: string) => getJson(`${server.baseUrl}/auth/verify`, key);
const leakEvents = async () => (await allAuditEvents(server.url, server.rootKey, appId)).filter((e) => e.action === 'key.leaked' || e.action === 'key.revoke');

describe('a signed report of a live secret key (policy REVOKE, the default)', () => {
  it('answers true_positive, revokes the key at once (KEY_REVOKED), audits key.leaked and sends key.leaked and key.revoked', async () => {
    const key = await createKey(server.root, { appId, mode: 'LIVE', role: 'ADMIN', name: 'committed to git' });
    expect((await verify(key.secret)).status).toBe(200);
    const answer = await report([item(key.secret)]);
    expect(answer).toEqual({ status: 200, body: [{ token_hash: sha256(key.secret), token_type: 'keygate_secret_key', label: 'true_positive' }] });

    const after = await verify(key.secret);
    expect(after.status).toBe(401);
    expect(after.body.error.reason).toBe('KEY_REVOKED');
    const audited = (await leakEvents()).filter((e) => e.targetId === key.id);
    expect(audited.map((e) => e.action).sort()).toEqual(['key.leaked', 'key.revoke']);
    expect(audited.find((e) => e.action === 'key.leaked')!.details).toMatchObject({ url: 'https://github.com/octo/repo/blob/main/.env', source: 'content', policy: 'REVOKE' });
    expect(audited.find((e) => e.action === 'key.revoke')!.details).toMatchObject({ reason: 'leaked' });
    // The code host acted, not a key: both events name it.
    for (const event of audited) expect({ actorType: event.actorType, actorId: event.actorId }).toEqual({ actorType: 'SYSTEM', actorId: 'github-secret-scanning' });

    // Two deliveries, in no set order: wait for both before reading either.
    const delivered = (type: string) => receiver.events(type).some((e) => e.data.key_id === key.id);
    expect(await waitFor(() => delivered('key.revoked') && delivered('key.leaked'), 10_000)).toBe(true);
    expect(receiver.events('key.leaked').find((e) => e.data.key_id === key.id)!.data).toMatchObject({ app_id: appId, mode: 'LIVE', url: 'https://github.com/octo/repo/blob/main/.env', source: 'content' });
    expect(receiver.events('key.revoked').find((e) => e.data.key_id === key.id)!.data).toMatchObject({ reason: 'leaked' });
  });

  it('a leaked root key is revoked too (root keys have no app, so no policy)', async () => {
    const { value } = await createRootKey(server.keygate.runtime.orm.em.fork(), server.keygate.runtime.hasher, undefined, 'leaked root');
    expect((await server.client(value).raw('{ viewer { type } }')).status).toBe(200);
    expect((await report([item(value)])).body[0].label).toBe('true_positive');
    const refused = await server.client(value).raw('{ viewer { type } }');
    expect(refused.status).toBe(401);
    expect(refused.errors![0].extensions!.reason).toBe('KEY_REVOKED');
  });
});

describe('policy NOTIFY', () => {
  it('audits and sends key.leaked but leaves the key working', async () => {
    const notifyApp = (await createApp(server.root, 'Notify app')).id;
    await server.root.raw('mutation($id: ID!) { updateApp(id: $id, input: { leakedKeyPolicy: NOTIFY }) { leakedKeyPolicy } }', { id: notifyApp });
    const key = await createKey(server.root, { appId: notifyApp, mode: 'TEST' });
    expect((await report([item(key.secret)])).body[0].label).toBe('true_positive');
    expect((await verify(key.secret)).status).toBe(200);
    const actions = (await allAuditEvents(server.url, server.rootKey, notifyApp)).filter((e) => e.targetId === key.id).map((e) => e.action);
    expect(actions).toEqual(['key.create', 'key.leaked']);
  });
});

describe('false positives write nothing', () => {
  it('a publishable key (public by design), a random string, a bad checksum and an unknown well-formed key', async () => {
    const publishable = await createKey(server.root, { appId, mode: 'LIVE', kind: 'PUBLISHABLE' });
    const secret = await createKey(server.root, { appId, mode: 'LIVE' });
    const badChecksum = `${secret.secret.slice(0, -1)}${secret.secret.endsWith('A') ? 'B' : 'A'}`;
    const unknown = generateKey({ type: 'app', kind: 'sk', mode: 'live' }, undefined).value;
    const before = await allAuditEvents(server.url, server.rootKey, appId);
    const tokens = [publishable.secret, 'hunter2-not-a-key', badChecksum, unknown];
    const answer = await report(tokens.map(item));
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual(tokens.map((t) => ({ token_hash: sha256(t), token_type: 'keygate_secret_key', label: 'false_positive' })));
    expect(await allAuditEvents(server.url, server.rootKey, appId)).toEqual(before);
    expect((await verify(publishable.secret)).status).toBe(200);
    expect((await verify(secret.secret)).status).toBe(200);
  });
});

describe('unsigned or forged reports are 401 and change nothing', () => {
  let victim: { secret: string; id: string };
  beforeAll(async () => {
    victim = await createKey(server.root, { appId, mode: 'LIVE', name: 'victim' });
  });
  const forger = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const cases: [string, () => ReturnType<typeof report>][] = [
    ['no signature headers', () => report([item(victim.secret)], null)],
    ['signed by another key under the configured identifier', () => report([item(victim.secret)], { key: forger.privateKey, id: KEY_ID })],
    ['an unknown key identifier', () => report([item(victim.secret)], { key: host.privateKey, id: 'someone-else' })],
  ];
  for (const [label, send] of cases) {
    it(label, async () => {
      const before = await leakEvents();
      const answer = await send();
      expect(answer.status).toBe(401);
      expect(answer.body.error.code).toBe('authentication_failed');
      expect((await verify(victim.secret)).status).toBe(200);
      expect(await leakEvents()).toEqual(before);
    });
  }

  it('a signature over a different body (the body was altered in transit)', async () => {
    const signed = JSON.stringify([item('harmless')]);
    const signature = sign('sha256', Buffer.from(signed), { key: host.privateKey, dsaEncoding: 'der' }).toString('base64');
    const response = await documentedFetch(server.baseUrl, '/secret-scanning/github', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'github-public-key-identifier': KEY_ID, 'github-public-key-signature': signature },
      body: JSON.stringify([item(victim.secret)]),
    });
    expect(response.status).toBe(401);
    expect((await verify(victim.secret)).status).toBe(200);
  });
});
