import { expect } from 'vitest';
import { generateKey } from '../../src/modules/auth/key-format';
import { waitFor } from './process-harness';
import { CREATE_KEY, EVIL, type Exchange, ORIGIN, VIEWER, type Seen, type Session, flipOne } from './hygiene-session';

/** Everything a deployment sees, through one server. */
export async function runScenario(s: Session): Promise<Seen> {
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
