import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RevokeApiKeyDocument, SessionAccessDocument } from '../generated/graphql';
import { type Apache, apacheForSuite, apacheRecipe, fillRecipe, reserveTlsFront, startApache, type TlsFront } from '../helpers/apache';
import { createApp, createKey } from '../helpers/fixtures';
import { startUpstream, type Upstream } from '../helpers/nginx';
import { startTestServer, type TestServer } from '../helpers/test-server';

/**
 * Apache httpd with mod_auth_openidc (Debian's apache2 and libapache2-mod-auth-openidc) as an
 * OAuth 2.0 resource server in front of an upstream, configured with the recipes of
 * docs/token-verifiers.md as written: by the JWKS (ES256 only: cjose has no Ed25519) and by
 * introspection with client_secret_basic, whose caching decides how fast revocation bites.
 */
const RUNS = apacheForSuite('apache-openidc.test.ts');

let server: TestServer;
let upstream: Upstream;
let front: TlsFront;

const JWKS = 'mod_auth_openidc: by the JWKS';
const INTROSPECTION = 'mod_auth_openidc: by introspection';
const INTERVAL_LINE = /^OIDCOAuthTokenIntrospectionInterval .*\n/m;

async function appWithKey(name: string, tokenAlgorithm: 'EDDSA' | 'ES256') {
  const app = await createApp(server.root, name, { tokenAlgorithm });
  const key = await createKey(server.root, { appId: app.id, role: 'READ_WRITE', mode: 'LIVE' });
  const mint = async (userId: string) => (await server.client(key.secret).ok(SessionAccessDocument, { input: { userId } })).sessionAccess.token;
  return { app, key, mint };
}

const through = (apache: Apache, token?: string) =>
  fetch(`${apache.url}/orders`, { headers: token === undefined ? {} : { authorization: `Bearer ${token}` } });

/** A token whose signature no longer matches: its last signature characters changed. */
const tampered = (token: string) => `${token.slice(0, -4)}${token.endsWith('AAAA') ? 'BBBB' : 'AAAA'}`;

describe.runIf(RUNS)('Apache mod_auth_openidc', () => {
  beforeAll(async () => {
    front = await reserveTlsFront();
    // Published at the HTTPS front each Apache holds: its URL is the issuer.
    server = await startTestServer({ env: { KEYGATE_PUBLIC_URL: front.url } });
    upstream = await startUpstream();
  });
  afterAll(async () => {
    await upstream?.close();
    await server?.close();
    front?.close();
  });

  const values = () => ({ keygateUrl: front.url, upstreamPort: upstream.port });
  const keygatePort = () => Number(new URL(server.baseUrl).port);

  describe('by the JWKS (OIDCOAuthVerifyJwksUri)', () => {
    let apache: Apache;
    let es256: Awaited<ReturnType<typeof appWithKey>>;
    let eddsa: Awaited<ReturnType<typeof appWithKey>>;

    beforeAll(async () => {
      es256 = await appWithKey('apache ES256', 'ES256');
      // An EdDSA app too, so the JWKS Apache reads holds an OKP key beside the EC one, as in a
      // deployment where only some apps chose ES256.
      eddsa = await appWithKey('apache EdDSA', 'EDDSA');
      apache = await startApache(fillRecipe(apacheRecipe(JWKS), { ...values(), appId: es256.app.id }), { keygatePort: keygatePort(), front });
    });
    afterAll(() => apache?.close());

    it('lets a valid ES256 token through, and the upstream sees its claims', async () => {
      const seen = upstream.received.length;
      const response = await through(apache, await es256.mint('apache-user'));
      expect(response.status, apache.errorLog()).toBe(200);
      expect(upstream.received.length).toBe(seen + 1);
      expect(upstream.received.at(-1)).toMatchObject({ oidc_claim_sub: 'apache-user', oidc_claim_aud: es256.app.id, oidc_claim_iss: server.keygate.runtime.issuer });
    });

    it('refuses an EdDSA token, valid as it is (cjose has no Ed25519: why such apps choose ES256)', async () => {
      expect((await through(apache, await eddsa.mint('apache-user'))).status).toBe(401);
    });

    it('refuses a token with a broken signature, and a request without a token, with a Bearer challenge', async () => {
      const broken = await through(apache, tampered(await es256.mint('apache-user')));
      expect(broken.status).toBe(401);
      expect(broken.headers.get('www-authenticate')).toMatch(/^Bearer/);
      const none = await through(apache);
      expect(none.status).toBe(401);
      expect(none.headers.get('www-authenticate')).toMatch(/^Bearer/);
    });

    it("refuses another app's ES256 token: the recipe's Require claim aud", async () => {
      const other = await appWithKey('apache other ES256', 'ES256');
      const seen = upstream.received.length;
      const response = await through(apache, await other.mint('apache-user'));
      expect(response.status).toBe(401);
      expect(upstream.received.length).toBe(seen);
    });
  });

  describe('by introspection with client_secret_basic (OIDCOAuthIntrospectionEndpoint)', () => {
    let apache: Apache;
    let cached: Apache;
    let app: Awaited<ReturnType<typeof appWithKey>>;
    let resourceServerKey: Awaited<ReturnType<typeof createKey>>;

    beforeAll(async () => {
      // EdDSA on purpose: introspection leaves the checking to Keygate, so any algorithm works.
      app = await appWithKey('apache introspection', 'EDDSA');
      resourceServerKey = await createKey(server.root, { appId: app.app.id, role: 'READ_ONLY', mode: 'LIVE' });
      const recipe = fillRecipe(apacheRecipe(INTROSPECTION), values());
      const options = { env: { KEYGATE_SECRET_KEY: resourceServerKey.secret }, keygatePort: keygatePort(), front };
      apache = await startApache(recipe, options);
      // The same recipe without its interval line: mod_auth_openidc's default cache, which keeps
      // an answer until the token's exp. Its shm backend keys entries by the token itself, up to
      // 512 bytes, unless entries are encrypted (then by a hash, as the memcache, redis and file
      // backends do by default): Keygate's tokens are longer, so encryption is what lets it cache.
      const defaultCache = `OIDCCryptoPassphrase ${randomBytes(16).toString('hex')}\nOIDCCacheEncrypt On\n`;
      cached = await startApache(recipe.replace(INTERVAL_LINE, defaultCache), { ...options, holdsFront: false });
    });
    afterAll(async () => {
      await apache?.close();
      await cached?.close();
    });

    it('lets a valid token through, and the upstream sees the introspected claims', async () => {
      const response = await through(apache, await app.mint('introspected-user'));
      expect(response.status, apache.errorLog()).toBe(200);
      expect(upstream.received.at(-1)).toMatchObject({ oidc_claim_sub: 'introspected-user', oidc_claim_aud: app.app.id, oidc_claim_active: '1' });
    });

    it('refuses a token that does not verify, and one that is not a token at all', async () => {
      expect((await through(apache, tampered(await app.mint('introspected-user')))).status).toBe(401);
      expect((await through(apache, 'not-a-token')).status).toBe(401);
    });

    it("keeps the secret key out of Apache's log", async () => {
      await through(apache, 'not-a-token');
      expect(apache.errorLog()).not.toContain(resourceServerKey.secret);
    });

    it('revocation: with the recipe (-1) the next request is refused; with the default cache the token still passes until exp', async () => {
      const minter = await createKey(server.root, { appId: app.app.id, role: 'READ_WRITE', mode: 'LIVE' });
      const token = (await server.client(minter.secret).ok(SessionAccessDocument, { input: { userId: 'soon-revoked' } })).sessionAccess.token;
      // Both Apaches have seen the token active; the default one now holds that answer.
      expect((await through(apache, token)).status).toBe(200);
      expect((await through(cached, token)).status).toBe(200);

      await server.root.ok(RevokeApiKeyDocument, { id: minter.id });

      expect((await through(apache, token)).status).toBe(401);
      // The caveat the docs state: the cached "active" outlives the revocation.
      const stale = await through(cached, token);
      expect(stale.status).toBe(200);
      expect(upstream.received.at(-1)).toMatchObject({ oidc_claim_sub: 'soon-revoked' });
    });
  });
});
