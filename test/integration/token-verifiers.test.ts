import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { existsSync } from 'node:fs';
import jwt from 'jsonwebtoken';
import { JwksClient } from 'jwks-rsa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SessionAccessDocument } from '../generated/graphql';
import { createApp, createKey } from '../helpers/fixtures';
import { outsideToolForSuite } from '../helpers/outside-tool';
import { startTestServer, type TestServer } from '../helpers/test-server';

/**
 * Keygate's tokens checked by verifiers nobody here wrote, through the JWKS alone — the
 * compatibility table in docs/token-verifiers.md ("Which verifiers take which algorithm"):
 * - jsonwebtoken 9 + jwks-rsa (npm; what Hive Gateway's JWT plugin uses): ES256 yes, EdDSA no;
 * - PyJWT (Debian's python3-jwt with python3-cryptography): both.
 */
let server: TestServer;
const tokens: Record<'EDDSA' | 'ES256', string> = { EDDSA: '', ES256: '' };
let appIds: Record<'EDDSA' | 'ES256', string>;

beforeAll(async () => {
  server = await startTestServer();
  appIds = { EDDSA: '', ES256: '' };
  for (const algorithm of ['EDDSA', 'ES256'] as const) {
    const app = await createApp(server.root, `verifiers ${algorithm}`, { tokenAlgorithm: algorithm });
    const key = await createKey(server.root, { appId: app.id, role: 'READ_WRITE', mode: 'LIVE' });
    tokens[algorithm] = (await server.client(key.secret).ok(SessionAccessDocument, { input: { userId: `user-${algorithm}` } })).sessionAccess.token;
    appIds[algorithm] = app.id;
  }
});
afterAll(() => server?.close());

describe('jsonwebtoken 9 with jwks-rsa (npm)', () => {
  const verify = async (token: string, audience: string) => {
    const client = new JwksClient({ jwksUri: `${server.baseUrl}/.well-known/jwks.json` });
    const kid = jwt.decode(token, { complete: true })!.header.kid!;
    const signingKey = (await client.getSigningKey(kid)).getPublicKey();
    return jwt.verify(token, signingKey, { algorithms: ['ES256', 'EdDSA' as jwt.Algorithm], issuer: server.keygate.runtime.issuer, audience });
  };

  it('verifies an ES256 token against the JWKS, with issuer and audience', async () => {
    expect(await verify(tokens.ES256, appIds.ES256)).toMatchObject({ sub: 'user-ES256', aud: appIds.ES256, mode: 'LIVE' });
  });

  it('cannot verify an EdDSA token (why apps choose ES256 for it)', async () => {
    await expect(verify(tokens.EDDSA, appIds.EDDSA)).rejects.toThrow();
  });
});

const PYTHON = '/usr/bin/python3';
const pyjwtInstalled = existsSync(PYTHON) && spawnSync(PYTHON, ['-c', 'import jwt, cryptography'], { encoding: 'utf8' }).status === 0;
const PYJWT_MISSING = 'PyJWT not installed (apt-get install python3-jwt python3-cryptography); .ci/run installs it';

const PYJWT_RUNS = outsideToolForSuite('token-verifiers.test.ts (PyJWT)', pyjwtInstalled, PYJWT_MISSING);

describe.runIf(PYJWT_RUNS)('PyJWT (Debian python3-jwt)', () => {
  // PyJWKClient fetches the JWKS and picks the key by kid, as a resource server would.
  const SCRIPT = `
import json, sys, jwt
url, token, audience, issuer = sys.argv[1:5]
key = jwt.PyJWKClient(url).get_signing_key_from_jwt(token)
claims = jwt.decode(token, key.key, algorithms=["ES256", "EdDSA"], audience=audience, issuer=issuer)
print(json.dumps({"alg": jwt.get_unverified_header(token)["alg"], "sub": claims["sub"]}))
`;
  for (const algorithm of ['ES256', 'EDDSA'] as const) {
    it(`verifies a ${algorithm} token against the JWKS`, async () => {
      // Asynchronous: the server answering PyJWT's JWKS request runs in this process.
      const run = await promisify(execFile)(PYTHON, ['-c', SCRIPT, `${server.baseUrl}/.well-known/jwks.json`, tokens[algorithm], appIds[algorithm], server.keygate.runtime.issuer], { encoding: 'utf8' });
      expect(run.stderr).toBe('');
      expect(JSON.parse(run.stdout)).toEqual({ alg: algorithm === 'ES256' ? 'ES256' : 'EdDSA', sub: `user-${algorithm}` });
    });
  }
});
