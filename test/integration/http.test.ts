import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
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

  it('refuses automatic persisted queries (APQ) with 400 PERSISTED_QUERY_NOT_SUPPORTED, with or without a key, and logs no error', async () => {
    const persisted = { persistedQuery: { version: 1, sha256Hash: 'abc' } };
    const requests = [
      { key: undefined, body: { query: '{ __typename }', extensions: { persistedQuery: { sha256Hash: 'abc' } } } },
      { key: undefined, body: { query: '{ viewer { type } }', extensions: persisted } },
      { key: server.rootKey, body: { query: '{ viewer { type } }', extensions: persisted } },
      { key: server.rootKey, body: { extensions: persisted } },
    ];
    const logged = server.logs.length;
    for (const { key, body } of requests) {
      const response = await fetch(server.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
        body: JSON.stringify(body),
      });
      expect(response.status, JSON.stringify(body)).toBe(400);
      const answer = (await response.json()) as { errors: { message: string; extensions: Record<string, unknown> }[] };
      expect(answer.errors).toEqual([{ message: expect.stringMatching(/not supported/), extensions: { code: 'PERSISTED_QUERY_NOT_SUPPORTED' } }]);
    }
    const get = await fetch(`${server.url}?extensions=${encodeURIComponent(JSON.stringify(persisted))}`, { headers: { authorization: `Bearer ${server.rootKey}` } });
    expect(get.status).toBe(400);
    expect(((await get.json()) as { errors: { extensions: { code: string } }[] }).errors[0].extensions.code).toBe('PERSISTED_QUERY_NOT_SUPPORTED');
    expect(server.logs.slice(logged).filter((line) => JSON.parse(line).level === 'error')).toEqual([]);
  });

  it('logs a body the client stopped sending at debug level, not as an error', async () => {
    const requestId = 'aborted-body-1';
    const socket = connect(Number(new URL(server.url).port), '127.0.0.1');
    await new Promise((connected) => socket.once('connect', connected));
    socket.write(`POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 1000\r\nX-Request-Id: ${requestId}\r\n\r\n{"query":`);
    socket.destroy();
    const ofRequest = () => server.logs.map((line) => JSON.parse(line) as { level: string; requestId?: string; msg: string }).filter((line) => line.requestId === requestId);
    await vi.waitFor(() => expect(ofRequest().some((line) => line.level === 'debug' && /closed the connection/.test(line.msg))).toBe(true));
    expect(ofRequest().filter((line) => line.level === 'error')).toEqual([]);
  });

  it('echoes a request id', async () => {
    const response = await documentedFetch(server.baseUrl, `/healthz`, { headers: { 'x-request-id': 'abc-123' } });
    expect(response.headers.get('x-request-id')).toBe('abc-123');
  });

  it('sends the request id and Vary: Origin once with every kind of answer, a route\'s own Vary instead', async () => {
    const headers = { 'x-request-id': 'r-1', authorization: `Bearer ${server.rootKey}` };
    // Written in one go (a REST answer), set one by one first (a GraphQL answer), a refusal, a 404.
    const answers = [
      await fetch(`${server.baseUrl}/auth/verify`, { headers }),
      await fetch(server.url, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ viewer { type } }' }) }),
      await fetch(`${server.baseUrl}/auth/verify`, { headers: { 'x-request-id': 'r-1' } }),
      await fetch(`${server.baseUrl}/nope`, { headers: { 'x-request-id': 'r-1' } }),
    ];
    expect(answers.map((r) => r.status)).toEqual([200, 200, 401, 404]);
    for (const answer of answers) expect([answer.headers.get('x-request-id'), answer.headers.get('vary')]).toEqual(['r-1', 'Origin']);
    const metrics = await fetch(`${server.baseUrl}/metrics`, { headers: { 'x-request-id': 'r-1' } });
    expect([metrics.headers.get('x-request-id'), metrics.headers.get('vary')]).toEqual(['r-1', 'Accept']);
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
