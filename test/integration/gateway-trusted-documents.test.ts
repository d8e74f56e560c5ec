import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditEventsDocument, RegisterTrustedDocumentsDocument, RemoveTrustedDocumentDocument, SetTrustedDocumentsPolicyDocument, TrustedDocumentsDocument } from '../generated/graphql';
import { codeOf } from '../helpers/graphql-client';
import { createApp, createKey } from '../helpers/fixtures';
import { type GraphQLUpstream, startGraphQLUpstream } from '../helpers/graphql-upstream';
import { runCli } from '../helpers/server-process';
import { type TestServer, startTestServer } from '../helpers/test-server';

/**
 * DESIGN.md "Gateway", trusted documents: an app's registry of persisted documents
 * (graphql-codegen's manifest), and App.trustedDocumentsPolicy holding publishable keys
 * (or every credential) to them, proved against a real upstream that records what it got.
 */

const SDL = /* GraphQL */ `
  directive @requiresScopes(scopes: [[String!]!]!) on FIELD_DEFINITION | OBJECT | INTERFACE | SCALAR | ENUM
  type Query {
    hello: String @requiresScopes(scopes: [["public"]])
    count: Int @requiresScopes(scopes: [["public"]])
  }
`;

const HELLO = 'query Hello { hello }';
const COUNT = 'query Count { count }';
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

let server: TestServer;
let upstream: GraphQLUpstream;

beforeAll(async () => {
  upstream = await startGraphQLUpstream(SDL, { hello: 'world', count: 7 });
  const dir = mkdtempSync(join(tmpdir(), 'keygate-documents-'));
  writeFileSync(join(dir, 'schema.graphql'), SDL);
  server = await startTestServer({ env: { KEYGATE_GATEWAY_UPSTREAM: upstream.url, KEYGATE_GATEWAY_SCHEMA: join(dir, 'schema.graphql') } });
});

afterAll(async () => {
  await server?.close();
  await upstream?.close();
});

interface Answer {
  status: number;
  body: { data?: Record<string, unknown> | null; errors?: { message: string; extensions: Record<string, unknown> }[] };
}

async function gateway(key: string, body: Record<string, unknown>): Promise<Answer> {
  const response = await fetch(`${server.baseUrl}/gateway/graphql`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: response.status, body: (await response.json()) as Answer['body'] };
}

async function gatewayGet(key: string, params: Record<string, string>): Promise<Answer> {
  const url = new URL(`${server.baseUrl}/gateway/graphql`);
  for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);
  const response = await fetch(url, { headers: { authorization: `Bearer ${key}` } });
  return { status: response.status, body: (await response.json()) as Answer['body'] };
}

async function mint(key: string): Promise<string> {
  const response = await fetch(`${server.baseUrl}/session_access`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: '{"user_id":"u-1"}' });
  expect(response.status).toBe(200);
  return ((await response.json()) as { token: string }).token;
}

/** An app with HELLO registered, a publishable and a secret key, and the policy set. */
async function appWithPolicy(policy: 'OFF' | 'PUBLISHABLE' | 'ALL') {
  const app = await createApp(server.root, `Documents ${policy}`);
  await server.root.ok(RegisterTrustedDocumentsDocument, { appId: app.id, documents: { [sha256(HELLO)]: HELLO } });
  await server.root.ok(SetTrustedDocumentsPolicyDocument, { id: app.id, policy });
  const publishable = await createKey(server.root, { appId: app.id, mode: 'LIVE', kind: 'PUBLISHABLE' });
  const secret = await createKey(server.root, { appId: app.id, mode: 'LIVE', role: 'READ_WRITE' });
  return { appId: app.id, publishable: publishable.secret, secret: secret.secret };
}

const refused = { status: 403, body: { errors: [{ extensions: { code: 'FORBIDDEN', reason: 'DOCUMENT_NOT_TRUSTED' } }] } };
const hello = { status: 200, body: { data: { hello: 'world' } } };
const count = { status: 200, body: { data: { count: 7 } } };

describe('registering trusted documents', () => {
  it('takes a graphql-codegen manifest, answers how many were new, and lists them newest first with their operation names', async () => {
    const app = await createApp(server.root, 'Registry');
    const first = await server.root.ok(RegisterTrustedDocumentsDocument, { appId: app.id, documents: { [sha256(HELLO)]: HELLO, [sha256(COUNT)]: COUNT } });
    expect(first.registerTrustedDocuments).toBe(2);
    const again = await server.root.ok(RegisterTrustedDocumentsDocument, { appId: app.id, documents: { [sha256(HELLO)]: HELLO } });
    expect(again.registerTrustedDocuments).toBe(0);
    const listed = await server.root.ok(TrustedDocumentsDocument, { appId: app.id });
    expect(listed.app?.trustedDocumentsPolicy).toBe('OFF');
    expect(listed.app?.trustedDocuments.totalCount).toBe(2);
    expect(listed.app?.trustedDocuments.nodes.map((d) => [d.operationName, d.hash]).sort()).toEqual([['Count', sha256(COUNT)], ['Hello', sha256(HELLO)]]);
    const page = await server.root.ok(TrustedDocumentsDocument, { appId: app.id, first: 1 });
    expect(page.app?.trustedDocuments.pageInfo.hasNextPage).toBe(true);
    const audit = await server.root.ok(AuditEventsDocument, { appId: app.id });
    const registered = audit.auditEvents.nodes.filter((e) => e.action === 'trusted_documents.register');
    expect(registered.map((e) => e.details)).toEqual([{ added: 2, alreadyRegistered: 0, operationNames: ['Hello', 'Count'] }]);
    expect(JSON.stringify(audit.auditEvents.nodes)).not.toContain('{ hello }');
  });

  it('refuses the whole manifest when one hash does not match its document: nothing is written', async () => {
    const app = await createApp(server.root, 'Bad manifest');
    const result = await server.root.request(RegisterTrustedDocumentsDocument, { appId: app.id, documents: { [sha256(HELLO)]: HELLO, [sha256('query Other { hello }')]: COUNT } });
    expect(codeOf(result)).toBe('BAD_USER_INPUT');
    expect(result.errors?.[0]?.extensions?.field).toBe('documents');
    expect(result.errors?.[0]?.message).toContain('does not match');
    const listed = await server.root.ok(TrustedDocumentsDocument, { appId: app.id });
    expect(listed.app?.trustedDocuments.totalCount).toBe(0);
    for (const documents of [[HELLO], 'text', {}, { [sha256('nope')]: 'nope' }, { [sha256(HELLO).toUpperCase()]: HELLO }]) {
      expect(codeOf(await server.root.request(RegisterTrustedDocumentsDocument, { appId: app.id, documents }))).toBe('BAD_USER_INPUT');
    }
  });

  it('is for ADMIN keys and root: READ_WRITE keys are refused, READ_ONLY keys may list', async () => {
    const app = await createApp(server.root, 'Who manages');
    const manifest = { [sha256(HELLO)]: HELLO };
    const writer = server.client((await createKey(server.root, { appId: app.id, mode: 'LIVE', role: 'READ_WRITE' })).secret);
    expect(codeOf(await writer.request(RegisterTrustedDocumentsDocument, { appId: app.id, documents: manifest }))).toBe('FORBIDDEN');
    const admin = server.client((await createKey(server.root, { appId: app.id, mode: 'LIVE', role: 'ADMIN' })).secret);
    expect((await admin.ok(RegisterTrustedDocumentsDocument, { appId: app.id, documents: manifest })).registerTrustedDocuments).toBe(1);
    const reader = server.client((await createKey(server.root, { appId: app.id, mode: 'LIVE', role: 'READ_ONLY' })).secret);
    expect((await reader.ok(TrustedDocumentsDocument, { appId: app.id })).app?.trustedDocuments.totalCount).toBe(1);
    const testAdmin = server.client((await createKey(server.root, { appId: app.id, mode: 'TEST', role: 'ADMIN' })).secret);
    const fromSandbox = await testAdmin.request(RegisterTrustedDocumentsDocument, { appId: app.id, documents: { [sha256(COUNT)]: COUNT } });
    expect(fromSandbox.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN', reason: 'MODE_MISMATCH' });
    const other = await createApp(server.root, 'Not mine');
    expect(codeOf(await admin.request(RegisterTrustedDocumentsDocument, { appId: other.id, documents: manifest }))).toBe('NOT_FOUND');
  });

  it('removes one: it is gone from the list, and a second removal is NOT_FOUND', async () => {
    const { appId, secret } = await appWithPolicy('ALL');
    const listed = await server.root.ok(TrustedDocumentsDocument, { appId });
    const id = listed.app!.trustedDocuments.nodes[0].id;
    expect(await gateway(secret, { documentId: sha256(HELLO) })).toMatchObject(hello);
    expect((await server.root.ok(RemoveTrustedDocumentDocument, { appId, id })).removeTrustedDocument).toBe(true);
    expect((await server.root.ok(TrustedDocumentsDocument, { appId })).app?.trustedDocuments.totalCount).toBe(0);
    expect(codeOf(await server.root.request(RemoveTrustedDocumentDocument, { appId, id }))).toBe('NOT_FOUND');
    // The registry cached for the gateway forgot it at the commit.
    expect(await gateway(secret, { documentId: sha256(HELLO) })).toMatchObject(refused);
  });
});

describe('App.trustedDocumentsPolicy at the gateway', () => {
  it('OFF: inline documents run, a registered one runs by documentId, an unregistered documentId is refused', async () => {
    const { publishable } = await appWithPolicy('OFF');
    expect(await gateway(publishable, { query: COUNT })).toMatchObject(count);
    expect(await gateway(publishable, { documentId: sha256(HELLO) })).toMatchObject(hello);
    expect(await gateway(publishable, { documentId: sha256(COUNT) })).toMatchObject(refused);
  });

  it('PUBLISHABLE: publishable keys and their tokens run only registered documents (by documentId or persistedQuery); secret keys and their tokens run anything', async () => {
    const { publishable, secret } = await appWithPolicy('PUBLISHABLE');
    const before = upstream.received.length;
    expect(await gateway(publishable, { query: COUNT })).toMatchObject(refused);
    expect(await gateway(publishable, { query: HELLO })).toMatchObject(refused);
    expect(await gateway(publishable, { documentId: sha256(COUNT) })).toMatchObject(refused);
    const publishableToken = await mint(publishable);
    expect(await gateway(publishableToken, { query: COUNT })).toMatchObject(refused);
    // None of the refused ones reached the upstream.
    expect(upstream.received.length).toBe(before);

    expect(await gateway(publishable, { documentId: sha256(HELLO) })).toMatchObject(hello);
    expect(upstream.received.at(-1)?.query).toContain('hello');
    expect(await gateway(publishable, { documentId: `sha256:${sha256(HELLO)}` })).toMatchObject(hello);
    expect(await gateway(publishable, { extensions: { persistedQuery: { version: 1, sha256Hash: sha256(HELLO) } } })).toMatchObject(hello);
    expect(await gatewayGet(publishable, { documentId: sha256(HELLO) })).toMatchObject(hello);
    expect(await gateway(publishableToken, { documentId: sha256(HELLO) })).toMatchObject(hello);

    expect(await gateway(secret, { query: COUNT })).toMatchObject(count);
    expect(await gateway(await mint(secret), { query: COUNT })).toMatchObject(count);
  });

  it('ALL: every credential runs only registered documents', async () => {
    const { publishable, secret } = await appWithPolicy('ALL');
    const before = upstream.received.length;
    expect(await gateway(secret, { query: COUNT })).toMatchObject(refused);
    expect(await gateway(await mint(secret), { query: COUNT })).toMatchObject(refused);
    expect(await gateway(publishable, { query: COUNT })).toMatchObject(refused);
    expect(upstream.received.length).toBe(before);
    expect(await gateway(secret, { documentId: sha256(HELLO) })).toMatchObject(hello);
    expect(await gateway(publishable, { documentId: sha256(HELLO) })).toMatchObject(hello);
  });

  it('never runs a text under another document\'s name, and a malformed documentId is a bad request', async () => {
    const { secret } = await appWithPolicy('ALL');
    const before = upstream.received.length;
    const mismatch = await gateway(secret, { documentId: sha256(HELLO), query: COUNT });
    expect(mismatch).toMatchObject({ status: 400, body: { errors: [{ extensions: { code: 'BAD_REQUEST' } }] } });
    expect(await gateway(secret, { documentId: 'not-a-hash' })).toMatchObject({ status: 400 });
    expect(upstream.received.length).toBe(before);
    // The same text as the named document is fine (clients that send both).
    expect(await gateway(secret, { documentId: sha256(HELLO), query: HELLO })).toMatchObject(hello);
  });

  it('a policy change reaches the gateway at once', async () => {
    const { appId, publishable } = await appWithPolicy('OFF');
    expect(await gateway(publishable, { query: COUNT })).toMatchObject(count);
    await server.root.ok(SetTrustedDocumentsPolicyDocument, { id: appId, policy: 'PUBLISHABLE' });
    expect(await gateway(publishable, { query: COUNT })).toMatchObject(refused);
  });
});

describe('keygate documents push', () => {
  const keygate = (args: string[]) => runCli(server, args);

  it('registers a manifest file against a running server; a bad hash exits 1 with BAD_USER_INPUT', async () => {
    const app = await createApp(server.root, 'CLI documents');
    const dir = mkdtempSync(join(tmpdir(), 'keygate-manifest-'));
    writeFileSync(join(dir, 'good.json'), JSON.stringify({ [sha256(HELLO)]: HELLO, [sha256(COUNT)]: COUNT }));
    writeFileSync(join(dir, 'bad.json'), JSON.stringify({ [sha256(HELLO)]: COUNT }));
    writeFileSync(join(dir, 'broken.json'), '{');
    const pushed = await keygate(['documents', 'push', '--app', app.id, join(dir, 'good.json')]);
    expect(pushed.code, pushed.stderr).toBe(0);
    expect(pushed.stdout).toBe('2 new documents registered\n');
    const again = await keygate(['documents', 'push', '--app', app.id, join(dir, 'good.json'), '--json']);
    expect(JSON.parse(again.stdout)).toEqual({ added: 0 });
    const bad = await keygate(['documents', 'push', '--app', app.id, join(dir, 'bad.json')]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('BAD_USER_INPUT');
    expect((await keygate(['documents', 'push', '--app', app.id, join(dir, 'broken.json')])).code).toBe(2);
    expect((await server.root.ok(TrustedDocumentsDocument, { appId: app.id })).app?.trustedDocuments.totalCount).toBe(2);
  });
});
