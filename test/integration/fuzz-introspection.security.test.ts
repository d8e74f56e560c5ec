import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { unstorable } from '../../src/shared/validation';
import { BASE64URL, type Edit, applyEdit, anyToken as fuzzAnyToken, oneHeaderLine } from '../helpers/fuzz-arbitraries';
import { type FuzzFixture, afterTheFuzzing, bearer, fuzzSuite, runs } from '../helpers/fuzz-fixture';
import { expectRestError } from '../helpers/fuzz-oracles';
import { rawHttp } from '../helpers/raw-http';
import type { TestServer } from '../helpers/test-server';

/**
 * Fuzzing over real HTTP (OWASP API2, API8; DESIGN.md "Key format", "Errors", "REST surface"):
 * whatever a client sends, the answer is one of the contract's — never a 5xx, never
 * INTERNAL_SERVER_ERROR, always the contract's error shape, never the presented secret
 * echoed back — and the server keeps serving and logs no error. Replaying a failure:
 * test/helpers/fuzz-fixture.ts.
 *
 * Here: session tokens — anything that is not a real token is inactive, and a token is its exact string.
 */

const suite = fuzzSuite();
let server: TestServer;
let writer: FuzzFixture['writer'];
let realToken: string;
beforeAll(() => {
  ({ server, writer, realToken } = suite.fixture);
});

type Introspection = 'form' | 'json' | 'graphql';

async function introspect(token: string, via: Introspection): Promise<{ status: number; body: unknown; text: string }> {
  if (via === 'graphql') {
    const response = await fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${writer.secret}` },
      body: JSON.stringify({ query: 'query($t: String!) { introspectToken(token: $t) { active tokenId appId userId } }', variables: { t: token } }),
    });
    const text = await response.text();
    return { status: response.status, body: JSON.parse(text), text };
  }
  const response = await rawHttp(server.baseUrl, {
    method: 'POST',
    path: '/oauth/introspect',
    headers: [bearer(writer.secret), ['Content-Type', via === 'form' ? 'application/x-www-form-urlencoded' : 'application/json']],
    body: via === 'form' ? new URLSearchParams({ token }).toString() : JSON.stringify({ token }),
  });
  expect(response.headers['cache-control']).toBe('no-store');
  return { status: response.status, body: JSON.parse(response.text), text: response.text };
}

function expectInactive(result: Awaited<ReturnType<typeof introspect>>, via: Introspection, token: string) {
  const label = `${via}: ${JSON.stringify(token).slice(0, 100)} → ${result.text.slice(0, 200)}`;
  expect(result.status, label).toBe(200);
  if (via === 'graphql') expect(result.body, label).toEqual({ data: { introspectToken: { active: false, tokenId: null, appId: null, userId: null } } });
  else expect(result.body, label).toEqual({ active: false });
}

/** A NUL or lone surrogate inside a GraphQL request: 400 BAD_USER_INPUT naming the variable, before anything runs. */
function expectUnstorableRefused(result: Awaited<ReturnType<typeof introspect>>, message: string) {
  expect(result.status, result.text).toBe(400);
  expect(result.body).toEqual({ errors: [{ message, extensions: { code: 'BAD_USER_INPUT', field: 't' } }] });
}

const anyToken = fuzzAnyToken(() => realToken);

describe('POST /oauth/introspect and introspectToken answer exactly {"active":false} for anything that is not a real token', () => {
  it('for arbitrary strings, forged JWTs and alg none, as a form body, a JSON body and through GraphQL', async () => {
    await fc.assert(
      fc.asyncProperty(anyToken, fc.constantFrom<Introspection>('form', 'json', 'graphql'), async (token, via) => {
        fc.pre(token !== realToken);
        const result = await introspect(token, via);
        // GraphQL refuses unstorable strings (NUL, lone surrogates) at the edge (docs/how-it-works.md, Security), tokens included.
        const refusal = unstorable(token);
        if (via === 'graphql' && refusal) return expectUnstorableRefused(result, refusal);
        expectInactive(result, via, token);
      }),
      runs(200),
    );
  }, 120_000);

  it('answers 400 invalid_request naming the field for an empty token', async () => {
    for (const via of ['form', 'json'] as const) {
      const response = await rawHttp(server.baseUrl, {
        method: 'POST',
        path: '/oauth/introspect',
        headers: [bearer(writer.secret), ['Content-Type', via === 'form' ? 'application/x-www-form-urlencoded' : 'application/json']],
        body: via === 'form' ? 'token=' : '{"token":""}',
      });
      expect(expectRestError(response, 400).field).toBe('token');
    }
  });

  it('for near misses of a real token (a character changed, removed, added or duplicated, padding, truncation): a token is its exact string', async () => {
    const tokenEdit = fc.oneof(
      fc.record({ kind: fc.constantFrom('flip' as const, 'delete' as const, 'duplicate' as const, 'truncate' as const), at: fc.nat() }),
      fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), text: fc.oneof(fc.constantFrom(...BASE64URL), fc.constantFrom('=', '!', '*', '.', '+', '/', ' ', '\t')) }),
      fc.record({ kind: fc.constant('extend' as const), text: fc.constantFrom('=', '==', 'A', '.', ' x') }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(tokenEdit, { minLength: 1, maxLength: 2 }), fc.constantFrom<Introspection>('form', 'json', 'graphql'), async (tokenEdits, via) => {
        const presented = tokenEdits.reduce<string>((t, e) => applyEdit(t, e as Edit), realToken);
        fc.pre(presented.trim() !== realToken);
        // An empty token is a missing field (400, its own test above), not a near miss.
        fc.pre(presented.trim() !== '');
        expectInactive(await introspect(presented, via), via, presented);
        // /auth/forward takes session tokens too: a mangled one is refused like a bad key.
        const forwarded = await rawHttp(server.baseUrl, { path: '/auth/forward', headers: [bearer(oneHeaderLine(presented))] });
        if (!forwarded.fromNodeParser) expectRestError(forwarded, 401);
      }),
      // Known: base64url padding, or a character the decoder skips, left the token active.
      runs(100, [
        [[{ kind: 'extend', text: '=' }], 'json'],
        [[{ kind: 'insert', at: realToken.length - 20, text: '!' }], 'graphql'],
      ]),
    );
  }, 120_000);

  it('the real token itself is active (the control)', async () => {
    const result = await introspect(realToken, 'json');
    expect(result.body).toMatchObject({ active: true, sub: 'fuzz-user' });
  });
});

afterTheFuzzing(suite);
