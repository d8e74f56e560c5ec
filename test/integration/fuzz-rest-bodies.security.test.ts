import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { base62String, hostileJson, jwtShaped, nasty, text, usually } from '../helpers/fuzz-arbitraries';
import { type FuzzFixture, afterTheFuzzing, bearer, fuzzSuite, runs } from '../helpers/fuzz-fixture';
import { expectRestError } from '../helpers/fuzz-oracles';
import { type RawResponse, rawHttp } from '../helpers/raw-http';
import type { TestServer } from '../helpers/test-server';

/**
 * Fuzzing over real HTTP (OWASP API2, API8; DESIGN.md "Key format", "Errors", "REST surface"):
 * whatever a client sends, the answer is one of the contract's — never a 5xx, never
 * INTERNAL_SERVER_ERROR, always the contract's error shape, never the presented secret
 * echoed back — and the server keeps serving and logs no error. Replaying a failure:
 * test/helpers/fuzz-fixture.ts.
 *
 * Here: REST request bodies — arbitrary JSON, near-valid objects and bytes that are not JSON.
 */

const suite = fuzzSuite();
let server: TestServer;
let appId: string;
let otherAppId: string;
let writer: FuzzFixture['writer'];
beforeAll(() => {
  ({ server, appId, otherAppId, writer } = suite.fixture);
});

const maybeExtraField = fc.option(fc.tuple(fc.oneof(fc.string(), fc.constantFrom('__proto__', 'constructor', 'userId', 'tokenLifetime', 'appId', 'token ', 'TOKEN')), hostileJson), { nil: undefined });

const nearValidSessionBody = fc
  .tuple(
    fc.record(
      {
        user_id: usually(text(300, 1)),
        channel_id: usually(text(300)),
        token_lifetime: usually(fc.oneof(fc.integer({ min: 0, max: 200_000 }), fc.constantFrom(60, 1800, 86_400, 86_401))),
        app_id: usually(
          fc.oneof(
            { weight: 4, arbitrary: fc.constant('__APP__') },
            { weight: 1, arbitrary: fc.constant('__OTHER_APP__') },
            { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
            { weight: 2, arbitrary: nasty },
            { weight: 1, arbitrary: base62String(26).map((s) => `app_${s}`) },
          ),
        ),
        mode: usually(fc.constantFrom('LIVE', 'LIVE', 'LIVE', 'TEST', 'live', 'PROD', '')),
        services: usually(fc.record({ media: usually(fc.record({ allow_publish_audio: usually(fc.boolean()), allow_publish_video: usually(fc.boolean()) }, { requiredKeys: [] })) }, { requiredKeys: [] })),
      },
      { requiredKeys: [] },
    ),
    maybeExtraField,
  )
  .map(([body, extra]) => (extra ? { ...body, ...Object.fromEntries([extra]) } : body));

const nearValidIntrospectBody = fc
  .tuple(fc.record({ token: usually(fc.oneof(fc.string(), jwtShaped)) }, { requiredKeys: [] }), maybeExtraField)
  .map(([body, extra]) => (extra ? { ...body, ...Object.fromEntries([extra]) } : body));

interface Body {
  bytes: string | Buffer;
  contentType: string | undefined;
  /** What the server should read out of it: a JSON value, or a form's fields. */
  parsed?: { value: unknown };
}

const json = (value: unknown, contentType = 'application/json'): Body => ({ bytes: JSON.stringify(value) ?? 'null', contentType, parsed: { value: JSON.parse(JSON.stringify(value) ?? 'null') } });

const bodyFor = (path: '/session_access' | '/oauth/introspect'): fc.Arbitrary<Body> =>
  fc.oneof(
    fc.jsonValue({ maxDepth: 4, stringUnit: 'binary' }).map((v) => json(v)),
    (path === '/session_access' ? nearValidSessionBody : nearValidIntrospectBody).map((v) => json(v)),
    (path === '/session_access' ? nearValidSessionBody : nearValidIntrospectBody).map((v) => json(v, 'application/json; charset=utf-8')),
    fc.tuple(fc.uint8Array({ maxLength: 2_000 }), fc.constantFrom('application/json', 'application/x-www-form-urlencoded', 'text/plain', 'application/json; charset=utf-16', 'multipart/form-data; boundary=x', undefined)).map(
      ([bytes, contentType]) => ({ bytes: Buffer.from(bytes), contentType }),
    ),
    fc.tuple(fc.string({ unit: 'binary', maxLength: 500 }), fc.constantFrom('application/json', 'application/x-www-form-urlencoded')).map(([bytes, contentType]) => ({ bytes, contentType })),
    fc.tuple(fc.integer({ min: 17, max: 30_000 }), fc.boolean()).map(([depth, balanced]) => ({
      bytes: '['.repeat(depth) + (balanced ? ']'.repeat(depth) : ''),
      contentType: 'application/json',
    })),
    fc.integer({ min: 60_000, max: 70_000 }).map((size) => ({ bytes: `{"user_id":"${'u'.repeat(size)}"}`, contentType: 'application/json' })),
  );

/** For `{"app_id":"__APP__"}` the fuzzer means this deployment's app. */
function resolvePlaceholders(body: Body): Body {
  if (typeof body.bytes !== 'string' || !body.parsed) return body;
  const bytes = body.bytes.replaceAll('"__APP__"', JSON.stringify(appId)).replaceAll('"__OTHER_APP__"', JSON.stringify(otherAppId));
  return { ...body, bytes, parsed: { value: JSON.parse(bytes) } };
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const depthOf = (v: unknown): number => (v !== null && typeof v === 'object' ? 1 + Math.max(0, ...Object.values(v).map(depthOf)) : 0);

/** The fields a request body must name when it leaves them out (root must name its app and mode). */
const REQUIRED: Record<string, string[]> = { '/session_access': ['user_id', 'app_id', 'mode'], '/oauth/introspect': ['token'] };

function expectRestBodyAnswer(path: '/session_access' | '/oauth/introspect', body: Body, response: RawResponse) {
  const label = `${path} ${body.contentType} ${(Buffer.isBuffer(body.bytes) ? body.bytes.toString('hex') : body.bytes).slice(0, 160)} → ${response.status} ${response.text.slice(0, 200)}`;
  expect(response.fromNodeParser, label).toBe(false);
  expect(response.status, label).toBeLessThan(500);
  if (response.status === 200) {
    const answer = JSON.parse(response.text);
    if (path === '/oauth/introspect') expect(answer, label).toEqual({ active: false });
    else expect(answer, label).toEqual({ token: expect.stringMatching(/^eyJ/), token_id: expect.stringMatching(/^tok_/), expires_at: expect.any(String), refresh_at: expect.any(String) });
    return;
  }
  // A body can be wrong (400, 413) and, on /session_access, name an app or a mode the key may not use (404, 403).
  expect(path === '/session_access' ? [400, 403, 404, 413] : [400, 413], label).toContain(response.status);
  const error = expectRestError(response, response.status);
  // A problem inside a JSON object names its field, in the request's own spelling.
  const value = body.parsed?.value;
  if (response.status === 400 && isPlainObject(value) && depthOf(value) <= 16) {
    expect(error.field, label).toEqual(expect.any(String));
    const named = [...Object.keys(value), ...REQUIRED[path]].some((key) => error.field === key || error.field.startsWith(`${key}.`));
    expect(named, `${label}: the field names no part of the body`).toBe(true);
  }
}

/** Known failures, replayed first on every run: a NUL in an id (a driver error, 500), an unnamed empty-named field. */
const SESSION_ACCESS_REGRESSIONS: [Body, 'READ_WRITE key' | 'root key'][] = [
  [json({ user_id: 'u', app_id: 'app_\u0000', mode: 'LIVE' }), 'root key'],
  [json({ user_id: 'u', '': 1 }), 'READ_WRITE key'],
];

describe('REST bodies: arbitrary JSON, near-valid objects and non-JSON bytes never cause a 5xx', () => {
  const callers = () => ({ 'READ_WRITE key': writer.secret, 'root key': server.rootKey });

  for (const path of ['/session_access', '/oauth/introspect'] as const) {
    it(`POST ${path}: 200 for a body that happens to be valid, else 400 invalid_request (naming the field), the one error shape`, async () => {
      await fc.assert(
        fc.asyncProperty(bodyFor(path), fc.constantFrom('READ_WRITE key' as const, 'root key' as const), async (generated, caller) => {
          const body = resolvePlaceholders(generated);
          const headers: [string, string][] = [bearer(callers()[caller])];
          if (body.contentType) headers.push(['Content-Type', body.contentType]);
          const response = await rawHttp(server.baseUrl, { method: 'POST', path, headers, body: body.bytes });
          expectRestBodyAnswer(path, body, response);
        }),
        runs(250, path === '/session_access' ? SESSION_ACCESS_REGRESSIONS : []),
      );
    }, 120_000);
  }
});

afterTheFuzzing(suite);
