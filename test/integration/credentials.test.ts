import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SessionAccessDocument } from '../generated/graphql';
import { createApp, createKey } from '../helpers/fixtures';
import { startTestServer, type TestServer } from '../helpers/test-server';
import { documentedFetch } from '../helpers/openapi';

/**
 * Credentials are read one way everywhere (Authorization: Bearer, or X-Api-Key), and a
 * request sent the wrong way is told how to send it right — without echoing what it sent.
 */

let server: TestServer;
let reader: Awaited<ReturnType<typeof createKey>>;
let writer: Awaited<ReturnType<typeof createKey>>;

beforeAll(async () => {
  server = await startTestServer();
  const appId = (await createApp(server.root, 'Credentials app')).id;
  reader = await createKey(server.root, { appId, role: 'READ_ONLY', mode: 'LIVE' });
  writer = await createKey(server.root, { appId, role: 'READ_WRITE', mode: 'LIVE' });
});
afterAll(() => server?.close());

// A Buffer body, so fetch adds no Content-Type of its own (a string gets text/plain).
const graphqlPost = (headers: Record<string, string>, body: string) => fetch(server.url, { method: 'POST', headers, body: Buffer.from(body) });
const VIEWER = JSON.stringify({ query: '{ viewer { type keyId } }' });

describe('X-Api-Key', () => {
  it('is accepted on GET /auth/verify', async () => {
    const response = await documentedFetch(server.baseUrl, `/auth/verify`, { headers: { 'x-api-key': reader.secret } });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ valid: true, key_id: reader.id });
  });

  it('is accepted on /graphql', async () => {
    const response = await graphqlPost({ 'content-type': 'application/json', 'x-api-key': reader.secret }, VIEWER);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ data: { viewer: { type: 'API_KEY', keyId: reader.id } } });
  });

  it('is accepted on POST /session_access and /oauth/introspect', async () => {
    const minted = await documentedFetch(server.baseUrl, `/session_access`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': writer.secret },
      body: JSON.stringify({ user_id: 'u1' }),
    });
    expect(minted.status).toBe(200);
    const { token } = (await minted.json()) as { token: string };
    const introspected = await documentedFetch(server.baseUrl, `/oauth/introspect`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-api-key': writer.secret },
      body: new URLSearchParams({ token }).toString(),
    });
    expect(await introspected.json()).toMatchObject({ active: true, sub: 'u1' });
  });

  it('loses to Authorization when both are sent (one credential per request)', async () => {
    const response = await documentedFetch(server.baseUrl, `/auth/verify`, { headers: { authorization: `Bearer ${writer.secret}`, 'x-api-key': reader.secret } });
    expect(await response.json()).toMatchObject({ key_id: writer.id });
  });
});

describe('a key sent without "Bearer "', () => {
  it('is KEY_MALFORMED on REST with details naming Authorization: Bearer, and the key is not echoed', async () => {
    const response = await documentedFetch(server.baseUrl, `/auth/verify`, { headers: { authorization: reader.secret } });
    expect(response.status).toBe(401);
    const text = await response.text();
    expect(JSON.parse(text)).toEqual({
      error: {
        code: 'authentication_failed',
        message: 'Invalid API key provided',
        reason: 'KEY_MALFORMED',
        details: 'The Authorization header has no "Bearer " before the key: send Authorization: Bearer <key> (or X-Api-Key: <key>)',
      },
    });
    expect(text).not.toContain(reader.secret.slice(8));
  });

  it('is UNAUTHENTICATED / KEY_MALFORMED on GraphQL with the same hint in the message', async () => {
    const response = await graphqlPost({ 'content-type': 'application/json', authorization: reader.secret }, VIEWER);
    expect(response.status).toBe(401);
    const text = await response.text();
    const body = JSON.parse(text) as { errors: { message: string; extensions: Record<string, unknown> }[] };
    expect(body.errors[0].extensions).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'KEY_MALFORMED' });
    expect(body.errors[0].message).toBe('The API key is malformed. The Authorization header has no "Bearer " before the key: send Authorization: Bearer <key> (or X-Api-Key: <key>)');
    expect(text).not.toContain(reader.secret.slice(8));
  });

  it('is named as a wrong scheme for another scheme, such as Basic', async () => {
    const response = await documentedFetch(server.baseUrl, `/auth/verify`, { headers: { authorization: 'Basic dXNlcjpwYXNz' } });
    expect(((await response.json()) as { error: { details: string } }).error.details).toBe('The Authorization header must be "Bearer <key>" (or send X-Api-Key: <key>)');
  });
});

describe('a GraphQL POST Apollo cannot read', () => {
  const WHAT_TO_SEND = 'send a JSON body such as {"query": "{ viewer { type } }", "variables": {}} with Content-Type: application/json';

  it.each([
    ['no content type', {}, VIEWER, 'Content-Type must be application/json (got none)'],
    ['a form content type (curl -d)', { 'content-type': 'application/x-www-form-urlencoded' }, VIEWER, 'Content-Type must be application/json (got another type)'],
    ['invalid JSON', { 'content-type': 'application/json' }, '{"query": "{ viewer { type } }"', 'The request body is not valid JSON'],
    ['an empty body', { 'content-type': 'application/json' }, '', 'The request body is empty'],
  ])('answers 400 BAD_REQUEST saying what to send for %s', async (_label, headers, body, problem) => {
    const response = await graphqlPost({ authorization: `Bearer ${reader.secret}`, ...headers }, body);
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ errors: [{ message: `${problem}: ${WHAT_TO_SEND}`, extensions: { code: 'BAD_REQUEST' } }] });
  });

  it('still serves a JSON POST with a charset', async () => {
    const response = await graphqlPost({ 'content-type': 'application/json; charset=utf-8', authorization: `Bearer ${reader.secret}` }, VIEWER);
    expect(response.status).toBe(200);
  });
});

describe('POST /oauth/introspect without a token', () => {
  const introspect = (headers: Record<string, string>, body: string) =>
    documentedFetch(server.baseUrl, `/oauth/introspect`, { method: 'POST', headers: { authorization: `Bearer ${writer.secret}`, ...headers }, body });

  it.each([
    ['a JSON body sent with curl -d (form content type)', { 'content-type': 'application/x-www-form-urlencoded' }, '{"token":"eyJ.x.y"}'],
    ['an empty form', { 'content-type': 'application/x-www-form-urlencoded' }, ''],
    ['JSON without token', { 'content-type': 'application/json' }, '{"tok":"x"}'],
  ])('answers 400 invalid_request naming the field and the accepted content types: %s', async (_label, headers, body) => {
    const response = await introspect(headers, body);
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      error: {
        code: 'invalid_request',
        message: 'Missing field: token',
        field: 'token',
        details: 'Send token=<token> with Content-Type: application/x-www-form-urlencoded, or {"token":"<token>"} with Content-Type: application/json',
      },
    });
  });

  it('keeps exactly {"active":false} for a token that is present but not active', async () => {
    const response = await introspect({ 'content-type': 'application/json' }, JSON.stringify({ token: 'not-a-token' }));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ active: false });
  });

  it('answers active for the same token sent either way', async () => {
    const { sessionAccess } = await server.client(writer.secret).ok(SessionAccessDocument, { input: { userId: 'u2' } });
    for (const [type, body] of [
      ['application/json', JSON.stringify({ token: sessionAccess.token })],
      ['application/x-www-form-urlencoded', new URLSearchParams({ token: sessionAccess.token }).toString()],
    ]) {
      expect(await (await introspect({ 'content-type': type }, body)).json()).toMatchObject({ active: true, sub: 'u2' });
    }
  });
});
