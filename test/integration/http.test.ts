import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/test-server';
import { documentedFetch } from '../helpers/openapi';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.close());

describe('HTTP surface', () => {
  it('answers /healthz and /readyz', async () => {
    expect(await (await documentedFetch(server.baseUrl, `/healthz`)).json()).toEqual({ status: 'ok' });
    const ready = await documentedFetch(server.baseUrl, `/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready' });
  });

  it('answers unknown paths with the REST error shape', async () => {
    const response = await documentedFetch(server.baseUrl, `/nope`);
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ error: { code: 'not_found', message: 'No such endpoint' } });
  });

  it('serves the bundled GraphiQL explorer to browsers outside production (explorer.test.ts)', async () => {
    const response = await fetch(server.url, { headers: { accept: 'text/html' } });
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('<script src="/graphiql/graphiql.min.js"></script>');
  });

  it('lets Sandbox load the schema without a key, but nothing else', async () => {
    const anonymous = server.client();
    const introspection = await anonymous.raw('{ __schema { queryType { name } } }');
    expect(introspection.status).toBe(200);
    expect(introspection.data).toEqual({ __schema: { queryType: { name: 'Query' } } });
    const mixed = await anonymous.raw('{ __schema { queryType { name } } viewer { type } }');
    expect(mixed.status).toBe(401);
    expect(mixed.errors?.[0].extensions).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'KEY_MISSING' });
  });

  it('refuses bodies over 1 MiB with 413', async () => {
    const response = await fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${server.rootKey}` },
      body: JSON.stringify({ query: `{ viewer { type } } #${'x'.repeat(1024 * 1024)}` }),
    });
    expect(response.status).toBe(413);
  });

  it('never answers 500 or leaks a stack for malformed requests', async () => {
    const bad = await fetch(server.url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${server.rootKey}` }, body: '{not json' });
    expect(bad.status).toBe(400);
    expect(await bad.text()).not.toMatch(/at .*\.(js|ts):\d+/);
  });

  it('echoes a request id', async () => {
    const response = await documentedFetch(server.baseUrl, `/healthz`, { headers: { 'x-request-id': 'abc-123' } });
    expect(response.headers.get('x-request-id')).toBe('abc-123');
  });
});

describe('production mode', () => {
  it('turns off introspection and the landing page', async () => {
    // Behind a trusted TLS-terminating proxy, since production refuses plain HTTP (https.test.ts).
    const prod = await startTestServer({ env: { NODE_ENV: 'production', KEYGATE_TRUST_PROXY: '127.0.0.1' } });
    const https = { 'x-forwarded-proto': 'https' };
    try {
      const page = await fetch(prod.url, { headers: { accept: 'text/html', ...https } });
      expect(await page.text()).not.toContain('/graphiql/');
      expect((await fetch(`${prod.baseUrl}/graphiql/graphiql.min.js`, { headers: https })).status).toBe(404);
      const introspection = await prod.client(prod.rootKey, https).raw('{ __schema { queryType { name } } }');
      expect(introspection.errors?.[0].extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
      const anonymous = await prod.client(undefined, https).raw('{ __schema { queryType { name } } }');
      expect(anonymous.status).toBe(401);
    } finally {
      await prod.close();
    }
  });
});
