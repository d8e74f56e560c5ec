import { createPrivateKey } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKey } from '../../src/modules/auth/key-format';
import { KeyHasher } from '../../src/modules/auth/key-hash';
import { open as openSealed } from '../../src/modules/sessions/key-encryption';
import { deriveKey } from '../../src/shared/master-key';
import {
  type ProcessDatabase,
  type SqlReader,
  type TrackedProcess,
  ensureStopped,
  openSql,
  prepareProcessDatabase,
  startTracked,
  tableNames,
  waitFor,
} from '../helpers/process-harness';
import { type TestServer, startTestServer } from '../helpers/test-server';

/**
 * Log and storage hygiene over a full scenario (DESIGN.md "Key format", "Errors": "no
 * stack traces, SQL or key material ever reach a client or a log line"). One server
 * lives through everything a deployment sees — apps, secret and publishable keys of both
 * modes, every REST path and GraphQL, failures of every kind (revoked, expired, wrong
 * origin, secret key in a browser, malformed, unknown, role too low, tampered tokens,
 * secrets pasted where they do not belong), session tokens, introspection, key and
 * signing-key rotation, revocation and app deletion. Every secret value seen on the way
 * (key values, `secret` fields, tokens) and read from the database (key HMACs, sealed
 * signing keys and what they seal, the master key and its derived keys) is then looked
 * for, whole and in fragments:
 *  - in every log line (each line is a JSON object; lines about a request carry its id),
 *  - in every error returned (GraphQL `errors`, REST `error`) and every response header,
 *  - in every audit_events row, and in every cell of every table except its own column.
 * Request ids shaped like credentials are neither echoed nor logged nor stored.
 * It runs against the in-process server (logs captured at debug) and against the real
 * process at LOG_LEVEL=trace with stdout and stderr captured.
 * (secrets.security.test.ts checks key values and hashes in rows and logs; this suite
 * adds tokens, signing keys, the master key, error bodies, headers and request ids.)
 */

const CREATE_KEY = `mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { secret apiKey { id kind mode start publishableKey } } }`;
const VIEWER = `{ viewer { type keyId mode role } }`;
const ORIGIN = 'https://shop.example';
const EVIL = 'https://evil.example';

interface Target {
  url: string;
  baseUrl: string;
  rootKey: string;
  masterKey: string;
  dialect: 'sqlite' | 'postgresql';
  logLines(): string[];
  sql: SqlReader;
  /** A writable connection of the test's own, to make the database fail on purpose. */
  admin: SqlReader;
  close(): Promise<void>;
}

interface Exchange {
  label: string;
  method: string;
  path: string;
  sentRequestId?: string;
  status: number;
  headers: Record<string, string>;
  text: string;
  json: any;
}

/** A secret and where it may legitimately be stored. */
interface Secret {
  label: string;
  fragments: string[];
  /** True where the value belongs (its own column of its own row). */
  storedIn?: (table: string, column: string, row: Record<string, unknown>) => boolean;
  /** Key values and tokens are handed to their owner in success bodies; the rest never leave the server. */
  inResponses: boolean;
}

/** Everything sent and received, so errors and headers can be searched afterwards. */
class Session {
  readonly exchanges: Exchange[] = [];
  constructor(readonly target: Target) {}

  async http(
    label: string,
    method: string,
    path: string,
    options: { key?: string; headers?: Record<string, string>; body?: string; contentType?: string; requestId?: string } = {},
  ): Promise<Exchange> {
    const headers: Record<string, string> = { ...options.headers };
    if (options.key !== undefined) headers.authorization = `Bearer ${options.key}`;
    if (options.body !== undefined) headers['content-type'] = options.contentType ?? 'application/json';
    if (options.requestId !== undefined) headers['x-request-id'] = options.requestId;
    const response = await fetch(`${this.target.baseUrl}${path}`, { method, headers, body: options.body, redirect: 'manual', signal: AbortSignal.timeout(15_000) });
    const text = await response.text();
    let json: unknown = null;
    try {
      json = text ? JSON.parse(text) : null;
    } catch {
      json = null;
    }
    const exchange: Exchange = { label, method, path, sentRequestId: options.requestId, status: response.status, headers: Object.fromEntries(response.headers), text, json };
    this.exchanges.push(exchange);
    return exchange;
  }

  gql(label: string, key: string | undefined, query: string, variables?: Record<string, unknown>, headers: Record<string, string> = {}, requestId?: string) {
    return this.http(label, 'POST', '/graphql', { key, headers, body: JSON.stringify({ query, variables }), requestId });
  }

  async gqlOk(label: string, key: string, query: string, variables?: Record<string, unknown>, headers: Record<string, string> = {}): Promise<any> {
    const exchange = await this.gql(label, key, query, variables, headers);
    if (exchange.status !== 200 || exchange.json?.errors || !exchange.json?.data) throw new Error(`${label}: ${exchange.status} ${exchange.text}`);
    return exchange.json.data;
  }

  async gqlFails(label: string, key: string | undefined, query: string, variables: Record<string, unknown> | undefined, expected: { code?: string; reason?: string }, headers: Record<string, string> = {}) {
    const exchange = await this.gql(label, key, query, variables, headers);
    const error = exchange.json?.errors?.[0];
    expect(error, `${label}: ${exchange.text}`).toBeDefined();
    if (expected.code) expect(error.extensions?.code, `${label}: ${exchange.text}`).toBe(expected.code);
    if (expected.reason) expect(error.extensions?.reason, `${label}: ${exchange.text}`).toBe(expected.reason);
    return exchange;
  }
}

interface Seen {
  keys: { id: string; value: string; kind: string }[];
  tokens: string[];
  /** Credential-shaped strings presented that the server never issued (unknown, tampered, garbage). */
  presented: string[];
  /** Request ids sent that look like credentials, and one that does not. */
  credentialRequestIds: string[];
  benignRequestId: string;
  appIds: string[];
}

function flipOne(value: string, at: number): string {
  return value.slice(0, at) + (value[at] === 'A' ? 'B' : 'A') + value.slice(at + 1);
}

/** Everything a deployment sees, through one server. */
async function runScenario(s: Session): Promise<Seen> {
  const t = s.target;
  const root = t.rootKey;
  const seen: Seen = { keys: [], tokens: [], presented: [], credentialRequestIds: [], benignRequestId: 'hygiene-trace-0001', appIds: [] };
  const createApp = async (name: string, extra: Record<string, unknown> = {}) => {
    const app = (await s.gqlOk(`createApp ${name}`, root, `mutation($input: CreateAppInput!) { createApp(input: $input) { id } }`, { input: { name, ...extra } })).createApp;
    seen.appIds.push(app.id);
    return app.id as string;
  };
  const newKey = async (by: string, input: Record<string, unknown>) => {
    const { createApiKey } = await s.gqlOk(`createApiKey ${input.name}`, by, CREATE_KEY, { input });
    seen.keys.push({ id: createApiKey.apiKey.id, value: createApiKey.secret, kind: createApiKey.apiKey.kind });
    return { id: createApiKey.apiKey.id as string, secret: createApiKey.secret as string };
  };
  const mint = async (label: string, key: string, body: Record<string, unknown>, headers: Record<string, string> = {}) => {
    const exchange = await s.http(label, 'POST', '/session_access', { key, headers, body: JSON.stringify(body) });
    expect(exchange.status, `${label}: ${exchange.text}`).toBe(200);
    seen.tokens.push(exchange.json.token);
    return exchange.json.token as string;
  };
  const expectStatus = async (promise: Promise<Exchange>, status: number) => {
    const exchange = await promise;
    expect(exchange.status, `${exchange.label}: ${exchange.text}`).toBe(status);
    return exchange;
  };

  // Apps and keys (some created by app keys, not only by root).
  const appId = await createApp('Hygiene app', { allowedOrigins: [ORIGIN] });
  const doomedId = await createApp('Doomed app');
  const admin = await newKey(root, { appId, name: 'admin', kind: 'SECRET', mode: 'TEST', role: 'ADMIN' });
  const writer = await newKey(admin.secret, { appId, name: 'writer', kind: 'SECRET', mode: 'TEST', role: 'READ_WRITE' });
  const reader = await newKey(root, { appId, name: 'reader', kind: 'SECRET', mode: 'LIVE', role: 'READ_ONLY' });
  const liveAdmin = await newKey(root, { appId, name: 'live admin', kind: 'SECRET', mode: 'LIVE', role: 'ADMIN' });
  const web = await newKey(root, { appId, name: 'web', kind: 'PUBLISHABLE', mode: 'TEST', allowedOrigins: [ORIGIN] });
  const native = await newKey(writer.secret, { appId, name: 'native', kind: 'PUBLISHABLE', mode: 'TEST', allowedOrigins: [] });
  const toRevoke = await newKey(admin.secret, { appId, name: 'to revoke', kind: 'SECRET', mode: 'TEST', role: 'READ_ONLY' });
  const toRotate = await newKey(admin.secret, { appId, name: 'to rotate', kind: 'SECRET', mode: 'TEST', role: 'READ_WRITE' });
  const expiresAt = new Date(Date.now() + 2_000).toISOString();
  const shortLived = await newKey(root, { appId, name: 'short lived', kind: 'SECRET', mode: 'TEST', role: 'READ_ONLY', expiresAt });
  const doomedKey = await newKey(root, { appId: doomedId, name: 'doomed admin', kind: 'SECRET', mode: 'LIVE', role: 'ADMIN' });

  // GraphQL use.
  // Not the short-lived key: its 2 s may be over by now on a busy machine (it is used expired below).
  for (const key of [admin, writer, reader, liveAdmin, toRevoke, toRotate, doomedKey]) await s.gqlOk('viewer', key.secret, VIEWER);
  await s.gqlOk('viewer (publishable, allowed origin)', web.secret, VIEWER, undefined, { origin: ORIGIN });
  await s.gqlOk('viewer (native publishable)', native.secret, VIEWER);
  await s.gqlOk('viewer (root)', root, VIEWER);
  await s.gqlOk('app keys', reader.secret, `query($id: ID!) { app(id: $id) { apiKeys { nodes { id start publishableKey lastUsedAt } } usage { verifications } } }`, { id: appId });
  await s.gqlOk('audit events', admin.secret, `query($id: ID!) { auditEvents(appId: $id) { nodes { action requestId details } } }`, { id: appId });
  await s.gqlOk('update key', admin.secret, `mutation($id: ID!) { updateApiKey(id: $id, input: { name: "to revoke (renamed)" }) { id } }`, { id: toRevoke.id });
  await s.gqlOk('update app', liveAdmin.secret, `mutation($id: ID!) { updateApp(id: $id, input: { defaultTokenLifetime: 900 }) { id } }`, { id: appId });

  // Every REST path.
  for (const key of [admin, writer, reader, liveAdmin, native]) await expectStatus(s.http('verify', 'GET', '/auth/verify', { key: key.secret }), 200);
  await expectStatus(s.http('verify (publishable)', 'GET', '/auth/verify', { key: web.secret, headers: { origin: ORIGIN } }), 200);
  await expectStatus(s.http('verify (root)', 'GET', '/auth/verify', { key: root }), 200);
  await expectStatus(s.http('forward', 'GET', '/auth/forward', { key: admin.secret }), 200);
  await expectStatus(s.http('forward x-api-key', 'GET', '/auth/forward', { headers: { 'x-api-key': web.secret, origin: ORIGIN } }), 200);
  await expectStatus(s.http('forward POST', 'POST', '/auth/forward', { key: writer.secret }), 200);
  const restToken = await mint('session_access', writer.secret, { user_id: 'user-1', channel_id: 'room-1', token_lifetime: 600, services: { media: { allow_publish_audio: true } } });
  await mint('session_access (native)', native.secret, { user_id: 'user-2' });
  await mint('session_access (web)', web.secret, { user_id: 'user-3' }, { origin: ORIGIN });
  const gqlToken = (
    await s.gqlOk('sessionAccess', admin.secret, `mutation { sessionAccess(input: { userId: "user-4", channelId: "room-2", tokenLifetime: 300 }) { token tokenId } }`)
  ).sessionAccess.token as string;
  seen.tokens.push(gqlToken);
  const liveToken = (
    await s.gqlOk('sessionAccess (root)', root, `mutation($appId: ID!) { sessionAccess(input: { appId: $appId, mode: LIVE, userId: "user-5" }) { token } }`, { appId })
  ).sessionAccess.token as string;
  seen.tokens.push(liveToken);
  const introspected = await s.gqlOk('introspectToken', admin.secret, `query($t: String!) { introspectToken(token: $t) { active userId keyId } }`, { t: restToken });
  expect(introspected.introspectToken.active).toBe(true);
  const formIntrospect = await expectStatus(
    s.http('oauth introspect (form)', 'POST', '/oauth/introspect', { key: admin.secret, body: `token=${encodeURIComponent(gqlToken)}`, contentType: 'application/x-www-form-urlencoded' }),
    200,
  );
  expect(formIntrospect.json.active).toBe(true);
  expect((await expectStatus(s.http('oauth introspect (json)', 'POST', '/oauth/introspect', { key: reader.secret, body: JSON.stringify({ token: liveToken }) }), 200)).json.active).toBe(true);
  await expectStatus(s.http('forward (token)', 'GET', '/auth/forward', { key: restToken }), 200);
  await expectStatus(s.http('jwks', 'GET', '/.well-known/jwks.json'), 200);
  await expectStatus(s.http('healthz', 'GET', '/healthz'), 200);
  await expectStatus(s.http('readyz', 'GET', '/readyz'), 200);
  await expectStatus(s.http('metrics', 'GET', '/metrics'), 200);
  await expectStatus(s.http('preflight', 'OPTIONS', '/graphql', { headers: { origin: ORIGIN, 'access-control-request-method': 'POST' } }), 204);
  await expectStatus(s.http('unknown path', 'GET', '/nope'), 404);
  await expectStatus(s.http('wrong method', 'DELETE', '/auth/verify', { key: admin.secret }), 405);

  // Failures: revoked, expired, wrong origin, secret key in a browser, malformed, unknown, role too low.
  await s.gqlOk('revoke', admin.secret, `mutation($id: ID!) { revokeApiKey(id: $id, reason: "compromised") { id } }`, { id: toRevoke.id });
  await s.gqlFails('viewer (revoked)', toRevoke.secret, VIEWER, undefined, { reason: 'KEY_REVOKED' });
  await expectStatus(s.http('verify (revoked)', 'GET', '/auth/verify', { key: toRevoke.secret }), 401);
  await expectStatus(s.http('forward (revoked)', 'GET', '/auth/forward', { headers: { 'x-api-key': toRevoke.secret } }), 401);
  await expectStatus(s.http('session_access (revoked)', 'POST', '/session_access', { key: toRevoke.secret, body: '{"user_id":"u"}' }), 401);
  await s.gqlFails('viewer (wrong origin)', web.secret, VIEWER, undefined, { reason: 'ORIGIN_NOT_ALLOWED' }, { origin: EVIL });
  await expectStatus(s.http('verify (wrong origin)', 'GET', '/auth/verify', { key: web.secret, headers: { origin: EVIL } }), 403);
  await expectStatus(s.http('forward (wrong origin)', 'GET', '/auth/forward', { headers: { 'x-api-key': web.secret, origin: EVIL } }), 403);
  await expectStatus(s.http('session_access (wrong origin)', 'POST', '/session_access', { key: web.secret, headers: { origin: EVIL }, body: '{"user_id":"u"}' }), 403);
  await s.gqlFails('viewer (secret key in browser)', admin.secret, VIEWER, undefined, { reason: 'SECRET_KEY_IN_BROWSER' }, { origin: EVIL });
  await expectStatus(s.http('verify (secret key in browser)', 'GET', '/auth/verify', { key: liveAdmin.secret, headers: { origin: EVIL } }), 403);
  const flipped = flipOne(admin.secret, 14);
  const unknownKey = generateKey({ type: 'app', kind: 'sk', mode: 'live' }, undefined).value;
  const unknownRoot = generateKey({ type: 'root' }, undefined).value;
  const unknownPublishable = generateKey({ type: 'app', kind: 'pk', mode: 'test' }, undefined).value;
  seen.presented.push(flipped, unknownKey, unknownRoot, unknownPublishable, `${writer.secret}x`);
  await s.gqlFails('viewer (bad checksum)', flipped, VIEWER, undefined, { reason: 'KEY_MALFORMED' });
  await s.gqlFails('viewer (garbage)', 'sk_test_garbage', VIEWER, undefined, { reason: 'KEY_MALFORMED' });
  await s.gqlFails('viewer (trailing junk)', `${writer.secret}x`, VIEWER, undefined, { reason: 'KEY_MALFORMED' });
  await s.gqlFails('viewer (unknown key)', unknownKey, VIEWER, undefined, { reason: 'KEY_INVALID' });
  await s.gqlFails('viewer (unknown root key)', unknownRoot, VIEWER, undefined, { reason: 'KEY_INVALID' });
  await s.gqlFails('viewer (Basic scheme)', undefined, VIEWER, undefined, { reason: 'KEY_MALFORMED' }, { authorization: `Basic ${liveAdmin.secret}` });
  await expectStatus(s.http('verify (bad checksum)', 'GET', '/auth/verify', { key: flipped }), 401);
  await expectStatus(s.http('verify (unknown)', 'GET', '/auth/verify', { key: unknownKey }), 401);
  await expectStatus(s.http('forward (unknown publishable)', 'GET', '/auth/forward', { headers: { 'x-api-key': unknownPublishable } }), 401);
  await expectStatus(s.http('forward (Token scheme)', 'GET', '/auth/forward', { headers: { authorization: `Token ${root}` } }), 401);
  await expectStatus(s.http('verify (key in query, no header)', 'GET', `/auth/verify?api_key=${admin.secret}`), 401);
  await s.gqlFails('create key above own role', reader.secret, CREATE_KEY, { input: { appId, name: 'x', kind: 'SECRET', mode: 'LIVE', role: 'ADMIN' } }, { code: 'FORBIDDEN' });
  await s.gqlFails('publishable reads apps', native.secret, `{ apps { totalCount } }`, undefined, { code: 'FORBIDDEN' });
  await expectStatus(s.http('session_access (read only)', 'POST', '/session_access', { key: reader.secret, body: '{"user_id":"u"}' }), 403);
  await expectStatus(s.http('introspect (publishable)', 'POST', '/oauth/introspect', { key: native.secret, body: JSON.stringify({ token: restToken }) }), 403);

  // Tampered and misplaced tokens.
  const [head, payload, signature] = restToken.split('.');
  const tampered = `${head}.${payload}.${flipOne(signature, 10)}`;
  seen.presented.push(tampered);
  expect((await s.gqlOk('introspectToken (tampered)', admin.secret, `query($t: String!) { introspectToken(token: $t) { active } }`, { t: tampered })).introspectToken.active).toBe(false);
  expect((await expectStatus(s.http('oauth introspect (tampered)', 'POST', '/oauth/introspect', { key: admin.secret, body: JSON.stringify({ token: tampered }) }), 200)).json).toEqual({ active: false });
  await expectStatus(s.http('forward (tampered token)', 'GET', '/auth/forward', { key: tampered }), 401);
  expect((await expectStatus(s.http('oauth introspect (a key as token)', 'POST', '/oauth/introspect', { key: admin.secret, body: JSON.stringify({ token: writer.secret }) }), 200)).json).toEqual({
    active: false,
  });
  await s.gqlFails('viewer (token as key)', gqlToken, VIEWER, undefined, { code: 'UNAUTHENTICATED' });

  // Secrets pasted where they do not belong: errors must not quote them back.
  await s.gqlFails('key as an ID literal', root, `{ apiKey(id: ${admin.secret}) { id } }`, undefined, { code: 'GRAPHQL_VALIDATION_FAILED' });
  await s.gqlFails('key as an Int variable', root, `query($first: Int) { apps(first: $first) { totalCount } }`, { first: liveAdmin.secret }, { code: 'BAD_USER_INPUT' });
  await s.gqlFails('key as an enum variable', root, `query($id: ID!, $mode: KeyMode) { rotations(appId: $id, mode: $mode) { nodes { id } } }`, { id: appId, mode: reader.secret }, { code: 'BAD_USER_INPUT' });
  await s.gqlFails('key as a field name', root, `{ ${writer.secret} }`, undefined, { code: 'GRAPHQL_VALIDATION_FAILED' });
  await s.gqlFails('key as an ID', root, `query($id: ID!) { apiKey(id: $id) { id } }`, { id: admin.secret }, { code: 'NOT_FOUND' });
  await s.gqlFails('token as an ID', root, `mutation($id: ID!) { revokeApiKey(id: $id) { id } }`, { id: gqlToken }, { code: 'NOT_FOUND' });
  await s.gqlFails('key in a broken query', root, `{ apiKey(id: "${admin.secret}" { id } }`, undefined, { code: 'GRAPHQL_PARSE_FAILED' });
  await expectStatus(s.http('session_access (key as mode)', 'POST', '/session_access', { key: writer.secret, body: JSON.stringify({ user_id: 'u', mode: liveAdmin.secret }) }), 400);
  await expectStatus(s.http('session_access (key as field name)', 'POST', '/session_access', { key: writer.secret, body: JSON.stringify({ user_id: 'u', [reader.secret]: 1 }) }), 400);
  await expectStatus(s.http('session_access (key as lifetime)', 'POST', '/session_access', { key: writer.secret, body: JSON.stringify({ user_id: 'u', token_lifetime: admin.secret }) }), 400);
  await expectStatus(s.http('session_access (key in broken JSON)', 'POST', '/session_access', { key: writer.secret, body: `{"user_id": ${admin.secret}}` }), 400);

  // Rotation of keys and of the signing key.
  const rotated = (
    await s.gqlOk('rotate', admin.secret, `mutation($id: ID!) { rotateApiKey(id: $id, gracePeriodSeconds: 600) { secret rotation { id newKey { id } } } }`, { id: toRotate.id })
  ).rotateApiKey;
  seen.keys.push({ id: rotated.rotation.newKey.id, value: rotated.secret, kind: 'SECRET' });
  await s.gqlOk('viewer (old key in grace)', toRotate.secret, VIEWER);
  await s.gqlOk('viewer (new key)', rotated.secret, VIEWER);
  await mint('session_access (new key)', rotated.secret, { user_id: 'user-6' });
  await s.gqlOk('complete rotation', admin.secret, `mutation($id: ID!) { completeRotation(id: $id) { id } }`, { id: rotated.rotation.id });
  await s.gqlFails('viewer (rotated out)', toRotate.secret, VIEWER, undefined, { reason: 'KEY_REVOKED' });
  const rotatedWeb = (
    await s.gqlOk('rotate publishable', root, `mutation($id: ID!) { rotateApiKey(id: $id, gracePeriodSeconds: 0) { secret rotation { newKey { id } } } }`, { id: web.id })
  ).rotateApiKey;
  seen.keys.push({ id: rotatedWeb.rotation.newKey.id, value: rotatedWeb.secret, kind: 'PUBLISHABLE' });
  await expectStatus(s.http('verify (rotated publishable)', 'GET', '/auth/verify', { key: rotatedWeb.secret, headers: { origin: ORIGIN } }), 200);
  await expectStatus(s.http('verify (publishable rotated out)', 'GET', '/auth/verify', { key: web.secret, headers: { origin: ORIGIN } }), 401);
  await s.gqlOk('rotate signing key', root, `mutation { rotateSigningKey { kid algorithm } }`);
  await mint('session_access (after signing key rotation)', admin.secret, { user_id: 'user-7' });
  expect((await expectStatus(s.http('oauth introspect (old signing key)', 'POST', '/oauth/introspect', { key: admin.secret, body: JSON.stringify({ token: gqlToken }) }), 200)).json.active).toBe(true);
  await expectStatus(s.http('jwks (two keys)', 'GET', '/.well-known/jwks.json'), 200);

  // Expiry (the key was made to expire 2 s after its creation).
  expect(
    await waitFor(async () => (await s.http('verify (expired?)', 'GET', '/auth/verify', { key: shortLived.secret })).status === 401, 6_000, 250),
    'the short-lived key never expired',
  ).toBe(true);
  await s.gqlFails('viewer (expired)', shortLived.secret, VIEWER, undefined, { reason: 'KEY_EXPIRED' });
  // A token minted by a key that has since been rotated out (grace 0) is inactive.
  expect((await s.gqlOk('introspectToken (key rotated out)', admin.secret, `query($t: String!) { introspectToken(token: $t) { active } }`, { t: seen.tokens[2] })).introspectToken.active).toBe(
    false,
  );

  // App deletion.
  await s.gqlOk('delete app', root, `mutation($id: ID!) { deleteApp(id: $id) }`, { id: doomedId });
  await s.gqlFails('viewer (app deleted)', doomedKey.secret, VIEWER, undefined, { reason: 'KEY_REVOKED' });

  // The database fails (a table the server needs is gone for a moment): the client gets a
  // masked error, the log gets the failure with the request id — neither gets SQL
  // parameters (key hashes) or key material.
  const unused = await newKey(root, { appId, name: 'unused', kind: 'SECRET', mode: 'TEST', role: 'ADMIN' });
  const unusedToo = await newKey(root, { appId, name: 'unused too', kind: 'SECRET', mode: 'TEST', role: 'READ_WRITE' });
  const unknownDuringOutage = generateKey({ type: 'app', kind: 'sk', mode: 'test' }, undefined).value;
  seen.presented.push(unknownDuringOutage);
  await t.admin.query('alter table api_keys rename to api_keys_away');
  try {
    const failed = [
      await s.gql('viewer (database failing)', unused.secret, VIEWER),
      await s.gql('createApiKey (database failing)', root, CREATE_KEY, { input: { appId, name: 'never stored', kind: 'SECRET', mode: 'TEST', role: 'READ_ONLY' } }),
      await s.http('verify (database failing)', 'GET', '/auth/verify', { key: unusedToo.secret }),
      await s.http('verify unknown key (database failing)', 'GET', '/auth/verify', { key: unknownDuringOutage }),
      await s.http('session_access (database failing)', 'POST', '/session_access', { key: unused.secret, body: '{"user_id":"u"}' }),
      await s.http('oauth introspect (database failing)', 'POST', '/oauth/introspect', { key: root, body: JSON.stringify({ token: restToken }) }),
    ];
    for (const x of failed) {
      if (x.path === '/graphql') {
        expect(x.json?.errors?.map((e: any) => [e.message, e.extensions?.code]), `${x.label}: ${x.text}`).toEqual([['Internal server error', 'INTERNAL_SERVER_ERROR']]);
      } else {
        expect(x.status, `${x.label}: ${x.text}`).toBe(500);
        expect(x.json, x.label).toEqual({ error: { code: 'internal_error', message: 'Internal server error' } });
      }
    }
  } finally {
    await t.admin.query('alter table api_keys_away rename to api_keys');
  }
  await s.gqlOk('viewer (database back)', unused.secret, VIEWER);
  await expectStatus(s.http('verify (database back)', 'GET', '/auth/verify', { key: unusedToo.secret }), 200);

  // Request ids: a plain one is kept; ones shaped like credentials are replaced.
  const update = (requestId: string) =>
    s.gql(`updateApp with request id`, root, `mutation($id: ID!) { updateApp(id: $id, input: { name: "Hygiene app" }) { id } }`, { id: appId }, {}, requestId);
  const benign = await update(seen.benignRequestId);
  expect(benign.headers['x-request-id']).toBe(seen.benignRequestId);
  seen.credentialRequestIds.push(liveAdmin.secret, root, native.secret, gqlToken, unknownKey, `req-${writer.secret}`.slice(0, 64));
  for (const id of seen.credentialRequestIds) {
    const exchange = await update(id);
    expect(exchange.json?.errors, exchange.text).toBeUndefined();
  }
  const verifyWithId = await s.http('verify with credential request id', 'GET', '/auth/verify', { key: reader.secret, requestId: reader.secret });
  expect(verifyWithId.status).toBe(200);
  return seen;
}

/** The whole value, plus windows of its part that is never displayed. */
function windows(text: string, size: number, step: number): string[] {
  const out: string[] = [];
  for (let i = 0; i + size <= text.length; i += step) out.push(text.slice(i, i + size));
  return out;
}

function keyFragments(value: string): string[] {
  const hidden = value.slice(value.lastIndexOf('_') + 1 + 4);
  return [value, ...windows(hidden, 12, 1)];
}

function hexFragments(hex: string): string[] {
  const lower = hex.toLowerCase();
  return [lower, lower.slice(0, 16), lower.slice(24, 40), lower.slice(-16)];
}

async function cellsOf(t: Target): Promise<{ table: string; column: string; row: Record<string, unknown>; text: string }[]> {
  const cells: { table: string; column: string; row: Record<string, unknown>; text: string }[] = [];
  for (const table of await tableNames(t.sql, t.dialect)) {
    for (const row of await t.sql.query(`select * from "${table}"`)) {
      for (const [column, value] of Object.entries(row)) {
        if (value === null || value === undefined) continue;
        const text =
          value instanceof Date
            ? value.toISOString()
            : Buffer.isBuffer(value)
              ? `${value.toString('hex')} ${value.toString('base64')} ${value.toString('utf8')}`
              : typeof value === 'object'
                ? JSON.stringify(value)
                : String(value);
        cells.push({ table, column, row, text });
      }
    }
  }
  return cells;
}

/** The secrets of a finished scenario: what it was handed, and what the database holds. */
async function collectSecrets(t: Target, seen: Seen): Promise<Secret[]> {
  const secrets: Secret[] = [];
  const master = Buffer.from(t.masterKey, 'base64');
  const hmacKey = deriveKey(master, 'api-key-hmac');
  const sealingKey = deriveKey(master, 'signing-key-encryption');
  const hasher = new KeyHasher(hmacKey);
  for (const [label, bytes] of [['master key', master], ['HMAC key', hmacKey], ['signing-key encryption key', sealingKey]] as const) {
    secrets.push({ label, fragments: [bytes.toString('base64'), bytes.toString('base64url'), ...hexFragments(bytes.toString('hex'))], inResponses: false });
  }

  const keyRows = await t.sql.query('select id, hash, publishable_key from api_keys');
  const stored = new Map(keyRows.map((r) => [String(r.id), r]));
  expect(seen.keys.length).toBeGreaterThanOrEqual(12);
  for (const key of seen.keys) {
    const row = stored.get(key.id);
    expect(row?.hash, `stored hash of ${key.id}`).toBe(hasher.hash(key.value));
    const ownRow = (r: Record<string, unknown>) => String(r.id) === key.id;
    if (key.kind === 'PUBLISHABLE') {
      expect(row?.publishable_key).toBe(key.value);
      secrets.push({ label: `publishable key ${key.id}`, fragments: keyFragments(key.value), storedIn: (table, column, r) => table === 'api_keys' && column === 'publishable_key' && ownRow(r), inResponses: true });
    } else {
      secrets.push({ label: `secret key ${key.id}`, fragments: keyFragments(key.value), inResponses: true });
    }
    secrets.push({ label: `hash of ${key.id}`, fragments: hexFragments(String(row!.hash)), storedIn: (table, column, r) => table === 'api_keys' && column === 'hash' && ownRow(r), inResponses: false });
  }
  const rootRows = await t.sql.query('select id, hash from root_keys');
  expect(rootRows.map((r) => r.hash)).toEqual([hasher.hash(t.rootKey)]);
  secrets.push({ label: 'root key', fragments: keyFragments(t.rootKey), inResponses: true });
  secrets.push({
    label: 'hash of the root key',
    fragments: hexFragments(String(rootRows[0].hash)),
    storedIn: (table, column, r) => table === 'root_keys' && column === 'hash' && String(r.id) === String(rootRows[0].id),
    inResponses: false,
  });
  for (const value of seen.presented) {
    secrets.push({ label: `presented credential ${value.slice(0, 12)}…`, fragments: value.startsWith('eyJ') ? [value, ...windows(value.split('.')[2], 16, 8)] : keyFragments(value), inResponses: true });
    secrets.push({ label: `hash of presented credential ${value.slice(0, 12)}…`, fragments: hexFragments(hasher.hash(value)), inResponses: false });
  }
  expect(seen.tokens.length).toBeGreaterThanOrEqual(7);
  for (const token of seen.tokens) {
    secrets.push({ label: `token ${token.slice(-8)}`, fragments: [token, ...windows(token.split('.')[2], 16, 8)], inResponses: true });
  }

  const signingKeys = await t.sql.query('select kid, private_key_encrypted, public_jwk from signing_keys');
  expect(signingKeys.length).toBe(2);
  for (const row of signingKeys) {
    const kid = String(row.kid);
    const sealed = String(row.private_key_encrypted);
    const [, iv, tag, ciphertext] = sealed.split('.');
    secrets.push({
      label: `sealed signing key ${kid}`,
      fragments: [sealed, iv, tag, ...windows(ciphertext, 16, 8)],
      storedIn: (table, column, r) => table === 'signing_keys' && column === 'private_key_encrypted' && String(r.kid) === kid,
      inResponses: false,
    });
    const der = openSealed(sealed, sealingKey, kid);
    const jwk = createPrivateKey({ key: der, format: 'der', type: 'pkcs8' }).export({ format: 'jwk' });
    const pem = createPrivateKey({ key: der, format: 'der', type: 'pkcs8' }).export({ format: 'pem', type: 'pkcs8' }).toString();
    secrets.push({
      label: `private signing key ${kid}`,
      fragments: [String(jwk.d), ...windows(String(jwk.d), 16, 8), der.toString('base64'), der.toString('hex'), pem.split('\n')[1]],
      inResponses: false,
    });
  }
  return secrets;
}

/** Labels of the secrets found in `text` (outside their allowed places). */
function leaksIn(text: string, secrets: Secret[]): string[] {
  const lower = text.toLowerCase();
  return secrets.filter((s) => s.fragments.some((f) => f.length >= 8 && (text.includes(f) || (/^[0-9a-f]+$/.test(f) && lower.includes(f))))).map((s) => s.label);
}

/** Parsed log lines: every line must be one JSON object. */
function parseLog(lines: string[]): { line: string; entry: Record<string, any> | null }[] {
  return lines
    .flatMap((chunk) => chunk.split('\n'))
    .filter((line) => line.trim() !== '')
    .map((line) => {
      try {
        const entry = JSON.parse(line);
        return { line, entry: entry !== null && typeof entry === 'object' && !Array.isArray(entry) ? entry : null };
      } catch {
        return { line, entry: null };
      }
    });
}

const REQUEST_MESSAGES = new Set(['request', 'request failed', 'unexpected error in GraphQL operation', 'could not audit a failed authentication']);

function hygieneSuite(name: string, start: () => Promise<Target>) {
  describe(name, () => {
    let target: Target;
    let session: Session;
    let seen: Seen;
    let secrets: Secret[];

    beforeAll(async () => {
      target = await start();
      session = new Session(target);
      seen = await runScenario(session);
      // An access line is written right after its response: wait until every exchange has
      // one (the first test says which are missing if some never come).
      const accessLogged = () => {
        const ids = new Set(parseLog(target.logLines()).flatMap((l) => (l.entry?.msg === 'request' ? [l.entry.requestId] : [])));
        return session.exchanges.every((x) => ids.has(x.headers['x-request-id']));
      };
      await waitFor(accessLogged, 10_000);
      secrets = await collectSecrets(target, seen);
    }, 60_000);

    afterAll(async () => {
      await target?.close();
    });

    it('every log line is one JSON object, and every line about a request carries its request id', () => {
      const log = parseLog(target.logLines());
      expect(log.length).toBeGreaterThan(session.exchanges.length);
      expect(log.filter((l) => l.entry === null).map((l) => l.line)).toEqual([]);
      const aboutRequests = log.filter((l) => REQUEST_MESSAGES.has(l.entry!.msg) || 'method' in l.entry! || 'path' in l.entry! || 'status' in l.entry!);
      expect(aboutRequests.filter((l) => typeof l.entry!.requestId !== 'string' || l.entry!.requestId.length === 0).map((l) => l.line)).toEqual([]);
      // Every answered request has its access line, under the id the response announced.
      const accessLines = new Map<string, Record<string, any>[]>();
      for (const l of log) if (l.entry!.msg === 'request') accessLines.set(l.entry!.requestId, [...(accessLines.get(l.entry!.requestId) ?? []), l.entry!]);
      const missing = session.exchanges.filter((x) => {
        const lines = accessLines.get(x.headers['x-request-id']) ?? [];
        return lines.length !== 1 || lines[0].status !== x.status || lines[0].path !== x.path.split('?')[0] || lines[0].method !== x.method;
      });
      expect(missing.map((x) => `${x.label}: ${x.headers['x-request-id']}`)).toEqual([]);
      // The failures of the scenario are in the log (so the search below means something).
      for (const status of [200, 204, 400, 401, 403, 404, 405, 500]) expect(log.some((l) => l.entry!.msg === 'request' && l.entry!.status === status), `a ${status} line`).toBe(true);
      // The database failure was logged as an error (masked for the client).
      expect(log.some((l) => l.entry!.level === 'error'), 'an error line').toBe(true);
    });

    it('no log line holds a secret: key values, tokens, hashes, signing keys, the master key', () => {
      const leaks = parseLog(target.logLines())
        .map((l) => ({ line: l.line, found: leaksIn(l.line, secrets) }))
        .filter((l) => l.found.length > 0);
      expect(leaks).toEqual([]);
    });

    it('no log line quotes SQL or a stack trace (DESIGN.md "Errors")', () => {
      const sqlShaped = /\b(select\s.+\sfrom|insert\s+into|update\s.+\sset|delete\s+from)\b/i;
      // A stack inside a JSON line is escaped: a literal backslash-n before "at ".
      const stackShaped = /(\\n|\n)\s+at\s|\bat\s+\S+\s+\(\/|node_modules\//;
      const offending = parseLog(target.logLines())
        .filter((l) => sqlShaped.test(l.line) || stackShaped.test(l.line))
        .map((l) => l.line.slice(0, 400));
      expect(offending).toEqual([]);
    });

    it('no error returned quotes a secret, and no response header carries one', () => {
      expect(session.exchanges.filter((x) => x.json?.errors || x.json?.error).length).toBeGreaterThanOrEqual(40);
      const leaks: string[] = [];
      for (const x of session.exchanges) {
        const errorText = [x.json?.errors ? JSON.stringify(x.json.errors) : '', x.json?.error ? JSON.stringify(x.json.error) : '', x.status >= 400 && !x.json ? x.text : ''].join('\n');
        const quoted = leaksIn(errorText, secrets);
        if (quoted.length) leaks.push(`${x.label} (${x.status}) error quotes ${quoted.join(', ')}: ${errorText.trim().slice(0, 300)}`);
        for (const [header, value] of Object.entries(x.headers)) {
          for (const label of leaksIn(value, secrets)) leaks.push(`${x.label}: response header ${header} carries ${label}`);
        }
      }
      expect(leaks).toEqual([]);
    });

    it('no response at all carries a key hash, a signing key (sealed or not) or the master key', () => {
      const never = secrets.filter((s) => !s.inResponses);
      const leaks = session.exchanges.flatMap((x) => leaksIn(x.text, never).map((label) => `${x.label}: ${label}`));
      expect(leaks).toEqual([]);
    });

    it('no audit event row holds a secret, hash or credential-shaped request id', async () => {
      const rows = await target.sql.query('select * from audit_events');
      const actions = new Set(rows.map((r) => String(r.action)));
      for (const action of ['app.create', 'app.update', 'app.delete', 'key.create', 'key.update', 'key.revoke', 'key.rotate', 'rotation.complete', 'signing_key.rotate', 'auth.failure']) {
        expect(actions, action).toContain(action);
      }
      const leaks = rows.flatMap((row) => leaksIn(JSON.stringify(row), secrets).map((label) => `${row.id} (${row.action}): ${label}`));
      expect(leaks).toEqual([]);
      // The plain request id was kept; the credential-shaped ones were replaced.
      expect(rows.filter((r) => r.request_id === seen.benignRequestId).map((r) => r.action)).toEqual(['app.update']);
      const requestIds = new Set(rows.map((r) => String(r.request_id)));
      for (const id of seen.credentialRequestIds) expect(requestIds.has(id), `${id.slice(0, 12)}… stored as a request id`).toBe(false);
    });

    it('no stored row holds a secret outside its own column', async () => {
      const cells = await cellsOf(target);
      expect(cells.length).toBeGreaterThan(200);
      const leaks: string[] = [];
      for (const cell of cells) {
        const allowed = secrets.filter((s) => !s.storedIn?.(cell.table, cell.column, cell.row));
        for (const label of leaksIn(cell.text, allowed)) leaks.push(`${cell.table}.${cell.column}: ${label}`);
      }
      expect(leaks).toEqual([]);
    });

    it('does not echo a request id shaped like a credential', () => {
      const withIds = session.exchanges.filter((x) => x.sentRequestId !== undefined);
      expect(withIds.length).toBe(seen.credentialRequestIds.length + 2);
      for (const x of withIds) {
        const answered = x.headers['x-request-id'];
        expect(answered, x.label).toBeTruthy();
        if (x.sentRequestId === seen.benignRequestId) expect(answered).toBe(seen.benignRequestId);
        else {
          expect(answered, `${x.sentRequestId!.slice(0, 12)}… echoed`).not.toBe(x.sentRequestId);
          expect(leaksIn(answered, secrets), x.label).toEqual([]);
          expect(x.text.includes(x.sentRequestId!), `${x.sentRequestId!.slice(0, 12)}… in the body`).toBe(false);
        }
      }
    });
  });
}

hygieneSuite('in-process server (logs captured at debug)', async () => {
  const server: TestServer = await startTestServer({ env: { KEYGATE_AUTH_FAILURES_PER_IP: '0' } });
  const sql = await openSql(server.database);
  const admin = await openSql(server.database, { writable: true });
  return {
    url: server.url,
    baseUrl: server.baseUrl,
    rootKey: server.rootKey,
    masterKey: server.keygate.runtime.config.masterKey as string,
    dialect: server.database.config.dialect,
    logLines: () => server.logs,
    sql,
    admin,
    async close() {
      await sql.close();
      await admin.close();
      await server.close();
    },
  };
});

hygieneSuite('server process at LOG_LEVEL=trace (stdout and stderr)', async () => {
  const db: ProcessDatabase = await prepareProcessDatabase({ LOG_LEVEL: 'trace', KEYGATE_AUTH_FAILURES_PER_IP: '0' });
  let server: TrackedProcess | undefined;
  try {
    server = await startTracked(db);
    const sql = await openSql(db);
    const admin = await openSql(db, { writable: true });
    const process = server;
    return {
      url: process.url,
      baseUrl: process.baseUrl,
      rootKey: db.rootKey,
      masterKey: db.masterKey,
      dialect: db.dialect,
      logLines: () => process.output().split('\n'),
      sql,
      admin,
      async close() {
        await sql.close();
        await admin.close();
        await process.stop();
        // What it logged while shutting down counts too.
        expect(parseLog(process.output().split('\n')).filter((l) => l.entry === null)).toEqual([]);
        await db.drop();
      },
    };
  } catch (error) {
    await ensureStopped(server);
    await db.drop();
    throw error;
  }
});
