import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BASE62, toBase62 } from '../../src/shared/base62';
import { crc32 } from '../../src/shared/crc32';
import { SessionAccessDocument } from '../generated/graphql';
import { createApp, createKey } from '../helpers/fixtures';
import { type RawRequest, type RawResponse, rawHttp } from '../helpers/raw-http';
import { startTestServer, type TestServer } from '../helpers/test-server';
import { unstorable } from '../../src/shared/validation';

/**
 * Fuzzing over real HTTP (OWASP API2, API8; DESIGN.md "Key format", "Errors", "REST surface").
 * Whatever a client sends — any string as a credential, any bytes as a body, any mangled
 * GraphQL document — the answer is one of the contract's: never a 5xx, never
 * INTERNAL_SERVER_ERROR, always the contract's error shape, never the presented secret
 * echoed back, and the server keeps serving and logs no error.
 *
 * fast-check prints the seed and path of any failure; to replay one, run with
 * KEYGATE_FUZZ_SEED=<seed> KEYGATE_FUZZ_PATH=<path>.
 */

const SEED = process.env.KEYGATE_FUZZ_SEED ? Number(process.env.KEYGATE_FUZZ_SEED) : undefined;
const PATH = process.env.KEYGATE_FUZZ_PATH;
/** fast-check parameters: `numRuns` random cases, after the `examples` (known regressions) which always run first. */
function runs<Ts>(numRuns: number, examples: NoInfer<Ts>[] = []): fc.Parameters<Ts> {
  return SEED === undefined ? { numRuns, examples } : { numRuns, seed: SEED, path: PATH, endOnFailure: true };
}

let server: TestServer;
let appId: string;
let otherAppId: string;
/** READ_WRITE secret key: the REST caller. */
let writer: { id: string; secret: string };
/** ADMIN secret key: a GraphQL caller besides root. Never handed to the fuzzer as an id. */
let admin: { id: string; secret: string };
let publishable: { id: string; secret: string };
/** A real, active session token minted by `writer`. */
let realToken: string;
let rotationId: string;

beforeAll(async () => {
  // The per-IP budget of failed authentications would answer 429 after a few dozen
  // refusals; this file sends thousands on purpose, and asserts the 401 each deserves.
  server = await startTestServer({ env: { KEYGATE_AUTH_FAILURES_PER_IP: '0' } });
  appId = (await createApp(server.root, 'Fuzz app')).id;
  otherAppId = (await createApp(server.root, 'Other app')).id;
  writer = await createKey(server.root, { appId, mode: 'LIVE', role: 'READ_WRITE', name: 'fuzz writer' });
  admin = await createKey(server.root, { appId, mode: 'LIVE', role: 'ADMIN', name: 'fuzz admin' });
  publishable = await createKey(server.root, { appId, mode: 'LIVE', kind: 'PUBLISHABLE', name: 'fuzz pk', allowedOrigins: [] });
  realToken = (await server.client(writer.secret).ok(SessionAccessDocument, { input: { userId: 'fuzz-user', tokenLifetime: 3600 } })).sessionAccess.token;
  const rotated = await createKey(server.root, { appId, mode: 'LIVE', name: 'rotated' });
  const rotation = await server.root.raw<{ rotateApiKey: { rotation: { id: string } } }>(
    'mutation($id: ID!) { rotateApiKey(id: $id, gracePeriodSeconds: 3600) { rotation { id } } }',
    { id: rotated.id },
  );
  rotationId = rotation.data!.rotateApiKey.rotation.id;
});
afterAll(() => server?.close());

// ---------------------------------------------------------------------------------------
// Arbitraries
// ---------------------------------------------------------------------------------------

const withChecksum = (text: string) => text + toBase62(crc32(text), 6);
const b64url = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');
const BASE64URL = `${BASE62}-_`;

/** A header value cannot hold CR or LF (that would be another header, or the body). */
const oneHeaderLine = (s: string) => s.replace(/[\r\n]/g, '');

/** 1,000 to 10,000 characters: a short random unit repeated. */
const longString = fc
  .tuple(fc.string({ minLength: 1, maxLength: 8 }), fc.integer({ min: 1_000, max: 10_000 }))
  .map(([unit, n]) => unit.repeat(Math.ceil(n / unit.length)).slice(0, n));

/** Short strings of the characters that trip up parsers, drivers and SQL: controls, NUL, lone surrogates, quotes, wildcards, comments. */
const nasty = fc.string({
  unit: fc.constantFrom('\u0000', '\u0001', '\u001b', '\u007f', '\u0085', '\u2028', '\ud800', '\udfff', '\ufeff', "'", '"', '\\', '%', '_', ';', '--', '/*', '*/', '$1', '?', 'a', '0', ' '),
  minLength: 1,
  maxLength: 20,
});

const base62String = (maxLength: number) => fc.string({ unit: fc.constantFrom(...BASE62), maxLength });

/** Strings shaped like keys: a real or fake prefix, a base62 body, sometimes a valid checksum (then only the database can say no). */
const keyShaped = fc
  .tuple(fc.constantFrom('sk_live_', 'sk_test_', 'pk_live_', 'pk_test_', 'rk_', 'acme_sk_live_', 'SK_LIVE_', 'sk_prod_', ''), base62String(60), fc.boolean())
  .map(([prefix, body, checksum]) => (checksum ? withChecksum(prefix + body) : prefix + body));

/** Strings shaped like JWTs (three base64url segments), with headers that name real and fake algorithms and kids. */
const jwtShaped = fc
  .tuple(
    fc.record(
      { alg: fc.constantFrom('EdDSA', 'none', 'HS256', 'RS256', ''), typ: fc.constantFrom('session+jwt', 'JWT'), kid: fc.oneof(fc.string(), fc.string({ unit: 'binary', maxLength: 40 }), base62String(20).map((s) => `sig_${s}`)) },
      { requiredKeys: [] },
    ),
    fc.jsonValue({ maxDepth: 2 }),
    fc.string({ unit: fc.constantFrom(...BASE64URL), maxLength: 90 }),
  )
  .map(([header, payload, signature]) => `${b64url(header)}.${b64url(payload)}.${signature}`);

/** Anything a client could put where a credential goes. */
const anyCredential = fc
  .oneof(
    fc.string(),
    fc.string({ unit: 'binary', maxLength: 200 }),
    fc.string({ unit: 'binary-ascii', maxLength: 200 }),
    fc.string({ unit: 'grapheme', maxLength: 60 }),
    nasty,
    longString,
    keyShaped,
    jwtShaped,
  )
  .map(oneHeaderLine);

type Edit =
  | { kind: 'flip' | 'delete' | 'duplicate' | 'swapCase' | 'truncate'; at: number }
  | { kind: 'insert' | 'whitespaceInside'; at: number; text: string }
  | { kind: 'prefix'; prefix: string }
  | { kind: 'prefixWithNewChecksum'; prefix: string }
  | { kind: 'extend'; text: string };

const KEY_PREFIX = /^(?:[a-z0-9]+_)?(?:(?:pk|sk)_(?:live|test)|rk)_/;
const PREFIXES = ['sk_live_', 'sk_test_', 'pk_live_', 'pk_test_', 'rk_', 'acme_sk_live_', 'acme_rk_', ''];

/** One near-miss edit of a real key: what a typo, a truncating copy-paste or a guesser produces. */
const keyEdit: fc.Arbitrary<Edit> = fc.oneof(
  fc.record({ kind: fc.constantFrom('flip' as const, 'delete' as const, 'duplicate' as const, 'swapCase' as const, 'truncate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), text: fc.oneof(fc.constantFrom(...BASE62), fc.string({ unit: 'binary', minLength: 1, maxLength: 2 })) }),
  fc.record({ kind: fc.constant('whitespaceInside' as const), at: fc.nat(), text: fc.constantFrom(' ', '\t', '  ', '\u00a0', '\u200b', '\u3000') }),
  fc.record({ kind: fc.constantFrom('prefix' as const), prefix: fc.constantFrom(...PREFIXES) }),
  fc.record({ kind: fc.constantFrom('prefixWithNewChecksum' as const), prefix: fc.constantFrom(...PREFIXES) }),
  fc.record({ kind: fc.constant('extend' as const), text: fc.oneof(base62String(8), fc.string({ maxLength: 4 })) }),
);

function applyEdit(value: string, edit: Edit): string {
  if (edit.kind === 'prefix') return edit.prefix + value.replace(KEY_PREFIX, '');
  if (edit.kind === 'prefixWithNewChecksum') return withChecksum(edit.prefix + value.replace(KEY_PREFIX, '').slice(0, -6));
  if (edit.kind === 'extend') return value + edit.text;
  if (value.length === 0) return value;
  const i = edit.at % value.length;
  const ch = value[i];
  switch (edit.kind) {
    case 'flip': {
      const at = BASE62.indexOf(ch);
      return value.slice(0, i) + (at < 0 ? 'A' : BASE62[(at + 1) % BASE62.length]) + value.slice(i + 1);
    }
    case 'delete':
      return value.slice(0, i) + value.slice(i + 1);
    case 'duplicate':
      return value.slice(0, i) + ch + value.slice(i);
    case 'swapCase': {
      const swapped = ch === ch.toUpperCase() ? ch.toLowerCase() : ch.toUpperCase();
      return value.slice(0, i) + (swapped === ch ? '_' : swapped) + value.slice(i + 1);
    }
    case 'truncate':
      return value.slice(0, i);
    case 'insert':
      return value.slice(0, i) + edit.text + value.slice(i);
    case 'whitespaceInside': {
      const j = 1 + (edit.at % Math.max(1, value.length - 1));
      return value.slice(0, j) + edit.text + value.slice(j);
    }
  }
}

const edits = (maxLength = 3) => fc.array(keyEdit, { minLength: 1, maxLength });

// ---------------------------------------------------------------------------------------
// Oracles
// ---------------------------------------------------------------------------------------

/** Every string anywhere in a parsed JSON value. */
function stringsIn(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([k, v]) => [k, ...stringsIn(v)]);
}

/** The presented value, and what Node makes of its UTF-8 bytes (header values are read as Latin-1). */
function echoForms(presented: string): string[] {
  const trimmed = presented.trim();
  return [...new Set([trimmed, Buffer.from(trimmed, 'utf8').toString('latin1').trim()])].filter((s) => s.length >= 8);
}

function expectNoEcho(body: unknown, presented: string) {
  for (const form of echoForms(presented)) {
    for (const s of stringsIn(body)) expect(s.includes(form), `the answer echoes what was presented: ${JSON.stringify(s).slice(0, 120)}`).toBe(false);
  }
}

const REST_CODE_OF_STATUS: Record<number, string> = {
  400: 'invalid_request',
  401: 'authentication_failed',
  403: 'permission_denied',
  404: 'not_found',
  405: 'invalid_request',
  409: 'conflict',
  413: 'invalid_request',
  429: 'rate_limited',
};

/** The one REST error shape: {"error":{"code","message",…}} with only contract fields, all strings. */
function expectRestError(response: RawResponse, status: number): Record<string, string> {
  expect(response.status, response.text).toBe(status);
  expect(response.headers['content-type']).toMatch(/^application\/json/);
  const body = JSON.parse(response.text) as { error: Record<string, string> };
  expect(Object.keys(body)).toEqual(['error']);
  expect(body.error).toMatchObject({ code: REST_CODE_OF_STATUS[status], message: expect.any(String) });
  for (const [field, value] of Object.entries(body.error)) {
    expect(['code', 'message', 'details', 'reason', 'field'], `unexpected error field ${field}`).toContain(field);
    expect(typeof value, field).toBe('string');
  }
  return body.error;
}

/** Error codes the contract (DESIGN.md "Errors") and Apollo's request pipeline may answer with. */
const GRAPHQL_CODES = new Set([
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'BAD_USER_INPUT',
  'NOT_FOUND',
  'CONFLICT',
  'RATE_LIMITED',
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_REQUEST',
  'OPERATION_RESOLUTION_FAILURE',
]);
const AUTH_FAILURE_REASONS = ['KEY_MISSING', 'KEY_MALFORMED', 'KEY_INVALID'];

/** Database internals that must never reach a client. */
const LEAK = /SQLITE_|DriverException|select .* from|insert into|violates .* constraint|unrecognized token|invalid byte sequence|\bat .*\.(?:js|ts):\d+/i;

// ---------------------------------------------------------------------------------------
// Credentials
// ---------------------------------------------------------------------------------------

const VIEWER_BODY = JSON.stringify({ query: '{ viewer { type } }' });

interface CredentialTarget {
  name: string;
  graphql: boolean;
  request(credential: string): RawRequest;
}

const bearer = (c: string): [string, string] => ['Authorization', `Bearer ${c}`];
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

// ---------------------------------------------------------------------------------------
// Session tokens
// ---------------------------------------------------------------------------------------

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

const anyToken = fc.oneof(
  fc.string({ minLength: 1 }),
  fc.string({ unit: 'binary', minLength: 1, maxLength: 300 }),
  fc.string({ unit: 'binary-ascii', minLength: 1, maxLength: 300 }),
  nasty,
  longString,
  jwtShaped,
  keyShaped.filter((s) => s.length > 0),
  // A real header (real kid) over a forged payload and signature.
  fc.tuple(fc.jsonValue({ maxDepth: 2 }), fc.string({ unit: fc.constantFrom(...BASE64URL), maxLength: 90 })).map(([payload, sig]) => `${realToken.split('.')[0]}.${b64url(payload)}.${sig}`),
  // alg "none": a header and payload of the real token with the signature stripped.
  fc.constant(null).map(() => `${b64url({ alg: 'none', typ: 'session+jwt' })}.${realToken.split('.')[1]}.`),
);

describe('POST /oauth/introspect and introspectToken answer exactly {"active":false} for anything that is not a real token', () => {
  it('for arbitrary strings, forged JWTs and alg none, as a form body, a JSON body and through GraphQL', async () => {
    await fc.assert(
      fc.asyncProperty(anyToken, fc.constantFrom<Introspection>('form', 'json', 'graphql'), async (token, via) => {
        fc.pre(token !== realToken);
        const result = await introspect(token, via);
        // GraphQL refuses unstorable strings (NUL, lone surrogates) at the edge (README, Security), tokens included.
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

// ---------------------------------------------------------------------------------------
// REST bodies
// ---------------------------------------------------------------------------------------

/** JSON values a careless or hostile client sends in place of the right one. */
const hostileJson: fc.Arbitrary<unknown> = fc.oneof(
  fc.constant(null),
  fc.constantFrom(2 ** 31, -(2 ** 31) - 1, 2 ** 53, -(2 ** 53), Number.MAX_VALUE, -Number.MAX_VALUE, 1e-300, 0.5, -1, 0),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.boolean(),
  fc.string(),
  fc.string({ unit: 'binary', maxLength: 80 }),
  nasty,
  nasty.map((s) => `key_${s}`),
  longString,
  fc.jsonValue({ maxDepth: 3, stringUnit: 'binary' }),
  fc.array(fc.string(), { maxLength: 5 }),
  fc.integer({ min: 10, max: 60 }).map((depth) => nest(depth)),
);

function nest(depth: number): unknown {
  let value: unknown = 'bottom';
  for (let i = 0; i < depth; i++) value = i % 2 ? [value] : { a: value };
  return value;
}

/** Mostly the right kind of value, sometimes a hostile one. */
const usually = <T>(good: fc.Arbitrary<T>): fc.Arbitrary<unknown> => fc.oneof({ weight: 4, arbitrary: good }, { weight: 1, arbitrary: hostileJson });

/** Free text of the right type: mostly plain, sometimes made of the characters that trip drivers up. */
const text = (maxLength: number, minLength = 0) => fc.oneof({ weight: 3, arbitrary: fc.string({ minLength, maxLength }) }, { weight: 1, arbitrary: nasty });

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

// ---------------------------------------------------------------------------------------
// GraphQL documents and variables
// ---------------------------------------------------------------------------------------

/** Replaced, just before sending, by a fresh ACTIVE key (so revocation and rotation reach their writes). */
const FRESH_KEY = '__FRESH_KEY__';

/** An id: mostly the placeholder of the kind the field takes (a real object), else another kind's, an unknown one, or junk. */
const PLACEHOLDERS = ['__APP__', '__OTHER_APP__', '__WRITER__', '__PUBLISHABLE__', '__ROTATION__', FRESH_KEY] as const;
const idLike = (usual: (typeof PLACEHOLDERS)[number]) =>
  fc.oneof(
    { weight: 6, arbitrary: fc.constant(usual) },
    { weight: 2, arbitrary: fc.constantFrom(...PLACEHOLDERS) },
    { weight: 1, arbitrary: base62String(26).map((s) => `key_${s}`) },
    { weight: 1, arbitrary: base62String(26).map((s) => `app_${s}`) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
    { weight: 2, arbitrary: nasty },
  );
const int32 = fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 });
/** Seconds: mostly a valid token lifetime, sometimes any 32-bit integer. */
const lifetime = fc.oneof({ weight: 3, arbitrary: fc.integer({ min: 60, max: 86_400 }) }, { weight: 1, arbitrary: int32 });
const futureDate = fc.integer({ min: 60_000, max: 10 * 365 * 86_400_000 }).map((ms) => new Date(Date.now() + ms).toISOString());
const anyDate = fc.oneof(
  { weight: 3, arbitrary: futureDate },
  { weight: 1, arbitrary: fc.date({ min: new Date('1970-01-01T00:00:00Z'), max: new Date('2100-01-01T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString()) },
  { weight: 1, arbitrary: fc.constantFrom('2026-13-45T99:99:99Z', 'yesterday', '0000-00-00', '+275760-09-13T00:00:00.000Z', '1e12', '2026-01-01T00:00:00\u0000Z') },
);
const origin = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom('https://app.example.com', 'https://*.example.com', 'http://localhost:3000', 'HTTPS://Shop.Example.COM:8443') },
  { weight: 1, arbitrary: fc.oneof(fc.constantFrom('*', 'null', 'https://ex ample.com', 'https://*.com', 'javascript:alert(1)'), fc.webUrl(), nasty) },
);
const origins = fc.array(origin, { maxLength: 4 });
const mode = fc.constantFrom('LIVE', 'TEST');
/** A page cursor: mostly none, else garbage, or the base64url of an id that is not one returned. */
const cursor = fc.oneof({ weight: 3, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: text(40) }, { weight: 1, arbitrary: nasty.map((s) => Buffer.from(`key_${s}`).toString('base64url')) });
const keySpec = fc.oneof(
  fc.record({ kind: fc.constant('PUBLISHABLE'), role: fc.constant(undefined) }),
  fc.record({ kind: fc.constant('SECRET'), role: fc.constantFrom('READ_ONLY', 'READ_WRITE', 'ADMIN') }),
  fc.record({ kind: fc.constantFrom('PUBLISHABLE', 'SECRET', 'secret', ''), role: fc.constantFrom('READ_ONLY', 'OWNER', undefined) }),
);

interface FuzzOperation {
  name: string;
  document: string;
  variables: fc.Arbitrary<Record<string, unknown>>;
}

const record = (fields: Record<string, fc.Arbitrary<unknown>>, requiredKeys: string[] = []) => fc.record(fields, { requiredKeys });

const OPERATIONS: FuzzOperation[] = [
  { name: 'viewer', document: 'query Viewer { viewer { type keyId kind mode role permissions expiresAt app { id name } } }', variables: fc.constant({}) },
  {
    name: 'apps',
    document: 'query Apps($first: Int, $after: String) { apps(first: $first, after: $after) { totalCount nodes { id name } pageInfo { hasNextPage endCursor } } }',
    variables: record({ first: usually(fc.integer({ min: 1, max: 100 })), after: usually(cursor) }),
  },
  {
    name: 'app',
    document: 'query App($id: ID!, $mode: KeyMode) { app(id: $id) { id name apiKeys(first: 5, mode: $mode) { totalCount nodes { id status } } } }',
    variables: record({ id: usually(idLike('__APP__')), mode: usually(mode) }, ['id']),
  },
  {
    name: 'createApp',
    document: 'mutation CreateApp($input: CreateAppInput!) { createApp(input: $input) { id name allowedOrigins defaultTokenLifetime maxTokenLifetime publishableCanPublish } }',
    variables: record({
      input: usually(
        record(
          { name: usually(text(250, 1)), allowedOrigins: usually(origins), defaultTokenLifetime: usually(lifetime), maxTokenLifetime: usually(lifetime), publishableCanPublish: usually(fc.boolean()) },
          ['name'],
        ),
      ),
    }, ['input']),
  },
  {
    name: 'updateApp',
    document: 'mutation UpdateApp($id: ID!, $input: UpdateAppInput!) { updateApp(id: $id, input: $input) { id name allowedOrigins defaultTokenLifetime maxTokenLifetime } }',
    variables: record({
      id: usually(idLike('__APP__')),
      input: usually(record({ name: usually(text(250)), allowedOrigins: usually(origins), defaultTokenLifetime: usually(lifetime), maxTokenLifetime: usually(lifetime) })),
    }, ['id', 'input']),
  },
  {
    name: 'createApiKey',
    document: 'mutation CreateApiKey($input: CreateApiKeyInput!) { createApiKey(input: $input) { secret apiKey { id kind mode role status expiresAt allowedOrigins } } }',
    variables: fc
      .tuple(
        keySpec,
        record({ appId: usually(idLike('__APP__')), name: usually(text(250, 1)), mode: usually(mode), expiresAt: usually(anyDate), allowedOrigins: usually(origins) }, ['appId', 'name', 'mode']),
        fc.oneof({ weight: 5, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
      )
      .map(([spec, rest, hostileSpec]) => ({ input: { ...rest, kind: spec.kind, ...(spec.role === undefined ? {} : { role: spec.role }), ...(hostileSpec ? { kind: 7 } : {}) } })),
  },
  {
    name: 'updateApiKey',
    document: 'mutation UpdateApiKey($id: ID!, $input: UpdateApiKeyInput!) { updateApiKey(id: $id, input: $input) { id name allowedOrigins } }',
    variables: record({ id: usually(idLike('__PUBLISHABLE__')), input: usually(record({ name: usually(text(250)), allowedOrigins: usually(origins) })) }, ['id', 'input']),
  },
  {
    name: 'revokeApiKey',
    document: 'mutation RevokeApiKey($id: ID!, $reason: String) { revokeApiKey(id: $id, reason: $reason) { id status revokedReason } }',
    variables: record({ id: usually(idLike(FRESH_KEY)), reason: usually(fc.oneof(text(600), fc.string({ unit: 'binary', maxLength: 100 }))) }, ['id']),
  },
  {
    name: 'rotateApiKey',
    document: 'mutation RotateApiKey($id: ID!, $grace: Int) { rotateApiKey(id: $id, gracePeriodSeconds: $grace) { secret rotation { id status graceEndsAt } } }',
    variables: record({ id: usually(idLike(FRESH_KEY)), grace: usually(fc.oneof(fc.integer({ min: 0, max: 2_592_000 }), int32, fc.constantFrom(0, 86_400, 2_592_000, 2_592_001))) }, ['id']),
  },
  {
    name: 'completeRotation',
    document: 'mutation CompleteRotation($id: ID!) { completeRotation(id: $id) { id status completedAt } }',
    variables: record({ id: usually(idLike('__ROTATION__')) }, ['id']),
  },
  {
    name: 'sessionAccess',
    document: 'mutation SessionAccess($input: SessionAccessInput!) { sessionAccess(input: $input) { token tokenId expiresAt refreshAt } }',
    variables: record({
      input: usually(
        record(
          {
            appId: usually(idLike('__APP__')),
            mode: usually(fc.constantFrom('LIVE', 'LIVE', 'TEST')),
            userId: usually(fc.oneof(text(300, 1), fc.string({ unit: 'binary', maxLength: 60 }))),
            channelId: usually(text(300)),
            tokenLifetime: usually(lifetime),
            services: usually(record({ media: usually(record({ allowPublishAudio: usually(fc.boolean()), allowPublishVideo: usually(fc.boolean()) })) })),
          },
          ['appId', 'mode', 'userId'],
        ),
      ),
    }, ['input']),
  },
  {
    name: 'auditEvents',
    document:
      'query AuditEvents($appId: ID!, $mode: KeyMode, $first: Int, $after: String, $action: String, $actorId: ID, $targetId: ID, $from: DateTime, $to: DateTime) { auditEvents(appId: $appId, mode: $mode, first: $first, after: $after, action: $action, actorId: $actorId, targetId: $targetId, from: $from, to: $to) { totalCount nodes { id action targetId } pageInfo { endCursor } } }',
    variables: record(
      {
        appId: usually(idLike('__APP__')),
        mode: usually(mode),
        first: usually(fc.integer({ min: 1, max: 100 })),
        after: usually(cursor),
        action: usually(fc.oneof(fc.constantFrom('key.create', 'key.revoke', 'auth.failure'), text(30))),
        actorId: usually(idLike('__WRITER__')),
        targetId: usually(idLike('__WRITER__')),
        from: usually(anyDate),
        to: usually(anyDate),
      },
      ['appId'],
    ),
  },
  {
    name: 'rotations',
    document: 'query Rotations($appId: ID!, $mode: KeyMode, $status: RotationStatus) { rotations(appId: $appId, mode: $mode, status: $status) { id status oldKey { id } newKey { id } } }',
    variables: record({ appId: usually(idLike('__APP__')), mode: usually(mode), status: usually(fc.constantFrom('IN_GRACE', 'COMPLETED')) }, ['appId']),
  },
  {
    name: 'introspectToken',
    document: 'query IntrospectToken($token: String!) { introspectToken(token: $token) { active tokenId appId } }',
    variables: record({ token: usually(anyToken) }, ['token']),
  },
];

/** Pieces of GraphQL (and of things that are not) for the fuzzer to splice in. */
const SPLICES = [
  '{', '}', '(', ')', '[', ']', ':', '$', '!', '@', '...', '"', '\\', '#', ',', '=', '|', '&', ' ', '\n', '\u0000', '\ufeff', 'é', '𝔸',
  'query', 'mutation', 'subscription', 'fragment F on App { id }', '...F', 'on', '__typename', '__schema { types { name fields { name } } }',
  '__type(name: "App") { name }', 'viewer', 'apps', 'app(id: "x")', 'id', 'name', 'apiKeys { nodes { id } }', 'createApp', 'revokeApiKey',
  '@skip(if: true)', '@include(if: false)', '@deprecated', '$input', '$id', 'null', 'true', '123456789012345678901234567890', '1e999', '"\\u0000"',
  '"""block"""', 'a: viewer { type } b: viewer { type }', '{ viewer { app { apiKeys { nodes { app { apiKeys { nodes { id } } } } } } } }',
];

type DocumentEdit =
  | { kind: 'delete'; at: number; length: number }
  | { kind: 'insert'; at: number; text: string }
  | { kind: 'repeat'; at: number; length: number; times: number }
  | { kind: 'swap'; at: number }
  | { kind: 'truncate'; at: number };

const documentEdit: fc.Arbitrary<DocumentEdit> = fc.oneof(
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 12 }) }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), text: fc.oneof(fc.constantFrom(...SPLICES), fc.string({ maxLength: 3 }), fc.string({ unit: 'binary', maxLength: 2 })) }),
  fc.record({ kind: fc.constant('repeat' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 40 }), times: fc.integer({ min: 2, max: 300 }) }),
  fc.record({ kind: fc.constant('swap' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
);

function editDocument(document: string, edit: DocumentEdit): string {
  const i = document.length === 0 ? 0 : edit.at % document.length;
  switch (edit.kind) {
    case 'delete':
      return document.slice(0, i) + document.slice(i + edit.length);
    case 'insert':
      return document.slice(0, i) + edit.text + document.slice(i);
    case 'repeat':
      return document.slice(0, i) + document.slice(i, i + edit.length).repeat(edit.times) + document.slice(i + edit.length);
    case 'swap':
      return document.slice(0, i) + document.slice(i + 1, i + 2) + document.slice(i, i + 1) + document.slice(i + 2);
    case 'truncate':
      return document.slice(0, i);
  }
}

const caller = fc.constantFrom('root' as const, 'admin' as const);

/** One of the real operations as written, with variables usually of the right type and sometimes not. */
const hostileVariables = fc.constantFrom(...OPERATIONS).chain((op) =>
  fc.record({
    query: fc.constant(op.document),
    variables: fc.oneof({ weight: 12, arbitrary: op.variables }, { weight: 1, arbitrary: hostileJson }),
    operationName: fc.oneof({ weight: 8, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.constant(op.document.split(/[ ({]/)[1]) }, { weight: 1, arbitrary: fc.string() }),
    caller,
  }),
);

/** One of the real operations with its document edited one to four times. */
const mutatedDocument = fc.constantFrom(...OPERATIONS).chain((op) =>
  fc.record({
    query: fc.array(documentEdit, { minLength: 1, maxLength: 4 }).map((edits) => edits.reduce(editDocument, op.document)),
    variables: op.variables,
    operationName: fc.constant(undefined),
    caller,
  }),
);

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
      fc.asyncProperty(hostileVariables, expectContractAnswer),
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
    await fc.assert(fc.asyncProperty(mutatedDocument, expectContractAnswer), runs(250));
  }, 180_000);

  it('still answers { viewer { type } } afterwards', async () => {
    const response = await rawHttp(server.baseUrl, { method: 'POST', path: '/graphql', headers: [bearer(server.rootKey), ['Content-Type', 'application/json']], body: VIEWER_BODY });
    expect(response.status).toBe(200);
    expect(JSON.parse(response.text)).toEqual({ data: { viewer: { type: 'ROOT' } } });
  });
});

describe('after all the fuzzing above', () => {
  it('the server logged nothing at error level (every input was an expected refusal, not a failure)', () => {
    const errors = server.logs
      .flatMap((chunk) => chunk.split('\n'))
      .filter(Boolean)
      .map((line) => JSON.parse(line) as { level: string | number; msg?: string })
      .filter((entry) => entry.level === 'error' || entry.level === 'fatal' || (typeof entry.level === 'number' && entry.level >= 50));
    expect(errors.map((e) => JSON.stringify(e).slice(0, 600))).toEqual([]);
  });

  it('no log line holds SQL, a stack trace, a driver error or any key or token presented above (DESIGN.md "Errors")', () => {
    const lines = server.logs.flatMap((chunk) => chunk.split('\n')).filter(Boolean);
    expect(lines.filter((line) => LEAK.test(line)).map((line) => line.slice(0, 400))).toEqual([]);
    for (const secret of [writer.secret, admin.secret, server.rootKey, realToken]) {
      expect(lines.filter((line) => line.includes(secret) || line.includes(secret.slice(-20))).length).toBe(0);
    }
  });

  it('answers /readyz: the database connection survived', async () => {
    const response = await fetch(`${server.baseUrl}/readyz`);
    expect(response.status).toBe(200);
  });
});
