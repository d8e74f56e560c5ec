import { Validator } from '@seriousme/openapi-schema-validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openApiDocument } from '../../src/modules/http/openapi';
import { createApp, createKey } from '../helpers/fixtures';
import { expectDocumented } from '../helpers/openapi';
import { startTestServer, type TestServer } from '../helpers/test-server';

/**
 * GET /openapi.json describes the REST surface as OpenAPI 3.1: public, valid by the
 * OpenAPI 3.1 schema, and (through test/helpers/openapi.ts, used by the REST suites)
 * matching what the server answers.
 */

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.close());

describe('GET /openapi.json', () => {
  it('is public JSON, the document the code defines', async () => {
    const response = await fetch(`${server.baseUrl}/openapi.json`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await response.json()).toEqual(JSON.parse(JSON.stringify(openApiDocument)));
  });

  it('is a valid OpenAPI 3.1 document', async () => {
    const served = (await (await fetch(`${server.baseUrl}/openapi.json`)).json()) as Record<string, unknown>;
    const validator = new Validator();
    const result = await validator.validate(served);
    expect(result.errors, JSON.stringify(result.errors, null, 2)).toBeUndefined();
    expect(result.valid).toBe(true);
    expect(validator.version).toBe('3.1');
  });

  it('documents every REST path the server answers', () => {
    expect(Object.keys(openApiDocument.paths).sort()).toEqual(
      [
        '/.well-known/jwks.json',
        '/.well-known/oauth-authorization-server',
        '/auth/forward',
        '/auth/verify',
        '/console/session',
        '/healthz',
        '/metrics',
        '/oauth/introspect',
        '/openapi.json',
        '/readyz',
        '/secret-scanning/github',
        '/session_access',
      ].sort(),
    );
  });
});

describe('responses match the description', () => {
  it('for the public endpoints', async () => {
    for (const path of ['/healthz', '/readyz', '/.well-known/jwks.json', '/metrics', '/openapi.json']) await expectDocumented('GET', path, await fetch(`${server.baseUrl}${path}`));
  });

  it('and the checker catches a response that does not match', async () => {
    const fake = new Response(JSON.stringify({ valid: 'yes' }), { status: 200, headers: { 'content-type': 'application/json' } });
    await expect(expectDocumented('GET', '/auth/verify', fake)).rejects.toThrow(/does not match \/openapi\.json/);
    const undeclared = new Response('{}', { status: 418, headers: { 'content-type': 'application/json' } });
    await expect(expectDocumented('GET', '/auth/verify', undeclared)).rejects.toThrow(/answered 418/);
  });

  it('for forward auth with a key and with a token', async () => {
    const appId = (await createApp(server.root, 'OpenAPI app')).id;
    const key = await createKey(server.root, { appId, role: 'READ_WRITE', mode: 'LIVE' });
    await expectDocumented('GET', '/auth/forward', await fetch(`${server.baseUrl}/auth/forward`, { headers: { 'x-api-key': key.secret } }));
    const minted = await fetch(`${server.baseUrl}/session_access`, { method: 'POST', headers: { authorization: `Bearer ${key.secret}`, 'content-type': 'application/json' }, body: '{"user_id":"u"}' });
    await expectDocumented('POST', '/session_access', minted);
    const { token } = (await minted.json()) as { token: string };
    await expectDocumented('GET', '/auth/forward', await fetch(`${server.baseUrl}/auth/forward`, { headers: { authorization: `Bearer ${token}` } }));
    await expectDocumented('POST', '/auth/forward', await fetch(`${server.baseUrl}/auth/forward`, { method: 'POST' }));
  });
});
