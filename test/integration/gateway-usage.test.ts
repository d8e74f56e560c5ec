import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KeyOperationsDocument } from '../generated/graphql';
import { codeOf } from '../helpers/graphql-client';
import { createApp, createKey } from '../helpers/fixtures';
import { type GraphQLUpstream, startGraphQLUpstream } from '../helpers/graphql-upstream';
import { type TestServer, startTestServer } from '../helpers/test-server';

/** DESIGN.md "Gateway", usage: ApiKey.operations counts each key's gateway operations per name. */

const SDL = /* GraphQL */ `
  directive @cost(weight: Int!) on FIELD_DEFINITION | OBJECT | SCALAR | ENUM
  directive @requiresScopes(scopes: [[String!]!]!) on FIELD_DEFINITION | OBJECT | INTERFACE | SCALAR | ENUM
  type Query {
    hello: String @cost(weight: 3)
    boom: String
    huge: String @cost(weight: 9000)
  }
`;

let server: TestServer;
let upstream: GraphQLUpstream;

beforeAll(async () => {
  upstream = await startGraphQLUpstream(SDL, {
    hello: 'world',
    boom: () => {
      throw new Error('upstream failure');
    },
    huge: 'x',
  });
  const dir = mkdtempSync(join(tmpdir(), 'keygate-operations-'));
  writeFileSync(join(dir, 'schema.graphql'), SDL);
  server = await startTestServer({ env: { KEYGATE_GATEWAY_UPSTREAM: upstream.url, KEYGATE_GATEWAY_SCHEMA: join(dir, 'schema.graphql') } });
});

afterAll(async () => {
  await server?.close();
  await upstream?.close();
});

async function gateway(key: string, query: string): Promise<number> {
  const response = await fetch(`${server.baseUrl}/gateway/graphql`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify({ query }) });
  await response.arrayBuffer();
  return response.status;
}

describe('ApiKey.operations', () => {
  it('sums each operation per key: requests, errors (upstream errors, refusals after planning) and cost, busiest first; a token counts for the key that minted it', async () => {
    const app = await createApp(server.root, 'Operations');
    const key = await createKey(server.root, { appId: app.id, mode: 'LIVE', role: 'READ_WRITE' });
    const other = await createKey(server.root, { appId: app.id, mode: 'LIVE', role: 'READ_WRITE' });
    for (let i = 0; i < 3; i++) expect(await gateway(key.secret, 'query Hello { hello }')).toBe(200);
    expect(await gateway(key.secret, '{ hello }')).toBe(200);
    expect(await gateway(key.secret, 'query Boom { boom }')).toBe(200);
    expect(await gateway(key.secret, 'query Huge { huge }')).toBe(400);
    const minted = await fetch(`${server.baseUrl}/session_access`, { method: 'POST', headers: { authorization: `Bearer ${key.secret}`, 'content-type': 'application/json' }, body: '{"user_id":"u-1"}' });
    const { token } = (await minted.json()) as { token: string };
    expect(await gateway(token, 'query Hello { hello }')).toBe(200);
    expect(await gateway(other.secret, 'query Hello { hello }')).toBe(200);

    const { apiKey } = await server.root.ok(KeyOperationsDocument, { id: key.id });
    expect(apiKey?.operations).toEqual([
      { operationName: 'Hello', requests: 4, errors: 0, cost: 12 },
      { operationName: null, requests: 1, errors: 0, cost: 3 },
      { operationName: 'Boom', requests: 1, errors: 1, cost: 0 },
      { operationName: 'Huge', requests: 1, errors: 1, cost: 0 },
    ]);
    const theOther = await server.root.ok(KeyOperationsDocument, { id: other.id });
    expect(theOther.apiKey?.operations).toEqual([{ operationName: 'Hello', requests: 1, errors: 0, cost: 3 }]);
    const later = new Date(Date.now() + 2 * 3600_000).toISOString();
    expect((await server.root.ok(KeyOperationsDocument, { id: key.id, since: later })).apiKey?.operations).toEqual([]);
  });

  it('is read like usage: READ_ONLY keys of the app may, publishable keys may not', async () => {
    const app = await createApp(server.root, 'Operations readers');
    const key = await createKey(server.root, { appId: app.id, mode: 'LIVE', role: 'READ_WRITE' });
    const reader = server.client((await createKey(server.root, { appId: app.id, mode: 'LIVE', role: 'READ_ONLY' })).secret);
    expect((await reader.ok(KeyOperationsDocument, { id: key.id })).apiKey?.operations).toEqual([]);
    const publishable = server.client((await createKey(server.root, { appId: app.id, mode: 'LIVE', kind: 'PUBLISHABLE' })).secret);
    expect(codeOf(await publishable.request(KeyOperationsDocument, { id: key.id }))).toBe('FORBIDDEN');
  });
});
