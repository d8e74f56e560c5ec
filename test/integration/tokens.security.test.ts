import { TokenAlgorithm } from '../../src/modules/sessions/token-algorithm';
import { createHmac, randomBytes } from 'node:crypto';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKeygate } from '../../src/app';
import { loadConfig } from '../../src/config';
import { createScratchDatabase } from '../../src/database/scratch-database';
import { createLogger } from '../../src/logger';
import { AuditEventsDocument, IntrospectTokenDocument, RotateSigningKeyDocument, SessionAccessDocument } from '../generated/graphql';
import { createApp, createKey } from '../helpers/fixtures';
import { TEST_DIALECT, startTestServer, type TestServer } from '../helpers/test-server';
import { documentedFetch } from '../helpers/openapi';

let server: TestServer;
let appId: string;
let token: string;

const b64 = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

beforeAll(async () => {
  server = await startTestServer();
  appId = (await createApp(server.root, 'Tokens')).id;
  const key = await createKey(server.root, { appId, role: 'READ_WRITE', mode: 'LIVE' });
  token = (await server.client(key.secret).ok(SessionAccessDocument, { input: { userId: 'victim' } })).sessionAccess.token;
});
afterAll(() => server?.close());

async function introspect(candidate: string) {
  const result = await server.root.request(IntrospectTokenDocument, { token: candidate });
  expect(result.status).toBe(200);
  expect(result.errors).toBeUndefined();
  return result.data?.introspectToken.active;
}

describe('forged and broken tokens read as inactive, never as an error', () => {
  it('the genuine token is active (control)', async () => {
    expect(await introspect(token)).toBe(true);
  });

  it.each(['', 'garbage', 'a.b.c', 'x'.repeat(10_000), '....', 'eyJhbGciOiJFZERTQSJ9.e30.'])('garbage %#', async (candidate) => {
    expect(await introspect(candidate)).toBe(false);
  });

  it('alg: none', async () => {
    const [header, payload] = token.split('.');
    const h = JSON.parse(Buffer.from(header, 'base64url').toString());
    expect(await introspect(`${b64({ ...h, alg: 'none' })}.${payload}.`)).toBe(false);
  });

  it('HS256 signed with the public key (algorithm confusion)', async () => {
    const [header, payload] = token.split('.');
    const h = JSON.parse(Buffer.from(header, 'base64url').toString());
    const jwks = (await (await documentedFetch(server.baseUrl, `/.well-known/jwks.json`)).json()) as { keys: { kid: string; x: string }[] };
    const publicKey = jwks.keys.find((k) => k.kid === h.kid)!;
    const forgedHeader = b64({ ...h, alg: 'HS256' });
    for (const secret of [Buffer.from(publicKey.x, 'base64url'), Buffer.from(JSON.stringify(publicKey))]) {
      const signature = createHmac('sha256', secret).update(`${forgedHeader}.${payload}`).digest('base64url');
      expect(await introspect(`${forgedHeader}.${payload}.${signature}`)).toBe(false);
    }
  });

  it('a tampered payload', async () => {
    const [header, payload, signature] = token.split('.');
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
    expect(await introspect(`${header}.${b64({ ...claims, sub: 'admin' })}.${signature}`)).toBe(false);
    expect(await introspect(`${header}.${b64({ ...claims, exp: claims.exp + 86400 })}.${signature}`)).toBe(false);
  });

  it('an unknown kid', async () => {
    const [header, payload, signature] = token.split('.');
    const h = JSON.parse(Buffer.from(header, 'base64url').toString());
    expect(await introspect(`${b64({ ...h, kid: 'sig_unknown' })}.${payload}.${signature}`)).toBe(false);
  });
});

describe('signing keys', () => {
  it('rotateSigningKey keeps old tokens verifiable through the JWKS and signs new ones with the new key', async () => {
    const jwks = createRemoteJWKSet(new URL(`${server.baseUrl}/.well-known/jwks.json`));
    const oldKid = (await jwtVerify(token, jwks)).protectedHeader.kid;
    const { rotateSigningKey } = await server.root.ok(RotateSigningKeyDocument);
    expect(rotateSigningKey).toMatchObject({ algorithm: 'EdDSA' });
    expect(rotateSigningKey.kid).not.toBe(oldKid);

    const published = (await (await documentedFetch(server.baseUrl, `/.well-known/jwks.json`)).json()) as { keys: { kid: string }[] };
    expect(published.keys.map((k) => k.kid)).toEqual(expect.arrayContaining([oldKid, rotateSigningKey.kid]));
    expect(JSON.stringify(published)).not.toMatch(/"d"\s*:/);

    const fresh = await createRemoteJWKSet(new URL(`${server.baseUrl}/.well-known/jwks.json`));
    await expect(jwtVerify(token, fresh, { issuer: server.baseUrl, audience: appId })).resolves.toBeTruthy();
    expect(await introspect(token)).toBe(true);
    const key = await createKey(server.root, { appId, role: 'ADMIN', mode: 'LIVE' });
    const next = (await server.client(key.secret).ok(SessionAccessDocument, { input: { userId: 'u' } })).sessionAccess.token;
    expect((await jwtVerify(next, fresh)).protectedHeader.kid).toBe(rotateSigningKey.kid);

    const events = await server.root.ok(AuditEventsDocument, { appId });
    expect(events.auditEvents.nodes.some((e) => e.action === 'signing_key.rotate')).toBe(false); // not an app event
  });

  it('serves the JWKS publicly with Cache-Control', async () => {
    const response = await documentedFetch(server.baseUrl, `/.well-known/jwks.json`);
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toMatch(/^public, max-age=\d+$/);
  });

  it('refuses to start with a master key that did not encrypt the stored signing keys', async () => {
    const database = await createScratchDatabase(TEST_DIALECT);
    const url = database.config.dialect === 'sqlite' ? `sqlite:${database.config.file}` : database.config.url;
    const env = { NODE_ENV: 'test', HOST: '127.0.0.1', PORT: '0', DATABASE_URL: url, LOG_LEVEL: 'silent' } as const;
    const logger = createLogger('silent');
    try {
      const first = await createKeygate(loadConfig({ ...env, KEYGATE_MASTER_KEY: randomBytes(32).toString('base64') }), { logger });
      await first.runtime.signingKeys.signingKey(TokenAlgorithm.EDDSA);
      await first.close();
      await expect(createKeygate(loadConfig({ ...env, KEYGATE_MASTER_KEY: randomBytes(32).toString('base64') }), { logger })).rejects.toThrow(
        /KEYGATE_MASTER_KEY does not match/,
      );
    } finally {
      await database.drop();
    }
  });
});
