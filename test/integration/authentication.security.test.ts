import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKey } from '../../src/modules/auth/key-format';
import { BASE62, toBase62 } from '../../src/shared/base62';
import { crc32 } from '../../src/shared/crc32';
import { ApiKeyDocument, RevokeApiKeyDocument } from '../generated/graphql';
import { createApp, createKey } from '../helpers/fixtures';
import { startTestServer, type TestServer } from '../helpers/test-server';
import { untilRefusedAt } from '../helpers/wall-clock';

/**
 * Authentication (DESIGN.md "Key format", "Errors"): a missing or bad credential fails
 * the whole request with HTTP 401, code UNAUTHENTICATED and exactly one reason, before
 * anything executes; the answer never echoes the key that was presented.
 */

let server: TestServer;
let appId: string;
/** A working secret ADMIN key of the unbranded deployment. */
let key: { id: string; secret: string };

beforeAll(async () => {
  server = await startTestServer();
  appId = (await createApp(server.root, 'Auth app')).id;
  key = await createKey(server.root, { appId, role: 'ADMIN', mode: 'TEST', name: 'auth admin' });
});
afterAll(() => server?.close());

const VIEWER = '{ viewer { type keyId } }';

/** POSTs a query with the given Authorization header (none when undefined); returns status, parsed body and raw text. */
async function call(url: string, authorization: string | undefined, query = VIEWER) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(authorization === undefined ? {} : { authorization }) },
    body: JSON.stringify({ query }),
  });
  const text = await response.text();
  return { status: response.status, text, body: JSON.parse(text) as { data?: unknown; errors?: { message: string; extensions?: Record<string, unknown> }[] } };
}

/** The whole-request 401 of the contract, with nothing of the presented credential in it. */
function expectRefused(result: Awaited<ReturnType<typeof call>>, reason: string, ...mustNotContain: string[]) {
  expect(result.status).toBe(401);
  expect(result.body.data ?? null).toBeNull();
  expect(result.body.errors).toHaveLength(1);
  expect(result.body.errors?.[0].extensions).toMatchObject({ code: 'UNAUTHENTICATED', reason });
  for (const secret of mustNotContain) {
    expect(result.text).not.toContain(secret);
    expect(result.text).not.toContain(secret.slice(-20)); // not even the tail of its body
  }
}

/** `text` followed by its 6-character base62 CRC32: a well-formed key string. */
function withChecksum(text: string): string {
  return text + toBase62(crc32(text), 6);
}

/** The key with the character at `index` replaced by a different base62 character. */
function flip(value: string, index: number): string {
  const i = index < 0 ? value.length + index : index;
  const replacement = BASE62[(BASE62.indexOf(value[i]) + 1) % BASE62.length];
  return value.slice(0, i) + replacement + value.slice(i + 1);
}

describe('the credential is accepted', () => {
  it('as "Bearer <key>", answering as the key', async () => {
    const result = await call(server.url, `Bearer ${key.secret}`);
    expect(result.status).toBe(200);
    expect(result.body).toEqual({ data: { viewer: { type: 'API_KEY', keyId: key.id } } });
  });

  it('with the scheme in any case (RFC 7235: auth schemes are case-insensitive)', async () => {
    expect((await call(server.url, `bearer ${key.secret}`)).status).toBe(200);
    expect((await call(server.url, `BEARER ${key.secret}`)).status).toBe(200);
  });
});

describe('KEY_MISSING', () => {
  it('when no Authorization header is sent', async () => {
    expectRefused(await call(server.url, undefined), 'KEY_MISSING');
  });
});

describe('KEY_MALFORMED: rejected on its shape alone', () => {
  it.each([
    ['the body has one character changed (checksum fails)', () => flip(key.secret, 'sk_test_'.length + 10)],
    ['the first body character is changed', () => flip(key.secret, 'sk_test_'.length)],
    ['the checksum itself has one character changed', () => flip(key.secret, -1)],
    ['the last character is missing', () => key.secret.slice(0, -1)],
    ['the type is changed without a new checksum (sk → pk)', () => key.secret.replace(/^sk_/, 'pk_')],
    ['the mode is changed without a new checksum (test → live)', () => key.secret.replace('_test_', '_live_')],
    ['it is not base62', () => `${key.secret.slice(0, -7)}-${key.secret.slice(-6)}`],
    ['it is far too long', () => withChecksum(key.secret + 'A'.repeat(120))],
    ['it is garbage', () => 'not-a-key'],
    ['it is another product\'s key shape', () => 'ghp_0123456789abcdefghijklmnopqrstuvwxyz'],
    ['it carries a brand this deployment does not have', () => generateKey({ type: 'app', kind: 'sk', mode: 'test' }, 'acme').value],
    ['a root key carries a brand this deployment does not have', () => generateKey({ type: 'root' }, 'acme').value],
  ])('when %s', async (_label, make) => {
    const presented = make();
    expect(presented).not.toBe(key.secret);
    expectRefused(await call(server.url, `Bearer ${presented}`), 'KEY_MALFORMED', presented, key.secret);
  });

  it.each([
    ['Basic', (k: string) => `Basic ${k}`],
    ['Token', (k: string) => `Token ${k}`],
    ['no scheme at all', (k: string) => k],
    ['"Bearer" glued to the key', (k: string) => `Bearer${k}`],
    ['"Bearer" with no key', () => 'Bearer'],
    ['two credentials', (k: string) => `Bearer ${k} ${k}`],
  ])('when the Authorization scheme is not "Bearer <key>": %s', async (_label, header) => {
    expectRefused(await call(server.url, header(key.secret)), 'KEY_MALFORMED', key.secret);
  });
});

describe('KEY_INVALID: well-formed, but not a key of this deployment', () => {
  it.each([
    ['an unknown secret key', () => generateKey({ type: 'app', kind: 'sk', mode: 'test' }, undefined).value],
    ['an unknown publishable key', () => generateKey({ type: 'app', kind: 'pk', mode: 'live' }, undefined).value],
    ['an unknown root key', () => generateKey({ type: 'root' }, undefined).value],
    ['a real key body under the other mode, re-checksummed', () => withChecksum(key.secret.slice(0, -6).replace('_test_', '_live_'))],
    ['a real key body under the other type, re-checksummed', () => withChecksum(key.secret.slice(0, -6).replace(/^sk_/, 'pk_'))],
    ['a real key body presented as a root key, re-checksummed', () => withChecksum(key.secret.slice(0, -6).replace(/^sk_test_/, 'rk_'))],
  ])('%s', async (_label, make) => {
    const presented = make();
    expectRefused(await call(server.url, `Bearer ${presented}`), 'KEY_INVALID', presented, key.secret);
  });
});

describe('KEY_REVOKED', () => {
  it('for a revoked key, and the request it carried does not run', async () => {
    const victim = await createKey(server.root, { appId, role: 'ADMIN', name: 'to revoke' });
    await server.root.ok(RevokeApiKeyDocument, { id: victim.id });
    const attempt = `mutation { updateApiKey(id: "${victim.id}", input: { name: "after revocation" }) { id } }`;
    expectRefused(await call(server.url, `Bearer ${victim.secret}`, attempt), 'KEY_REVOKED', victim.secret);
    const after = await server.root.ok(ApiKeyDocument, { id: victim.id });
    expect(after.apiKey).toMatchObject({ name: 'to revoke', status: 'REVOKED' });
  });
});

describe('KEY_EXPIRED', () => {
  it('once expiresAt has passed, with no job having to run', async () => {
    const expiresAt = new Date(Date.now() + 2000);
    const expiring = await createKey(server.root, { appId, name: 'short-lived', expiresAt: expiresAt.toISOString() });
    const refused = await untilRefusedAt(expiresAt.getTime(), () => call(server.url, `Bearer ${expiring.secret}`));
    expectRefused(refused, 'KEY_EXPIRED', expiring.secret);
    expect((await server.root.ok(ApiKeyDocument, { id: expiring.id })).apiKey?.status).toBe('EXPIRED');
  });
});

describe('a branded deployment (KEYGATE_KEY_PREFIX=acme)', () => {
  let branded: TestServer;
  let brandedKey: { secret: string };
  beforeAll(async () => {
    branded = await startTestServer({ env: { KEYGATE_KEY_PREFIX: 'acme' } });
    brandedKey = await createKey(branded.root, { appId: (await createApp(branded.root, 'Branded')).id, name: 'branded' });
  });
  afterAll(() => branded?.close());

  it('issues keys with its brand, and accepts them', async () => {
    expect(branded.rootKey).toMatch(/^acme_rk_[0-9A-Za-z]{38}$/);
    expect(brandedKey.secret).toMatch(/^acme_sk_test_[0-9A-Za-z]{38}$/);
    expect((await call(branded.url, `Bearer ${brandedKey.secret}`)).status).toBe(200);
  });

  it('refuses as KEY_MALFORMED the same body under another brand, even with a valid checksum', async () => {
    const rebranded = withChecksum(brandedKey.secret.slice(0, -6).replace(/^acme_/, 'acmf_'));
    expectRefused(await call(branded.url, `Bearer ${rebranded}`), 'KEY_MALFORMED', rebranded, brandedKey.secret);
  });

  it('is refused as KEY_MALFORMED by a deployment without that brand', async () => {
    expectRefused(await call(server.url, `Bearer ${brandedKey.secret}`), 'KEY_MALFORMED', brandedKey.secret);
    expectRefused(await call(server.url, `Bearer ${branded.rootKey}`), 'KEY_MALFORMED', branded.rootKey);
  });
});
