import { decodeProtectedHeader } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SessionAccessDocument } from '../generated/graphql';
import { createApp, createKey } from '../helpers/fixtures';
import { startTestServer, type TestServer } from '../helpers/test-server';

/**
 * DESIGN.md "Token algorithms and the verifiers in the wild": each app signs with EdDSA
 * or ES256, the JWKS publishes every key in use with alg/kid/use, a rotation per
 * algorithm leaves the other alone, and a token verifies only with its own key's algorithm.
 */
let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.close());

async function mint(tokenAlgorithm?: 'EDDSA' | 'ES256') {
  const app = await createApp(server.root, `app ${tokenAlgorithm ?? 'default'}`, tokenAlgorithm ? { tokenAlgorithm } : {});
  const key = await createKey(server.root, { appId: app.id, role: 'READ_WRITE', mode: 'LIVE' });
  const token = (await server.client(key.secret).ok(SessionAccessDocument, { input: { userId: 'u-1' } })).sessionAccess.token;
  return { app, key, token };
}

const jwks = async () => ((await (await fetch(`${server.baseUrl}/.well-known/jwks.json`)).json()) as { keys: Record<string, string>[] }).keys;
const gql = (query: string, variables: Record<string, unknown> = {}) => server.root.raw<any>(query, variables);
const introspect = async (token: string) => (await gql('query($t: String!) { introspectToken(token: $t) { active } }', { t: token })).data.introspectToken.active;

describe('tokenAlgorithm per app', () => {
  it('signs with EdDSA by default (KEYGATE_TOKEN_ALGORITHM unset), as before', async () => {
    const { app, token } = await mint();
    expect(decodeProtectedHeader(token)).toMatchObject({ alg: 'EdDSA', typ: 'session+jwt' });
    expect((await gql('query($id: ID!) { app(id: $id) { tokenAlgorithm } }', { id: app.id })).data.app.tokenAlgorithm).toBe('EDDSA');
  });

  it('signs with ES256 when the app says so, with a P-256 key published beside the Ed25519 one', async () => {
    const { token } = await mint('ES256');
    const header = decodeProtectedHeader(token);
    expect(header).toMatchObject({ alg: 'ES256', typ: 'session+jwt' });
    const keys = await jwks();
    expect(keys.find((k) => k.kid === header.kid)).toEqual({ kty: 'EC', crv: 'P-256', x: expect.any(String), y: expect.any(String), kid: header.kid, alg: 'ES256', use: 'sig' });
    expect(keys.some((k) => k.kty === 'OKP' && k.crv === 'Ed25519' && k.alg === 'EdDSA' && k.use === 'sig')).toBe(true);
    // Public halves only.
    for (const k of keys) expect(k).not.toHaveProperty('d');
    expect(await introspect(token)).toBe(true);
  });

  it('updateApp switches the algorithm for new tokens; tokens signed before keep verifying until they expire', async () => {
    const { app, key, token: before } = await mint('EDDSA');
    const updated = await gql('mutation($id: ID!) { updateApp(id: $id, input: { tokenAlgorithm: ES256 }) { tokenAlgorithm } }', { id: app.id });
    expect(updated.data.updateApp.tokenAlgorithm).toBe('ES256');
    const after = (await server.client(key.secret).ok(SessionAccessDocument, { input: { userId: 'u-2' } })).sessionAccess.token;
    expect(decodeProtectedHeader(after).alg).toBe('ES256');
    expect(await introspect(before)).toBe(true);
    expect(await introspect(after)).toBe(true);
  });

  it('refuses an unknown algorithm with BAD_USER_INPUT', async () => {
    const result = await gql('mutation($input: CreateAppInput!) { createApp(input: $input) { id } }', { input: { name: 'x', tokenAlgorithm: 'RS256' } });
    expect(result.status).toBe(400);
    expect(result.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
  });
});

describe('rotateSigningKey(algorithm:)', () => {
  it('rotates only the named algorithm; the retired key stays published', async () => {
    const { token: es } = await mint('ES256');
    const { token: ed } = await mint('EDDSA');
    const esKid = decodeProtectedHeader(es).kid;
    const edKid = decodeProtectedHeader(ed).kid;
    const rotated = await gql('mutation { rotateSigningKey(algorithm: ES256) { kid algorithm } }');
    expect(rotated.data.rotateSigningKey.algorithm).toBe('ES256');
    const current = (await gql('{ signingKeys { kid algorithm retiredAt } }')).data.signingKeys as { kid: string; algorithm: string; retiredAt: string | null }[];
    expect(current.find((k) => k.kid === esKid)!.retiredAt).not.toBeNull();
    expect(current.find((k) => k.kid === edKid)!.retiredAt).toBeNull();
    expect((await jwks()).map((k) => k.kid)).toEqual(expect.arrayContaining([esKid, edKid, rotated.data.rotateSigningKey.kid]));
    expect(await introspect(es)).toBe(true);
  });

  it('without an algorithm rotates every algorithm in use and answers the deployment default’s new key', async () => {
    await mint('ES256');
    await mint('EDDSA');
    const rotated = await gql('mutation { rotateSigningKey { kid algorithm } }');
    expect(rotated.data.rotateSigningKey.algorithm).toBe('EdDSA');
    const live = ((await gql('{ signingKeys { algorithm retiredAt } }')).data.signingKeys as { algorithm: string; retiredAt: string | null }[]).filter((k) => k.retiredAt === null);
    expect(live.map((k) => k.algorithm).sort()).toEqual(['ES256', 'EdDSA']);
  });
});

describe('the key decides the algorithm (RFC 8725 §3.1)', () => {
  it('a token whose header names ES256 for an Ed25519 kid (or the other way round) is inactive', async () => {
    for (const algorithm of ['EDDSA', 'ES256'] as const) {
      const { token } = await mint(algorithm);
      const [header, payload, signature] = token.split('.');
      const swapped = { ...JSON.parse(Buffer.from(header, 'base64url').toString()), alg: algorithm === 'ES256' ? 'EdDSA' : 'ES256' };
      const forged = [Buffer.from(JSON.stringify(swapped)).toString('base64url'), payload, signature].join('.');
      expect(await introspect(forged)).toBe(false);
    }
  });
});

describe('KEYGATE_TOKEN_ALGORITHM', () => {
  it('sets the default of new apps', async () => {
    const es = await startTestServer({ env: { KEYGATE_TOKEN_ALGORITHM: 'ES256' } });
    try {
      const app = await createApp(es.root, 'default es256');
      const key = await createKey(es.root, { appId: app.id, role: 'READ_WRITE', mode: 'LIVE' });
      const token = (await es.client(key.secret).ok(SessionAccessDocument, { input: { userId: 'u' } })).sessionAccess.token;
      expect(decodeProtectedHeader(token).alg).toBe('ES256');
    } finally {
      await es.close();
    }
  });
});
