import { getIntrospectionQuery } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Clock } from '../../src/shared/clock';
import { type TestServer, startTestServer } from '../helpers/test-server';

/**
 * Issue 20, F3: introspection needs no key outside production, so it must be as bounded as
 * any query. A schema walk nested deeper or answering more than the standard introspection
 * query is refused before it runs (400, `extensions.limit`), every alias counts (those
 * named `__typename` too), introspection runs under the time budget, and the standard
 * query that GraphiQL, Sandbox and graphql-codegen send keeps answering.
 */

type Answer = { status: number; body: { data?: Record<string, unknown> | null; errors?: { message: string; extensions?: Record<string, unknown> }[] } };

async function post(server: TestServer, query: string, key?: string): Promise<Answer> {
  const response = await fetch(server.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
    body: JSON.stringify({ query }),
  });
  return { status: response.status, body: (await response.json()) as Answer['body'] };
}

function expectRefused(answer: Answer, limit: string): void {
  expect(answer.status, JSON.stringify(answer.body).slice(0, 500)).toBe(400);
  expect(answer.body.data).toBeUndefined();
  expect(answer.body.errors).toHaveLength(1);
  expect(answer.body.errors?.[0].extensions).toMatchObject({ code: 'GRAPHQL_VALIDATION_FAILED', limit });
  expect(answer.body.errors?.[0].message).toMatch(/limit|depth/);
}

/**
 * The query of the report: fragments on __Type / __Field nesting fields → type → ofType,
 * each step doubled through an alias named `__typename`, and four top-level copies of the
 * schema's types. Unbounded, it answered 13.8 MB and held the event loop for seconds.
 */
function attackQuery(levels = 2): string {
  const fragments: string[] = [];
  for (let i = 0; i < levels; i++) {
    const next = i + 1 < levels ? `{ ...T${i + 1} }` : '{ name }';
    fragments.push(
      `fragment T${i} on __Type { fields { ...F${i} } __typename: fields { ...F${i} } }`,
      `fragment F${i} on __Field { type { ...R${i} } __typename: type { ...R${i} } }`,
      `fragment R${i} on __Type { ofType ${next} __typename: ofType ${next} }`,
    );
  }
  return `{ __schema { ...S } __typename: __schema { ...S } } fragment S on __Schema { types { ...T0 } __typename: types { ...T0 } } ${fragments.join(' ')}`;
}

/** The standard query's own fragments, selected twice: twice its answer. */
function twiceTheStandardQuery(): string {
  const standard = getIntrospectionQuery();
  const fragments = standard.slice(standard.indexOf('fragment FullType'));
  return `{ a: __schema { types { ...FullType } } b: __schema { types { ...FullType } } } ${fragments}`;
}

/**
 * Recursing through the schema (a field's type's fields' types, three times): deeper than the
 * standard query's answer nests, which follows the schema's most wrapped type
 * (`[[String!]!]!`: five ofType steps).
 */
const RECURSIVE = '{ __schema { types { fields { type { ofType { fields { type { ofType { fields { type { ofType { name } } } } } } } } } } } }';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.close());

describe('anonymous introspection (no key)', () => {
  it("refuses the report's query: every alias counts, those named __typename too", async () => {
    const query = attackQuery();
    expect(query.length).toBeLessThan(1000);
    expectRefused(await post(server, query), 'aliases');
  });

  it('refuses a schema walk answering more than the standard introspection query', async () => {
    expectRefused(await post(server, twiceTheStandardQuery()), 'cost');
  });

  it('refuses a selection nested deeper than the standard introspection query', async () => {
    expectRefused(await post(server, RECURSIVE), 'depth');
    // graphql-js's own rule (`fields` three deep) answers in the same shape.
    expectRefused(await post(server, '{ __schema { types { fields { type { fields { type { fields { name } } } } } } } }'), 'depth');
  });

  it('answers the standard introspection query in each of its option variants, the same every time', async () => {
    const variants = [{}, { inputValueDeprecation: true, schemaDescription: true }, { descriptions: false }, { specifiedByUrl: true, directiveIsRepeatable: true, schemaDescription: true, inputValueDeprecation: true, oneOf: true }];
    for (const options of variants) {
      const first = await post(server, getIntrospectionQuery(options));
      expect(first.status, JSON.stringify(options)).toBe(200);
      expect(first.body.errors).toBeUndefined();
      const types = (first.body.data?.__schema as { types: { name: string }[] }).types.map((t) => t.name);
      expect(types).toEqual(expect.arrayContaining(['Query', 'Mutation', 'App', 'ApiKey']));
      expect(await post(server, getIntrospectionQuery(options))).toEqual(first);
    }
  });

  it('answers a smaller schema walk of its own (a client asking less than the standard query)', async () => {
    const answer = await post(server, '{ __schema { queryType { name } types { name kind fields { name type { name kind ofType { name } } } } } }');
    expect(answer.status).toBe(200);
    expect(answer.body.errors).toBeUndefined();
    expect(answer.body.data?.__schema).toMatchObject({ queryType: { name: 'Query' } });
  });
});

describe('introspection beside other fields, with a key', () => {
  it('is held to the same bounds', async () => {
    expectRefused(await post(server, RECURSIVE.replace('{ __schema', '{ viewer { type } __schema'), server.rootKey), 'depth');
    expectRefused(await post(server, attackQuery().replace('{ __schema', '{ viewer { type } __schema'), server.rootKey), 'aliases');
  });
});

describe('with the alias limit raised', () => {
  it("refuses the report's query by the size of its answer", async () => {
    const lenient = await startTestServer({ env: { KEYGATE_GRAPHQL_MAX_ALIASES: '100000' } });
    try {
      expectRefused(await post(lenient, attackQuery()), 'cost');
    } finally {
      await lenient.close();
    }
  });
});

describe('the time budget', () => {
  /** Moves 20 ms each time it is read: introspection's later fields start past the 200 ms budget whatever the machine's speed. */
  const steppingClock: Clock = {
    now: (() => {
      let t = Date.now();
      return () => new Date((t += 20));
    })(),
  };

  it('stops an introspection running past KEYGATE_GRAPHQL_TIME_BUDGET_MS with one TIMEOUT error', async () => {
    const slow = await startTestServer({ clock: steppingClock, env: { KEYGATE_GRAPHQL_TIME_BUDGET_MS: '200' } });
    try {
      const answer = await post(slow, '{ __schema { types { name fields { name } } } }');
      expect(answer.status).toBe(200);
      expect(answer.body.errors).toHaveLength(1);
      expect(answer.body.errors?.[0].extensions).toMatchObject({ code: 'TIMEOUT', limit: 'time' });
    } finally {
      await slow.close();
    }
  });
});
