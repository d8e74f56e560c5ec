import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UpdateApiKeyDocument, UpdateAppDocument } from '../generated/graphql';
import { createApp, createKey } from '../helpers/fixtures';
import { type GraphQLUpstream, startGraphQLUpstream } from '../helpers/graphql-upstream';
import { type TestServer, startTestServer } from '../helpers/test-server';

/**
 * DESIGN.md "Gateway": the product's GraphQL API behind Keygate credentials, proved
 * against a real upstream (graphql-js on a loopback port) that records what it received.
 */

const SDL = /* GraphQL */ `
  directive @authenticated on FIELD_DEFINITION | OBJECT | INTERFACE | SCALAR | ENUM
  directive @requiresScopes(scopes: [[String!]!]!) on FIELD_DEFINITION | OBJECT | INTERFACE | SCALAR | ENUM
  directive @cost(weight: Int!) on FIELD_DEFINITION | OBJECT | SCALAR | ENUM
  directive @listSize(assumedSize: Int, slicingArguments: [String!]) on FIELD_DEFINITION

  type Query {
    products(first: Int): [Product!]! @requiresScopes(scopes: [["public"]]) @listSize(slicingArguments: ["first"])
    stats(period: String): Stats
    secret: String @requiresScopes(scopes: [["admin"], ["billing", "read"]])
    report: Report @cost(weight: 4000)
  }
  type Mutation {
    addProduct(name: String!): Product!
  }
  type Subscription {
    ticks: Int
  }
  type Product {
    id: ID!
    name: String!
    price: Int! @requiresScopes(scopes: [["read"]])
    supplier: Supplier
  }
  type Supplier @requiresScopes(scopes: [["write"]]) {
    name: String!
  }
  type Stats {
    count: Int!
  }
  type Report {
    total: Int!
  }
`;

const products = [1, 2, 3, 4, 5].map((n) => ({ id: String(n), name: `p${n}`, price: n * 10, supplier: { name: 'acme' } }));
const rootValue = (label: string) => ({
  products: ({ first }: { first?: number }) => products.slice(0, first ?? products.length),
  stats: { count: 5 },
  secret: `the ${label} secret`,
  report: { total: 42 },
  addProduct: ({ name }: { name: string }) => ({ id: '9', name, price: 1, supplier: null }),
});

let server: TestServer;
let live: GraphQLUpstream;
let sandbox: GraphQLUpstream;
let appId: string;

beforeAll(async () => {
  live = await startGraphQLUpstream(SDL, rootValue('live'));
  sandbox = await startGraphQLUpstream(SDL, rootValue('test'));
  const dir = mkdtempSync(join(tmpdir(), 'keygate-gateway-'));
  writeFileSync(join(dir, 'schema.graphql'), SDL);
  server = await startTestServer({
    env: { KEYGATE_GATEWAY_UPSTREAM: live.url, KEYGATE_GATEWAY_UPSTREAM_TEST: sandbox.url, KEYGATE_GATEWAY_SCHEMA: join(dir, 'schema.graphql'), KEYGATE_GATEWAY_TIMEOUT_MS: '2000', KEYGATE_GATEWAY_IDENTITY_TOKEN: 'true' },
  });
  appId = (await createApp(server.root, 'Shop')).id;
});

afterAll(async () => {
  await server?.close();
  await live?.close();
  await sandbox?.close();
});

interface Answer {
  status: number;
  body: { data?: Record<string, unknown> | null; errors?: { message: string; path?: string[]; extensions: Record<string, unknown> }[]; extensions?: { cost?: { estimated: number; remaining: number | null } } };
}

async function gateway(key: string | null, query: string, init: { variables?: Record<string, unknown>; headers?: Record<string, string>; method?: 'GET' | 'POST' } = {}): Promise<Answer> {
  const headers: Record<string, string> = { ...(key ? { authorization: `Bearer ${key}` } : {}), ...init.headers };
  const url = new URL(`${server.baseUrl}/gateway/graphql`);
  let response: Response;
  if (init.method === 'GET') {
    url.searchParams.set('query', query);
    response = await fetch(url, { headers });
  } else {
    response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ query, variables: init.variables }) });
  }
  return { status: response.status, body: (await response.json()) as Answer['body'] };
}

const liveKey = (role: 'READ_ONLY' | 'READ_WRITE' | 'ADMIN', extra = {}) => createKey(server.root, { appId, mode: 'LIVE', role, extra });
const publishable = () => createKey(server.root, { appId, mode: 'LIVE', kind: 'PUBLISHABLE' });
const lastReceived = (upstream: GraphQLUpstream) => upstream.received[upstream.received.length - 1];

describe('the gateway at /gateway/graphql', () => {
  it('answers 404 when no upstream is configured', async () => {
    const plain = await startTestServer();
    try {
      const response = await fetch(`${plain.baseUrl}/gateway/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query":"{ stats { count } }"}' });
      expect(response.status).toBe(404);
    } finally {
      await plain.close();
    }
  });

  it('without an SDL file introspects the upstream at start: /readyz is 503 until the schema is loaded, then root fields need read', async () => {
    const upstream = await startGraphQLUpstream(SDL, rootValue('introspected'));
    upstream.hold();
    const introspecting = await startTestServer({ env: { KEYGATE_GATEWAY_UPSTREAM: upstream.url } });
    try {
      const waiting = await fetch(`${introspecting.baseUrl}/readyz`);
      expect(waiting.status).toBe(503);
      expect(await waiting.json()).toEqual({ status: 'gateway upstream schema not loaded' });
      upstream.release();
      await introspecting.keygate.gateway!.ready;
      expect((await fetch(`${introspecting.baseUrl}/readyz`)).status).toBe(200);
      const app = (await createApp(introspecting.root, 'Introspected')).id;
      const reader = await createKey(introspecting.root, { appId: app, mode: 'LIVE', role: 'READ_ONLY' });
      const pub = await createKey(introspecting.root, { appId: app, mode: 'LIVE', kind: 'PUBLISHABLE' });
      const ask = (key: string) =>
        fetch(`${introspecting.baseUrl}/gateway/graphql`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: '{"query":"{ secret }"}' });
      // Introspection carries no directives: `secret` is only a Query field, open to `read`.
      expect(await (await ask(reader.secret)).json()).toEqual({ data: { secret: 'the introspected secret' }, extensions: { cost: { estimated: 0, remaining: null } } });
      expect((await ask(pub.secret)).status).toBe(403);
    } finally {
      await introspecting.close();
      await upstream.close();
    }
  });

  it('is ready once the SDL is loaded, and serves GET and POST', async () => {
    expect((await fetch(`${server.baseUrl}/readyz`)).status).toBe(200);
    const key = await liveKey('READ_ONLY');
    expect(await gateway(key.secret, '{ stats { count } }', { method: 'GET' })).toMatchObject({ status: 200, body: { data: { stats: { count: 5 } } } });
    expect(await gateway(key.secret, '{ stats { count } }')).toMatchObject({ status: 200, body: { data: { stats: { count: 5 } } } });
  });
});

describe('authentication: the same pipeline as every edge', () => {
  it('refuses a missing credential with 401 before the upstream sees anything', async () => {
    const before = live.received.length;
    const answer = await gateway(null, '{ stats { count } }');
    expect(answer.status).toBe(401);
    expect(answer.body.errors?.[0].extensions).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'KEY_MISSING' });
    expect(live.received.length).toBe(before);
  });

  it('refuses root keys with 403 INSUFFICIENT_SCOPE: they are operator credentials', async () => {
    const answer = await gateway(server.rootKey, '{ stats { count } }');
    expect(answer.status).toBe(403);
    expect(answer.body.errors?.[0].extensions).toMatchObject({ code: 'FORBIDDEN', reason: 'INSUFFICIENT_SCOPE' });
  });

  it('refuses a disabled key (401 KEY_DISABLED) and accepts X-Api-Key', async () => {
    const key = await liveKey('READ_ONLY');
    expect((await gateway(null, '{ stats { count } }', { headers: { 'x-api-key': key.secret } })).status).toBe(200);
    await server.root.ok(UpdateApiKeyDocument, { id: key.id, input: { enabled: false } });
    const answer = await gateway(key.secret, '{ stats { count } }');
    expect(answer.status).toBe(401);
    expect(answer.body.errors?.[0].extensions).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'KEY_DISABLED' });
  });

  it('takes session tokens minted by Keygate (a publishable key\'s token reaches what is open to public)', async () => {
    const key = await liveKey('READ_WRITE');
    const minted = await fetch(`${server.baseUrl}/session_access`, { method: 'POST', headers: { authorization: `Bearer ${key.secret}`, 'content-type': 'application/json' }, body: '{"user_id":"u-1"}' });
    const { token } = (await minted.json()) as { token: string };
    const answer = await gateway(token, '{ products(first: 1) { id } }');
    expect(answer).toMatchObject({ status: 200, body: { data: { products: [{ id: '1' }] } } });
    expect(lastReceived(live).headers).toMatchObject({ 'x-keygate-user-id': 'u-1', 'x-keygate-key-id': key.id, 'x-keygate-app-id': appId });
    expect((await gateway(`${token.slice(0, -4)}AAAA`, '{ products(first: 1) { id } }')).status).toBe(401);
  });
});

describe('field rules from the upstream SDL (@authenticated, @requiresScopes)', () => {
  it('removes a field the credential may not use before the upstream sees it, with an error at its path', async () => {
    const key = await publishable();
    const answer = await gateway(key.secret, '{ products(first: 2) { id name price } }');
    expect(answer.status).toBe(200);
    expect(answer.body.data).toEqual({ products: [{ id: '1', name: 'p1' }, { id: '2', name: 'p2' }] });
    expect(answer.body.errors).toEqual([{ message: expect.stringContaining('products.price'), path: ['products', 'price'], extensions: { code: 'FORBIDDEN', reason: 'INSUFFICIENT_SCOPE' } }]);
    expect(lastReceived(live).query).not.toContain('price');
  });

  it('applies a type\'s rule to the fields that return it, through fragments too', async () => {
    const reader = await liveKey('READ_ONLY');
    const answer = await gateway(reader.secret, 'query { products(first: 1) { ...P } } fragment P on Product { id supplier { name } }');
    expect(answer.body.data).toEqual({ products: [{ id: '1' }] });
    expect(answer.body.errors?.map((e) => e.path)).toEqual([['products', 'supplier']]);
    expect(lastReceived(live).query).not.toContain('supplier');
    const writer = await liveKey('READ_WRITE');
    expect((await gateway(writer.secret, '{ products(first: 1) { supplier { name } } }')).body).toEqual({ data: { products: [{ supplier: { name: 'acme' } }] }, extensions: { cost: { estimated: 2, remaining: null } } });
  });

  it('needs `read` for an unannotated Query field: a publishable key gets 403 and the upstream nothing', async () => {
    const key = await publishable();
    const before = live.received.length;
    const answer = await gateway(key.secret, '{ stats { count } }');
    expect(answer.status).toBe(403);
    expect(answer.body.errors).toEqual([{ message: expect.any(String), path: ['stats'], extensions: { code: 'FORBIDDEN', reason: 'INSUFFICIENT_SCOPE' } }]);
    expect(live.received.length).toBe(before);
  });

  it('needs `write` for an unannotated Mutation field: a refused mutation is never sent', async () => {
    const reader = await liveKey('READ_ONLY');
    const before = live.received.length;
    const refused = await gateway(reader.secret, 'mutation { addProduct(name: "x") { id } }');
    expect(refused.status).toBe(403);
    expect(live.received.length).toBe(before);
    const writer = await liveKey('READ_WRITE');
    expect(await gateway(writer.secret, 'mutation($n: String!) { addProduct(name: $n) { name } }', { variables: { n: 'lamp' } })).toMatchObject({ status: 200, body: { data: { addProduct: { name: 'lamp' } } } });
  });

  it('meets @requiresScopes when all scopes of any one inner list are held', async () => {
    const reader = await liveKey('READ_ONLY');
    const admin = await liveKey('ADMIN');
    expect((await gateway(reader.secret, '{ secret stats { count } }')).body.errors?.map((e) => e.path)).toEqual([['secret']]);
    expect((await gateway(admin.secret, '{ secret }')).body.data).toEqual({ secret: 'the live secret' });
  });

  it('drops the variables only removed fields used, so the upstream accepts what remains', async () => {
    const key = await publishable();
    const answer = await gateway(key.secret, 'query($p: String) { products(first: 1) { id } stats(period: $p) { count } }', { variables: { p: 'day' } });
    expect(answer.body.data).toEqual({ products: [{ id: '1' }] });
    expect(answer.body.errors?.map((e) => e.path)).toEqual([['stats']]);
    expect(lastReceived(live).query).not.toContain('$p');
    expect(lastReceived(live).variables ?? {}).toEqual({});
  });

  it('shows, through introspection, only the fields the credential may use', async () => {
    const key = await publishable();
    const answer = await gateway(key.secret, '{ __type(name: "Product") { fields { name } } }');
    expect(answer.body.data).toEqual({ __type: { fields: [{ name: 'id' }, { name: 'name' }] } });
    const query = await gateway(key.secret, '{ __schema { queryType { fields { name } } } }');
    expect(query.body.data).toEqual({ __schema: { queryType: { fields: [{ name: 'products' }] } } });
  });

  it('answers subscriptions with a clear error', async () => {
    const key = await liveKey('READ_ONLY');
    const answer = await gateway(key.secret, 'subscription { ticks }');
    expect(answer.status).toBe(400);
    expect(answer.body.errors?.[0].message).toMatch(/Subscriptions are not supported/);
  });
});

describe('the upstream request', () => {
  it('drops the client credential, cookies and X-Keygate-* headers, and sends the identity', async () => {
    const key = await liveKey('READ_WRITE', { ownerId: 'customer-7' });
    await gateway(key.secret, '{ stats { count } }', { headers: { cookie: 'session=abc', 'x-keygate-user-id': 'forged', 'x-keygate-scopes': 'admin', 'x-trace': 't-1' } });
    const { headers } = lastReceived(live);
    expect(headers.authorization).toBeUndefined();
    expect(headers.cookie).toBeUndefined();
    expect(headers['x-keygate-user-id']).toBeUndefined();
    expect(headers).toMatchObject({
      'x-keygate-app-id': appId,
      'x-keygate-key-id': key.id,
      'x-keygate-mode': 'LIVE',
      'x-keygate-kind': 'SECRET',
      'x-keygate-role': 'READ_WRITE',
      'x-keygate-owner-id': 'customer-7',
      'x-keygate-scopes': 'public read write',
      'x-trace': 't-1',
    });
    expect(JSON.stringify(headers)).not.toContain(key.secret);
    expect(server.logs.join('')).not.toContain(key.secret);
  });

  it('sends X-Keygate-Token: a 60 s gateway+jwt for the upstream\'s origin, verifiable through the JWKS', async () => {
    const key = await liveKey('READ_ONLY');
    await gateway(key.secret, '{ stats { count } }');
    const token = String(lastReceived(live).headers['x-keygate-token']);
    const jwks = createRemoteJWKSet(new URL(`${server.baseUrl}/.well-known/jwks.json`));
    const { payload } = await jwtVerify(token, jwks, { audience: new URL(live.url).origin, typ: 'gateway+jwt' });
    expect(payload).toMatchObject({ sub: key.id, akid: key.id, mode: 'LIVE', scope: 'public read' });
    expect(payload.exp! - payload.iat!).toBe(60);
    // Not a session token: Keygate's own edges refuse it.
    expect((await fetch(`${server.baseUrl}/auth/forward`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(401);
  });

  it('sends test-mode credentials to the test upstream', async () => {
    const key = await createKey(server.root, { appId, mode: 'TEST', role: 'ADMIN' });
    const before = live.received.length;
    expect((await gateway(key.secret, '{ secret }')).body.data).toEqual({ secret: 'the test secret' });
    expect(live.received.length).toBe(before);
    expect(lastReceived(sandbox).headers['x-keygate-mode']).toBe('TEST');
  });

  it('answers 504 UPSTREAM_TIMEOUT when the upstream is slow, and 502 UPSTREAM_UNAVAILABLE when it is down', async () => {
    const key = await createKey(server.root, { appId, mode: 'TEST', role: 'READ_ONLY' });
    sandbox.hold();
    const slow = await gateway(key.secret, '{ stats { count } }');
    sandbox.release();
    expect(slow.status).toBe(504);
    expect(slow.body.errors?.[0].extensions).toEqual({ code: 'UPSTREAM_TIMEOUT' });
    await sandbox.close();
    const down = await gateway(key.secret, '{ stats { count } }');
    expect(down.status).toBe(502);
    expect(down.body.errors?.[0].extensions).toEqual({ code: 'UPSTREAM_UNAVAILABLE' });
  });
});

describe('cost and credits', () => {
  it('estimates the cost from @cost and @listSize before running, and spends credits by it', async () => {
    const key = await liveKey('READ_ONLY', { credits: { remaining: 10 } });
    const answer = await gateway(key.secret, '{ products(first: 3) { id } }');
    expect(answer.body.extensions?.cost).toEqual({ estimated: 3, remaining: 7 });
    const refused = await gateway(key.secret, '{ products(first: 8) { id } }');
    expect(refused.status).toBe(429);
    expect(refused.body.errors?.[0].extensions).toMatchObject({ code: 'RATE_LIMITED', reason: 'USAGE_EXCEEDED' });
    expect((await gateway(key.secret, '{ stats { count } }')).body.extensions?.cost).toEqual({ estimated: 1, remaining: 6 });
  });

  it('refuses an operation above the cost limit with BAD_USER_INPUT, limit "cost", before the upstream sees it', async () => {
    const key = await liveKey('READ_ONLY');
    const before = live.received.length;
    const answer = await gateway(key.secret, '{ a: report { total } b: report { total } }');
    expect(answer.status).toBe(400);
    expect(answer.body.errors?.[0].extensions).toEqual({ code: 'BAD_USER_INPUT', limit: 'cost' });
    expect(live.received.length).toBe(before);
  });

  it('takes the limit from App.maxOperationCost (updateApp), checked 1 to 1000000', async () => {
    const small = (await createApp(server.root, 'Small')).id;
    await server.root.ok(UpdateAppDocument, { id: small, input: { maxOperationCost: 4 } });
    const key = await createKey(server.root, { appId: small, mode: 'LIVE', role: 'READ_ONLY' });
    expect((await gateway(key.secret, '{ products(first: 4) { id } }')).status).toBe(200);
    const refused = await gateway(key.secret, '{ products(first: 5) { id } }');
    expect(refused.status).toBe(400);
    expect(refused.body.errors?.[0]).toMatchObject({ message: 'Operation cost limit of 4 exceeded, found 5', extensions: { code: 'BAD_USER_INPUT', limit: 'cost' } });
    const bad = await server.root.raw('mutation($id: ID!) { updateApp(id: $id, input: { maxOperationCost: 0 }) { id } }', { id: small });
    expect(bad.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'maxOperationCost' });
  });

  it('is exact under concurrency: never more operations than the credits pay for', async () => {
    const key = await liveKey('READ_ONLY', { credits: { remaining: 20 } });
    const before = live.received.length;
    const answers = await Promise.all(Array.from({ length: 12 }, () => gateway(key.secret, '{ products(first: 3) { id } }')));
    expect(answers.filter((a) => a.status === 200)).toHaveLength(6);
    expect(answers.filter((a) => a.status === 429)).toHaveLength(6);
    // Each paid operation is its own upstream request, even when identical ones run at once.
    expect(live.received.length - before).toBe(6);
  });
});
