import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestServer, startTestServer } from '../helpers/test-server';

/**
 * OWASP GraphQL cheat sheet / API4 (unrestricted resource consumption): every document
 * limit answers HTTP 400 with a validation-family code, a plain message and
 * `extensions.limit` naming the limit — before anything executes.
 */

let server: TestServer;
const LIMITS = {
  KEYGATE_GRAPHQL_MAX_DEPTH: '4',
  KEYGATE_GRAPHQL_MAX_ALIASES: '2',
  KEYGATE_GRAPHQL_MAX_DIRECTIVES: '2',
  KEYGATE_GRAPHQL_MAX_COST: '50',
  KEYGATE_GRAPHQL_MAX_TOKENS: '80',
};

async function post(body: unknown, key = server.rootKey) {
  const response = await fetch(server.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as { data?: unknown; errors?: { message: string; extensions?: Record<string, unknown> }[] } };
}

async function expectLimit(query: string, limit: string, code = 'GRAPHQL_VALIDATION_FAILED') {
  const { status, body } = await post({ query });
  expect(status).toBe(400);
  expect(body.data).toBeUndefined();
  const error = body.errors?.find((e) => e.extensions?.limit === limit);
  expect(error, JSON.stringify(body)).toBeDefined();
  expect(error?.extensions?.code).toBe(code);
  expect(error?.message).not.toMatch(/^Syntax Error/);
  expect(error?.message).toMatch(/limit|tokens/i);
}

beforeAll(async () => {
  server = await startTestServer({ env: LIMITS });
});
afterAll(() => server?.close());

describe('GraphQL document limits', () => {
  it('a query within every limit runs', async () => {
    const { status, body } = await post({ query: '{ viewer { type keyId } }' });
    expect(status).toBe(200);
    expect(body.data).toEqual({ viewer: { type: 'ROOT', keyId: expect.any(String) } });
  });

  it('depth: nesting past KEYGATE_GRAPHQL_MAX_DEPTH is refused (fragments count too)', async () => {
    await expectLimit('{ apps { nodes { apiKeys { nodes { app { id } } } } } }', 'depth');
    await expectLimit('{ apps { nodes { ...A } } } fragment A on App { apiKeys { nodes { app { id } } } }', 'depth');
  });

  it('aliases: more than KEYGATE_GRAPHQL_MAX_ALIASES is refused (alias-based batching)', async () => {
    await expectLimit('{ a: viewer { type } b: viewer { type } c: viewer { type } }', 'aliases');
  });

  it('directives: more than KEYGATE_GRAPHQL_MAX_DIRECTIVES is refused', async () => {
    await expectLimit('{ viewer { type @skip(if: false) keyId @skip(if: false) kind @skip(if: false) } }', 'directives');
  });

  it('cost: a query whose estimated cost is over KEYGATE_GRAPHQL_MAX_COST is refused', async () => {
    await expectLimit('{ apps(first: 100) { nodes { id } } }', 'cost');
  });

  it('tokens: a document over KEYGATE_GRAPHQL_MAX_TOKENS is refused before it is parsed', async () => {
    await expectLimit(`{ viewer { ${'type '.repeat(100)} } }`, 'tokens', 'GRAPHQL_PARSE_FAILED');
  });

  it('a NUL spelled as an escape inside the document is refused with 400 before anything runs', async () => {
    const { status, body } = await post({ query: '{ app(id: "app_\\u0000x") { id } }' });
    expect(status).toBe(400);
    expect(body.errors?.[0].message).toBe('Strings must not contain NUL characters');
  });

  it('batched requests (a JSON array) are refused', async () => {
    const { status, body } = await post([{ query: '{ viewer { type } }' }, { query: '{ viewer { type } }' }]);
    expect(status).toBe(400);
    expect(JSON.stringify(body)).toMatch(/batch/i);
  });

  it('cost: a plain list of objects is estimated at its largest size (100), not as one object', async () => {
    await expectLimit('{ rootKeys { id name } }', 'cost');
  });

  it('introspection is bounded by the standard introspection query, not by these limits (the explorer must load the schema)', async () => {
    const { status, body } = await post({ query: '{ __schema { types { name fields { name type { name ofType { name ofType { name ofType { name } } } } } } } }' });
    expect(status).toBe(200);
    expect(body.errors).toBeUndefined();
  });
});

describe('the defaults', () => {
  it('allow the operations a console sends and refuse a pathological query', async () => {
    const defaults = await startTestServer();
    try {
      const ok = await fetch(defaults.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${defaults.rootKey}` },
        body: JSON.stringify({ query: '{ apps(first: 20) { totalCount nodes { id name apiKeys(first: 20) { totalCount nodes { id name start kind mode role status lastUsedAt } } } } }' }),
      });
      expect(ok.status).toBe(200);
      // A page of apps with their declared scopes: a list of values counts like a list of scalars.
      const scoped = await fetch(defaults.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${defaults.rootKey}` },
        body: JSON.stringify({ query: '{ apps(first: 100) { nodes { id scopes { name description } } } }' }),
      });
      expect(scoped.status).toBe(200);
      const deep = `{ apps { nodes { ${'apiKeys { nodes { app { '.repeat(5)}id${' } } }'.repeat(5)} } } }`;
      const refused = await fetch(defaults.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${defaults.rootKey}` },
        body: JSON.stringify({ query: deep }),
      });
      expect(refused.status).toBe(400);
      const costly = await fetch(defaults.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${defaults.rootKey}` },
        body: JSON.stringify({ query: '{ apps(first: 500) { nodes { apiKeys(first: 500) { nodes { id name start kind mode role status } } } } }' }),
      });
      expect(costly.status).toBe(400);
      expect(((await costly.json()) as { errors: { extensions: { limit?: string } }[] }).errors[0].extensions.limit).toBe('cost');
    } finally {
      await defaults.close();
    }
  });
});

describe('in production', () => {
  it('introspection is off and no error suggests a name, whatever its wording (fields, arguments, enum values in variables)', async () => {
    const production = await startTestServer({ env: { NODE_ENV: 'production', KEYGATE_TRUST_PROXY: '127.0.0.1' } });
    try {
      const ask = (query: string, variables?: Record<string, unknown>) =>
        fetch(production.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${production.rootKey}`, 'x-forwarded-proto': 'https' },
          body: JSON.stringify({ query, variables }),
        }).then(async (r) => ({ status: r.status, text: await r.text() }));
      const introspection = await ask('{ __schema { queryType { name } } }');
      expect(introspection.status).toBe(400);
      expect(introspection.text).toMatch(/introspection/i);
      const typo = await ask('{ viewer { typ } }');
      expect(typo.status).toBe(400);
      expect(typo.text).not.toMatch(/Did you mean/);
      // F5: the wording of a variable's enum error differs from the field one; no suggestion either.
      const enumTypo = await ask('mutation($i: CreateApiKeyInput!) { createApiKey(input: $i) { secret } }', {
        i: { appId: 'app_x', name: 'n', kind: 'SECRT', mode: 'LIVE', role: 'ADMIN' },
      });
      expect(enumTypo.status).toBe(400);
      expect(enumTypo.text).toMatch(/SECRT/);
      expect(enumTypo.text).not.toMatch(/Did you mean|SECRET/);
      const argumentTypo = await ask('{ apps(firsst: 1) { totalCount } }');
      expect(argumentTypo.status).toBe(400);
      expect(argumentTypo.text).not.toMatch(/Did you mean|"first"/);
    } finally {
      await production.close();
    }
  });
});
