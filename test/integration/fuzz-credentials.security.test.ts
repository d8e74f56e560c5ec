import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { anyCredential, applyEdit, edits, oneHeaderLine } from '../helpers/fuzz-arbitraries';
import { type FuzzFixture, VIEWER_BODY, afterTheFuzzing, bearer, fuzzSuite, runs } from '../helpers/fuzz-fixture';
import { AUTH_FAILURE_REASONS, expectNoEcho, expectRestError } from '../helpers/fuzz-oracles';
import { type RawRequest, type RawResponse, rawHttp } from '../helpers/raw-http';
import type { TestServer } from '../helpers/test-server';

/**
 * Fuzzing over real HTTP (OWASP API2, API8; DESIGN.md "Key format", "Errors", "REST surface"):
 * whatever a client sends, the answer is one of the contract's — never a 5xx, never
 * INTERNAL_SERVER_ERROR, always the contract's error shape, never the presented secret
 * echoed back — and the server keeps serving and logs no error. Replaying a failure:
 * test/helpers/fuzz-fixture.ts.
 *
 * Here: any string presented as a credential, on every endpoint that takes one.
 */

const suite = fuzzSuite();
let server: TestServer;
let writer: FuzzFixture['writer'];
let admin: FuzzFixture['admin'];
let publishable: FuzzFixture['publishable'];
beforeAll(() => {
  ({ server, writer, admin, publishable } = suite.fixture);
});

interface CredentialTarget {
  name: string;
  graphql: boolean;
  request(credential: string): RawRequest;
}

const CREDENTIAL_TARGETS: CredentialTarget[] = [
  { name: 'POST /graphql with Authorization: Bearer', graphql: true, request: (c) => ({ method: 'POST', path: '/graphql', headers: [bearer(c), ['Content-Type', 'application/json']], body: VIEWER_BODY }) },
  { name: 'GET /auth/verify with Authorization: Bearer', graphql: false, request: (c) => ({ path: '/auth/verify', headers: [bearer(c)] }) },
  { name: 'GET /auth/forward with Authorization: Bearer', graphql: false, request: (c) => ({ path: '/auth/forward', headers: [bearer(c)] }) },
  { name: 'GET /auth/forward with X-Api-Key', graphql: false, request: (c) => ({ path: '/auth/forward', headers: [['X-Api-Key', c]] }) },
  { name: 'GET /auth/verify with X-Api-Key', graphql: false, request: (c) => ({ path: '/auth/verify', headers: [['X-Api-Key', c]] }) },
  { name: 'POST /graphql with X-Api-Key', graphql: true, request: (c) => ({ method: 'POST', path: '/graphql', headers: [['X-Api-Key', c], ['Content-Type', 'application/json']], body: VIEWER_BODY }) },
];

/** Distinct answer bodies per target: an answer that echoed its input would make one per input. */
const bodiesSeen = new Map<string, Set<string>>();

/**
 * 401 in the contract's shape (or, for bytes Node's HTTP parser refuses in a header,
 * Node's own 400/431 before Keygate sees anything), and nothing of the credential in it.
 */
function expectCredentialRefused(target: CredentialTarget, credential: string, response: RawResponse) {
  if (response.fromNodeParser) {
    expect([400, 431], `Node's own answer to ${JSON.stringify(credential).slice(0, 80)}`).toContain(response.status);
    return;
  }
  const label = `${target.name}: ${JSON.stringify(credential).slice(0, 80)} → ${response.text.slice(0, 200)}`;
  expect(response.status, label).toBe(401);
  expect(response.headers['content-type'], label).toMatch(/^application\/json/);
  const body = JSON.parse(response.text) as Record<string, unknown>;
  if (target.graphql) {
    const { data, errors } = body as { data?: unknown; errors: { message: unknown; extensions: Record<string, unknown> }[] };
    expect(data ?? null, label).toBeNull();
    expect(errors, label).toHaveLength(1);
    expect(errors[0].message, label).toEqual(expect.any(String));
    expect(errors[0].extensions, label).toEqual({ code: 'UNAUTHENTICATED', reason: expect.any(String) });
    expect(AUTH_FAILURE_REASONS, label).toContain(errors[0].extensions.reason);
  } else {
    const error = expectRestError(response, 401);
    expect(error.details, label).toEqual(expect.any(String));
  }
  expectNoEcho(body, credential);
  const seen = bodiesSeen.get(target.name) ?? new Set<string>();
  seen.add(response.text);
  bodiesSeen.set(target.name, seen);
}

async function presentEverywhere(credential: string) {
  const responses = await Promise.all(CREDENTIAL_TARGETS.map((t) => rawHttp(server.baseUrl, t.request(credential))));
  CREDENTIAL_TARGETS.forEach((t, i) => expectCredentialRefused(t, credential, responses[i]));
}

describe('a credential that is not a working key is refused with 401, in the contract shape, without echo', () => {
  it('for arbitrary strings: ASCII, any Unicode code point, control characters, graphemes, 10 kB, key- and JWT-shaped', async () => {
    await fc.assert(fc.asyncProperty(anyCredential, presentEverywhere), runs(200));
  }, 120_000);

  it('for near misses of real keys: a character flipped, deleted, inserted, duplicated or case-swapped, the prefix changed (with or without a new checksum), whitespace inside, truncated, extended', async () => {
    const realKeys = () => [writer.secret, admin.secret, publishable.secret, server.rootKey];
    await fc.assert(
      fc.asyncProperty(fc.nat({ max: 3 }), edits(), async (which, keyEdits) => {
        const real = realKeys()[which];
        const presented = oneHeaderLine(keyEdits.reduce(applyEdit, real));
        // Surrounding whitespace is not part of a header value (RFC 9110 §5.5): that is the real key.
        fc.pre(presented.trim() !== real);
        await presentEverywhere(presented);
      }),
      runs(200),
    );
  }, 120_000);

  it('answers every refused credential with one of a handful of fixed bodies per endpoint (nothing of the input in them)', () => {
    expect(bodiesSeen.size).toBe(CREDENTIAL_TARGETS.length);
    // Up to 4 reasons, plus the two fixed hints for an Authorization header that is not "Bearer <key>".
    for (const [target, bodies] of bodiesSeen) expect(bodies.size, `${target}: ${[...bodies].join('\n')}`).toBeLessThanOrEqual(6);
  });

  it('the same working keys are accepted, so the refusals above are about the mutations (the control)', async () => {
    for (const key of [writer.secret, admin.secret, publishable.secret, server.rootKey]) {
      const response = await rawHttp(server.baseUrl, { path: '/auth/verify', headers: [bearer(key)] });
      expect(response.status, response.text).toBe(200);
    }
  });
});

afterTheFuzzing(suite);
