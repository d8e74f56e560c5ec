import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RevokeApiKeyDocument, RotateApiKeyDocument, CompleteRotationDocument, SessionAccessDocument, IntrospectTokenDocument, UpdateAppDocument } from '../generated/graphql';
import { createApp, createKey } from '../helpers/fixtures';
import { codeOf } from '../helpers/graphql-client';
import { startTestServer, type TestServer } from '../helpers/test-server';

let server: TestServer;
let appId: string;
let writer: Awaited<ReturnType<typeof createKey>>;

beforeAll(async () => {
  server = await startTestServer();
  appId = (await createApp(server.root, 'Video app')).id;
  writer = await createKey(server.root, { appId, role: 'READ_WRITE', mode: 'LIVE' });
});
afterAll(() => server?.close());

const mint = (key: string, input: Record<string, unknown>) =>
  server.client(key).request(SessionAccessDocument, { input: { userId: 'user-1', ...input } });

describe('sessionAccess', () => {
  it('mints an EdDSA JWT that jose verifies against the JWKS with issuer and audience pinned', async () => {
    const { sessionAccess } = await server.client(writer.secret).ok(SessionAccessDocument, {
      input: { userId: 'user-42', channelId: 'room-7', tokenLifetime: 600, services: { media: { allowPublishAudio: true, allowPublishVideo: false } } },
    });
    const jwks = createRemoteJWKSet(new URL(`${server.baseUrl}/.well-known/jwks.json`));
    const { payload, protectedHeader } = await jwtVerify(sessionAccess.token, jwks, { issuer: server.baseUrl, audience: appId, algorithms: ['EdDSA'], typ: 'session+jwt' });
    expect(protectedHeader).toMatchObject({ alg: 'EdDSA', typ: 'session+jwt' });
    expect(protectedHeader.kid).toMatch(/^sig_/);
    expect(payload).toMatchObject({
      iss: server.baseUrl,
      aud: appId,
      sub: 'user-42',
      channel_id: 'room-7',
      mode: 'LIVE',
      akid: writer.id,
      jti: sessionAccess.tokenId,
      services: { media: { allow_publish_audio: true, allow_publish_video: false } },
    });
    expect(payload.exp! - payload.iat!).toBe(600);
    expect(payload.nbf).toBe(payload.iat);
    expect(Date.parse(sessionAccess.expiresAt)).toBe(payload.exp! * 1000);
    expect(Date.parse(sessionAccess.refreshAt)).toBe((payload.iat! + 480) * 1000);
  });

  it("defaults the lifetime to the app's defaultTokenLifetime", async () => {
    const { sessionAccess } = await server.client(writer.secret).ok(SessionAccessDocument, { input: { userId: 'u' } });
    const { payload } = await jwtVerify(sessionAccess.token, createRemoteJWKSet(new URL(`${server.baseUrl}/.well-known/jwks.json`)));
    expect(payload.exp! - payload.iat!).toBe(1800);
  });

  it.each([
    ['a lifetime under 60 s', { tokenLifetime: 59 }, 'tokenLifetime'],
    ['a lifetime over the app maximum', { tokenLifetime: 86401 }, 'tokenLifetime'],
    ['an empty userId', { userId: '' }, 'userId'],
    ['an over-long userId', { userId: 'u'.repeat(257) }, 'userId'],
    ['an empty channelId', { channelId: ' ' }, 'channelId'],
  ])('refuses %s with BAD_USER_INPUT, never clamping', async (_label, input, field) => {
    const result = await mint(writer.secret, input);
    expect(codeOf(result)).toBe('BAD_USER_INPUT');
    expect(result.errors?.[0].extensions?.field).toBe(field);
  });

  it('makes root name appId and mode', async () => {
    expect(codeOf(await mint(server.rootKey, {}))).toBe('BAD_USER_INPUT');
    const ok = await mint(server.rootKey, { appId, mode: 'TEST' });
    expect(ok.data?.sessionAccess.token).toBeTruthy();
  });

  it('keeps an app key inside its own app and mode', async () => {
    const other = await createApp(server.root, 'Other');
    expect(codeOf(await mint(writer.secret, { appId: other.id }))).toBe('NOT_FOUND');
    expect(codeOf(await mint(writer.secret, { mode: 'TEST' }))).toBe('FORBIDDEN');
  });

  it('restricts publishable keys: no publish grants unless the app allows, lifetime at most the default', async () => {
    const app = await createApp(server.root, 'Client app');
    const pk = await createKey(server.root, { appId: app.id, kind: 'PUBLISHABLE', mode: 'LIVE' });
    const plain = await mint(pk.secret, {});
    expect(plain.data?.sessionAccess.token).toBeTruthy();
    expect(codeOf(await mint(pk.secret, { tokenLifetime: 1801 }))).toBe('BAD_USER_INPUT');
    const publish = { services: { media: { allowPublishVideo: true } } };
    expect(codeOf(await mint(pk.secret, publish))).toBe('FORBIDDEN');
    await server.root.ok(UpdateAppDocument, { id: app.id, input: { publishableCanPublish: true } });
    expect((await mint(pk.secret, publish)).data?.sessionAccess.token).toBeTruthy();
  });
});

describe('introspectToken', () => {
  it('reads a fresh token as active with its claims', async () => {
    const { sessionAccess } = await server.client(writer.secret).ok(SessionAccessDocument, { input: { userId: 'u-9', channelId: 'c-1' } });
    const { introspectToken } = await server.client(writer.secret).ok(IntrospectTokenDocument, { token: sessionAccess.token });
    expect(introspectToken).toMatchObject({ active: true, tokenId: sessionAccess.tokenId, appId, keyId: writer.id, userId: 'u-9', channelId: 'c-1', mode: 'LIVE', expiresAt: sessionAccess.expiresAt });
  });

  it('reads every token of a key inactive right after the key is revoked', async () => {
    const key = await createKey(server.root, { appId, role: 'READ_WRITE', mode: 'LIVE' });
    const { sessionAccess } = await server.client(key.secret).ok(SessionAccessDocument, { input: { userId: 'u' } });
    expect((await server.root.ok(IntrospectTokenDocument, { token: sessionAccess.token })).introspectToken.active).toBe(true);
    await server.root.ok(RevokeApiKeyDocument, { id: key.id });
    expect((await server.root.ok(IntrospectTokenDocument, { token: sessionAccess.token })).introspectToken).toEqual({ active: false, tokenId: null, appId: null, keyId: null, userId: null, channelId: null, mode: null, services: null, issuedAt: null, expiresAt: null });
  });

  it('reads tokens inactive once the minting key rotation grace has ended', async () => {
    const key = await createKey(server.root, { appId, role: 'ADMIN', mode: 'LIVE' });
    const { sessionAccess } = await server.client(key.secret).ok(SessionAccessDocument, { input: { userId: 'u' } });
    const { rotateApiKey } = await server.root.ok(RotateApiKeyDocument, { id: key.id });
    expect((await server.root.ok(IntrospectTokenDocument, { token: sessionAccess.token })).introspectToken.active).toBe(true);
    await server.root.ok(CompleteRotationDocument, { id: rotateApiKey.rotation.id });
    expect((await server.root.ok(IntrospectTokenDocument, { token: sessionAccess.token })).introspectToken.active).toBe(false);
  });

  it('reads tokens of another app or the other mode as inactive to an app key', async () => {
    const reader = await createKey(server.root, { appId, role: 'READ_ONLY', mode: 'TEST' });
    const { sessionAccess } = await server.client(writer.secret).ok(SessionAccessDocument, { input: { userId: 'u' } });
    expect((await server.client(reader.secret).ok(IntrospectTokenDocument, { token: sessionAccess.token })).introspectToken.active).toBe(false);
    const other = await createApp(server.root, 'Elsewhere');
    const otherReader = await createKey(server.root, { appId: other.id, role: 'READ_ONLY', mode: 'LIVE' });
    expect((await server.client(otherReader.secret).ok(IntrospectTokenDocument, { token: sessionAccess.token })).introspectToken.active).toBe(false);
  });
});
