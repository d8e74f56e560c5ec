import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { createKey } from '../helpers/fixtures';
import { FRESH_KEY, graphqlOperations, hostileVariables, mutatedDocument } from '../helpers/fuzz-graphql-operations';
import { type FuzzFixture, VIEWER_BODY, afterTheFuzzing, bearer, fuzzSuite, runs } from '../helpers/fuzz-fixture';
import { GRAPHQL_CODES, LEAK } from '../helpers/fuzz-oracles';
import { rawHttp } from '../helpers/raw-http';
import type { TestServer } from '../helpers/test-server';

/**
 * Fuzzing over real HTTP (OWASP API2, API8; DESIGN.md "Key format", "Errors", "REST surface"):
 * whatever a client sends, the answer is one of the contract's — never a 5xx, never
 * INTERNAL_SERVER_ERROR, always the contract's error shape, never the presented secret
 * echoed back — and the server keeps serving and logs no error. Replaying a failure:
 * test/helpers/fuzz-fixture.ts.
 *
 * Here: GraphQL — the real operations with hostile variables, and their documents mutated.
 */

const suite = fuzzSuite();
let server: TestServer;
let appId: string;
let otherAppId: string;
let writer: FuzzFixture['writer'];
let admin: FuzzFixture['admin'];
let publishable: FuzzFixture['publishable'];
let realToken: string;
let rotationId: string;
beforeAll(() => {
  ({ server, appId, otherAppId, writer, admin, publishable, realToken, rotationId } = suite.fixture);
});

const OPERATIONS = graphqlOperations(() => realToken);

async function resolveIds(value: unknown): Promise<unknown> {
  if (typeof value === 'string') {
    switch (value) {
      case '__APP__':
        return appId;
      case '__OTHER_APP__':
        return otherAppId;
      case '__WRITER__':
        return writer.id;
      case '__PUBLISHABLE__':
        return publishable.id;
      case '__ROTATION__':
        return rotationId;
      case FRESH_KEY:
        return (await createKey(server.root, { appId, mode: 'LIVE', name: 'fuzz target' })).id;
      default:
        return value;
    }
  }
  if (Array.isArray(value)) return Promise.all(value.map(resolveIds));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(await Promise.all(Object.entries(value).map(async ([k, v]) => [k, await resolveIds(v)])));
  }
  return value;
}

/** Any answer: data, or errors whose codes are the contract's, with nothing internal in them. */
async function expectContractAnswer({ query, variables, operationName, caller: who }: { query: string; variables: unknown; operationName: string | undefined; caller: 'root' | 'admin' }) {
  const body = JSON.stringify({ query, variables: await resolveIds(variables), ...(operationName === undefined ? {} : { operationName }) });
  const response = await fetch(server.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${who === 'root' ? server.rootKey : admin.secret}` },
    body,
  });
  const text = await response.text();
  const label = `${who} ${body.slice(0, 600)} → ${response.status} ${text.slice(0, 400)}`;
  expect(response.status, label).toBeLessThan(500);
  expect(response.headers.get('content-type'), label).toMatch(/^application\/(graphql-response\+)?json/);
  const answer = JSON.parse(text) as { data?: unknown; errors?: { message: unknown; extensions?: Record<string, unknown> }[] };
  expect(answer.data !== undefined || answer.errors !== undefined, label).toBe(true);
  for (const error of answer.errors ?? []) {
    expect(error.message, label).toEqual(expect.any(String));
    expect(GRAPHQL_CODES, label).toContain(error.extensions?.code);
    expect(error.extensions?.stacktrace, label).toBeUndefined();
    expect(error.message as string, label).not.toMatch(LEAK);
  }
}

describe('GraphQL: hostile variables and mutated documents never cause a 5xx or an INTERNAL_SERVER_ERROR', () => {
  it('real operations with variables of wrong types, huge ints, nulls, deep objects, NUL and control characters: data, or errors with a contract code', async () => {
    await fc.assert(
      fc.asyncProperty(hostileVariables(OPERATIONS), expectContractAnswer),
      // Known: a NUL in an id, a filter or a reason reached the database driver (INTERNAL_SERVER_ERROR),
      // for app keys (the key lookup runs before the tenancy check) as for root.
      runs(250, [
        [{ query: OPERATIONS.find((o) => o.name === 'completeRotation')!.document, variables: { id: '\u0000' }, operationName: undefined, caller: 'admin' as const }],
        [{ query: OPERATIONS.find((o) => o.name === 'app')!.document, variables: { id: '\u0000' }, operationName: undefined, caller: 'root' as const }],
        [{ query: OPERATIONS.find((o) => o.name === 'revokeApiKey')!.document, variables: { id: FRESH_KEY, reason: 'a\u0000b' }, operationName: undefined, caller: 'root' as const }],
      ]),
    );
  }, 180_000);

  it('real operations with characters dropped, duplicated, swapped or spliced in: data, or errors with a contract code', async () => {
    await fc.assert(fc.asyncProperty(mutatedDocument(OPERATIONS), expectContractAnswer), runs(250));
  }, 180_000);

  it('still answers { viewer { type } } afterwards', async () => {
    const response = await rawHttp(server.baseUrl, { method: 'POST', path: '/graphql', headers: [bearer(server.rootKey), ['Content-Type', 'application/json']], body: VIEWER_BODY });
    expect(response.status).toBe(200);
    expect(JSON.parse(response.text)).toEqual({ data: { viewer: { type: 'ROOT' } } });
  });
});

afterTheFuzzing(suite);
