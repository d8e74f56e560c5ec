import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GatewayStatusDocument } from '../generated/graphql';
import { codeOf, reasonOf } from '../helpers/graphql-client';
import { createApp, createKey } from '../helpers/fixtures';
import { type GraphQLUpstream, startGraphQLUpstream } from '../helpers/graphql-upstream';
import { type TestServer, startTestServer } from '../helpers/test-server';

/**
 * DESIGN.md "Gateway", its state in the management API (`gateway: GatewayStatus!`, what the
 * console's Gateway page shows): the upstreams without their credentials, where the schema
 * came from and when, and the field-rule matrix read from the SDL's directives.
 */

const SDL = /* GraphQL */ `
  directive @authenticated on FIELD_DEFINITION | OBJECT | INTERFACE | SCALAR | ENUM
  directive @requiresScopes(scopes: [[String!]!]!) on FIELD_DEFINITION | OBJECT | INTERFACE | SCALAR | ENUM
  directive @cost(weight: Int!) on FIELD_DEFINITION | OBJECT | SCALAR | ENUM
  type Query {
    products(first: Int): [Product!]! @cost(weight: 2)
    stats: Stats @authenticated
    secret: String @requiresScopes(scopes: [["admin"], ["ops", "read"]])
    topSupplier: Supplier
  }
  type Mutation {
    addProduct(name: String!): Product @cost(weight: 10)
  }
  type Product {
    id: ID!
    name: String
    price: Int @requiresScopes(scopes: [["billing"]])
    supplier: Supplier
  }
  type Supplier @requiresScopes(scopes: [["partners"]]) {
    name: String
  }
  type Stats {
    count: Int
  }
`;

const rule = (typeName: string, fieldName: string, requirement: string, requiresScopes: string[][], costWeight: number) => ({ typeName, fieldName, requirement, requiresScopes, costWeight });
const byField = <T extends { typeName: string; fieldName: string }>(rows: T[]) => [...rows].sort((a, b) => `${a.typeName}.${a.fieldName}`.localeCompare(`${b.typeName}.${b.fieldName}`));

describe('gateway: the management API reports the gateway', () => {
  let server: TestServer;

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'keygate-gateway-status-'));
    writeFileSync(join(dir, 'schema.graphql'), SDL);
    // Never called here (the schema comes from the file): only what the API shows of these URLs matters.
    server = await startTestServer({
      env: {
        KEYGATE_GATEWAY_UPSTREAM: 'https://gateway-operator:live-password@api.example.test:8443/graphql?token=live-query-secret#frag',
        KEYGATE_GATEWAY_UPSTREAM_TEST: 'http://sandbox-user:test-password@sandbox.example.test/v1/graphql?apikey=test-query-secret',
        KEYGATE_GATEWAY_SCHEMA: join(dir, 'schema.graphql'),
      },
    });
  });
  afterAll(() => server?.close());

  it('with an SDL file: enabled and ready, the upstreams as origin and path only, the schema source and when it was loaded', async () => {
    const result = await server.root.request(GatewayStatusDocument);
    expect(result.status).toBe(200);
    const { fieldRules, ...state } = result.data!.gateway;
    expect(state).toEqual({
      enabled: true,
      upstream: 'https://api.example.test:8443/graphql',
      testUpstream: 'http://sandbox.example.test/v1/graphql',
      schemaSource: 'SDL_FILE',
      schemaLoadedAt: server.keygate.gateway!.schema!.loadedAt.toISOString(),
      ready: true,
    });
    expect(fieldRules.length).toBeGreaterThan(0);
  });

  it('never shows the URLs’ user names, passwords, query strings or fragments', async () => {
    const result = await server.root.request(GatewayStatusDocument);
    const answer = JSON.stringify(result);
    for (const secret of ['gateway-operator', 'live-password', 'live-query-secret', 'frag', 'sandbox-user', 'test-password', 'test-query-secret', 'apikey']) expect(answer).not.toContain(secret);
  });

  it('lists every root field and every field with a rule: the requirement, its scope alternatives multiplied out, and its cost weight', async () => {
    const { gateway } = await server.root.ok(GatewayStatusDocument);
    expect(byField(gateway.fieldRules)).toEqual([
      rule('Mutation', 'addProduct', 'ROOT_DEFAULT', [['write']], 10),
      rule('Product', 'price', 'REQUIRES_SCOPES', [['billing']], 0),
      rule('Product', 'supplier', 'REQUIRES_SCOPES', [['partners']], 1),
      rule('Query', 'products', 'ROOT_DEFAULT', [['read']], 2),
      rule('Query', 'secret', 'REQUIRES_SCOPES', [['admin'], ['ops', 'read']], 0),
      rule('Query', 'stats', 'AUTHENTICATED', [], 1),
      rule('Query', 'topSupplier', 'ROOT_DEFAULT', [['partners', 'read']], 1),
    ]);
  });

  it('is read by every secret key, live or test, and by root; publishable keys are refused with FORBIDDEN (403), no credential with 401', async () => {
    const app = await createApp(server.root, 'Gateway readers');
    for (const [mode, role] of [['LIVE', 'READ_ONLY'], ['TEST', 'READ_WRITE'], ['LIVE', 'ADMIN']] as const) {
      const key = await createKey(server.root, { appId: app.id, mode, role });
      const result = await server.client(key.secret).request(GatewayStatusDocument);
      expect({ status: result.status, enabled: result.data?.gateway.enabled }).toEqual({ status: 200, enabled: true });
    }
    const publishable = await createKey(server.root, { appId: app.id, mode: 'LIVE', kind: 'PUBLISHABLE' });
    const refused = await server.client(publishable.secret).request(GatewayStatusDocument);
    expect({ status: refused.status, code: codeOf(refused), data: refused.data }).toEqual({ status: 403, code: 'FORBIDDEN', data: null });
    const anonymous = await server.client().request(GatewayStatusDocument);
    expect({ status: anonymous.status, code: codeOf(anonymous), reason: reasonOf(anonymous) }).toEqual({ status: 401, code: 'UNAUTHENTICATED', reason: 'KEY_MISSING' });
  });
});

describe('gateway: not configured', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server?.close());

  it('answers enabled: false with every other field empty (not an error), so a console can say how to turn it on', async () => {
    const result = await server.root.request(GatewayStatusDocument);
    expect({ status: result.status, errors: result.errors, data: result.data }).toEqual({
      status: 200,
      errors: undefined,
      data: { gateway: { enabled: false, upstream: null, testUpstream: null, schemaSource: null, schemaLoadedAt: null, ready: false, fieldRules: [] } },
    });
  });
});

describe('gateway: a schema by introspection', () => {
  let server: TestServer;
  let upstream: GraphQLUpstream;
  beforeAll(async () => {
    upstream = await startGraphQLUpstream(SDL, {});
    // The upstream holds its answer to the introspection query, so the state before the schema loads can be read.
    upstream.hold();
    server = await startTestServer({ env: { KEYGATE_GATEWAY_UPSTREAM: upstream.url } });
  });
  afterAll(async () => {
    await server?.close();
    await upstream?.close();
  });

  it('is not ready, with no rules, until the upstream answers; then only the root fields’ read and write defaults apply', async () => {
    const before = (await server.root.ok(GatewayStatusDocument)).gateway;
    expect(before).toMatchObject({ enabled: true, upstream: upstream.url, testUpstream: upstream.url, schemaSource: 'INTROSPECTION', schemaLoadedAt: null, ready: false, fieldRules: [] });
    upstream.release();
    await server.keygate.gateway!.ready;
    const after = (await server.root.ok(GatewayStatusDocument)).gateway;
    expect(after).toMatchObject({ schemaSource: 'INTROSPECTION', ready: true, schemaLoadedAt: server.keygate.gateway!.schema!.loadedAt.toISOString() });
    // Introspection carries no directives: no field rules, no @cost weights.
    expect(byField(after.fieldRules)).toEqual([
      rule('Mutation', 'addProduct', 'ROOT_DEFAULT', [['write']], 1),
      rule('Query', 'products', 'ROOT_DEFAULT', [['read']], 1),
      rule('Query', 'secret', 'ROOT_DEFAULT', [['read']], 0),
      rule('Query', 'stats', 'ROOT_DEFAULT', [['read']], 1),
      rule('Query', 'topSupplier', 'ROOT_DEFAULT', [['read']], 1),
    ]);
  });
});
