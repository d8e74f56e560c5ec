import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, createKey } from '../helpers/fixtures';
import type { GraphQLClient, GraphQLResult } from '../helpers/graphql-client';
import { waitFor } from '../helpers/process-harness';
import { startTestServer, type TestServer } from '../helpers/test-server';

/**
 * DESIGN.md, "Who may do what", row by row, for every kind of principal. Each case runs in
 * a fresh app with a fresh key of the principal's kind (test mode) and fresh targets, so
 * revokes and deletes cannot leak into other cases. Allowed: the operation succeeds.
 * Refused: FORBIDDEN / INSUFFICIENT_ROLE at the refused field, HTTP 403 when nothing of
 * the operation ran, and no trace of it (no audit event, no new app).
 * A row names the schema fields it exercises; one the schema does not have fails the row.
 */

type Who = 'publishable' | 'READ_ONLY' | 'READ_WRITE' | 'ADMIN' | 'root';
const EVERYONE: Who[] = ['publishable', 'READ_ONLY', 'READ_WRITE', 'ADMIN', 'root'];
const READERS: Who[] = ['READ_ONLY', 'READ_WRITE', 'ADMIN', 'root'];
const ADMINS: Who[] = ['ADMIN', 'root'];
const label = (who: Who) => (who === 'publishable' ? 'publishable key' : `${who} key`);

/** One case's world: an app, a principal acting on it, the mode its data lives in. */
interface World {
  who: Who;
  as: GraphQLClient;
  appId: string;
  mode: 'TEST' | 'LIVE';
}
type Data = Record<string, any>;

interface Row {
  op: string;
  /** Schema fields the row exercises (Type.field); each must exist in the schema. */
  needs: string[];
  may: Who[];
  /** Made by root before the case starts: the id of the object the operation acts on. */
  target?: (w: World) => Promise<string>;
  run(w: World, id: string): Promise<GraphQLResult<Data>>;
  ok(data: Data, w: World): void;
  /** The mode of the principal's key (default TEST; app settings need a LIVE key). */
  mode?: 'TEST' | 'LIVE';
  /** Where the refusal shows; default: the operation's root field. */
  refusedAt?: (w: World) => string[];
}

let server: TestServer;
let fields: Set<string>;

beforeAll(async () => {
  server = await startTestServer();
  // What the running server serves decides which rows run.
  const r = await server.root.raw<{ __schema: { types: { name: string; fields: { name: string }[] | null }[] } }>(
    '{ __schema { types { name fields { name } } } }',
  );
  fields = new Set(r.data!.__schema.types.flatMap((t) => (t.fields ?? []).map((f) => `${t.name}.${f.name}`)));
});
afterAll(() => server?.close());

async function world(who: Who, mode: 'TEST' | 'LIVE' = 'TEST'): Promise<World> {
  const appId = (await createApp(server.root, `perm ${who}`)).id;
  if (who === 'root') return { who, as: server.root, appId, mode };
  const key = who === 'publishable'
    ? await createKey(server.root, { appId, kind: 'PUBLISHABLE', mode })
    : await createKey(server.root, { appId, kind: 'SECRET', mode, role: who });
  return { who, as: server.client(key.secret), appId, mode };
}

/** A fresh secret key of the world's app and mode, made by root: the target of a key mutation. */
const targetKey = async (w: World) => (await createKey(server.root, { appId: w.appId, mode: w.mode, name: 'target' })).id;

/** A webhook endpoint of the world's app and mode, made by root. */
async function targetEndpoint(w: World): Promise<string> {
  const r = await server.root.raw<Data>('mutation($a: ID!, $m: KeyMode) { createWebhookEndpoint(input: { appId: $a, mode: $m, url: "http://127.0.0.1:9/hook" }) { endpoint { id } } }', { a: w.appId, m: w.mode });
  return r.data!.createWebhookEndpoint.endpoint.id;
}

/** A FAILED delivery: a test event to an endpoint disabled first, which the dispatcher fails at once. */
async function failedDelivery(w: World): Promise<string> {
  const endpoint = await targetEndpoint(w);
  await server.root.raw('mutation($id: ID!) { updateWebhookEndpoint(id: $id, input: { enabled: false }) { id } }', { id: endpoint });
  const sent = await server.root.raw<Data>('mutation($id: ID!) { sendTestWebhook(id: $id) { id } }', { id: endpoint });
  const status = async () => (await server.root.raw<Data>('query($a: ID!) { webhookEndpoints(appId: $a) { nodes { deliveries { nodes { status } } } } }', { a: w.appId })).data!.webhookEndpoints.nodes[0].deliveries.nodes[0].status;
  expect(await waitFor(async () => (await status()) === 'FAILED', 10_000)).toBe(true);
  return sent.data!.sendTestWebhook.id;
}

/** What a refused operation must not leave behind. */
async function footprint(w: World) {
  const r = await server.root.raw<Data>('query($a: ID!) { apps { totalCount } auditEvents(appId: $a, first: 100) { nodes { action } } }', { a: w.appId });
  // A refused attempt is itself audited (auth.failure); what must not appear is any change.
  const changes = (r.data?.auditEvents.nodes as Data[]).filter((e) => e.action !== 'auth.failure');
  return { apps: r.data?.apps.totalCount, events: changes.length };
}

const TRUSTED = 'query Trusted { viewer { keyId } }';
const TRUSTED_HASH = createHash('sha256').update(TRUSTED).digest('hex');

/** A trusted document of the world's app, registered by root. */
async function targetDocument(w: World): Promise<string> {
  await server.root.raw('mutation($a: ID!, $d: JSON!) { registerTrustedDocuments(appId: $a, documents: $d) }', { a: w.appId, d: { [TRUSTED_HASH]: TRUSTED } });
  const r = await server.root.raw<Data>('query($a: ID!) { app(id: $a) { trustedDocuments { nodes { id } } } }', { a: w.appId });
  return r.data!.app.trustedDocuments.nodes[0].id;
}

const ROWS: Row[] = [
  { op: 'query viewer', needs: ['Query.viewer'], may: EVERYONE,
    run: (w) => w.as.raw('{ viewer { type keyId permissions } }'),
    ok: (d, w) => expect(d.viewer.type).toBe(w.who === 'root' ? 'ROOT' : 'API_KEY') },
  { op: 'query apps', needs: ['Query.apps'], may: READERS,
    run: (w) => w.as.raw('{ apps { nodes { id } } }'),
    ok: (d, w) => expect(d.apps.nodes.map((a: Data) => a.id)).toContain(w.appId) },
  { op: 'query app', needs: ['Query.app'], may: READERS,
    run: (w) => w.as.raw('query($id: ID!) { app(id: $id) { id } }', { id: w.appId }),
    ok: (d, w) => expect(d.app.id).toBe(w.appId) },
  { op: 'query gateway', needs: ['Query.gateway'], may: READERS,
    run: (w) => w.as.raw('{ gateway { enabled fieldRules { fieldName } } }'),
    ok: (d) => expect(d.gateway).toEqual({ enabled: false, fieldRules: [] }) },
  { op: 'query apiKey', needs: ['Query.apiKey'], may: READERS,
    target: targetKey,
    run: (w, id) => w.as.raw('query($id: ID!) { apiKey(id: $id) { id name } }', { id }),
    ok: (d) => expect(d.apiKey.name).toBe('target') },
  { op: 'read App.apiKeys', needs: ['App.apiKeys'], may: READERS,
    // App keys reach their app through viewer (a publishable key cannot query `app`): a refused
    // apiKeys nulls viewer.app, but viewer itself ran, so the answer stays HTTP 200.
    run: (w) => w.who === 'root'
      ? w.as.raw('query($id: ID!) { app(id: $id) { apiKeys { totalCount } } }', { id: w.appId })
      : w.as.raw('{ viewer { app { apiKeys { totalCount } } } }'),
    ok: (d, w) => expect((w.who === 'root' ? d.app : d.viewer.app).apiKeys.totalCount).toBe(w.who === 'root' ? 0 : 1),
    refusedAt: () => ['viewer', 'app', 'apiKeys'] },
  { op: 'read App.usage', needs: ['App.usage'], may: READERS,
    run: (w) => w.who === 'root'
      ? w.as.raw('query($id: ID!) { app(id: $id) { usage { start verifications } } }', { id: w.appId })
      : w.as.raw('{ viewer { app { usage { start verifications } } } }'),
    ok: (d, w) => expect((w.who === 'root' ? d.app : d.viewer.app).usage.length).toBeGreaterThan(0),
    refusedAt: () => ['viewer', 'app', 'usage'] },
  { op: 'read ApiKey.usage', needs: ['ApiKey.usage'], may: READERS, target: targetKey,
    run: (w, id) => w.who === 'publishable'
      // A publishable key cannot fetch an ApiKey at all; the refusal shows at apiKey.
      ? w.as.raw('query($id: ID!) { apiKey(id: $id) { usage { start } } }', { id })
      : w.as.raw('query($id: ID!) { apiKey(id: $id) { usage { start tokensIssued } } }', { id }),
    ok: (d) => expect(d.apiKey.usage.length).toBeGreaterThan(0),
    refusedAt: () => ['apiKey'] },
  { op: 'query verifyAuditChain', needs: ['Query.verifyAuditChain'], may: ADMINS,
    run: (w) => w.as.raw('query($a: ID!) { verifyAuditChain(appId: $a) { ok checked firstBrokenEventId } }', { a: w.appId }),
    ok: (d) => expect(d.verifyAuditChain).toMatchObject({ ok: true, firstBrokenEventId: null }) },
  { op: 'query rotations', needs: ['Query.rotations'], may: READERS,
    run: (w) => w.as.raw('query($a: ID!) { rotations(appId: $a) { nodes { id } } }', { a: w.appId }),
    ok: (d) => expect(d.rotations).toEqual({ nodes: [] }) },
  { op: 'query introspectToken', needs: ['Query.introspectToken'], may: READERS,
    run: (w) => w.as.raw('{ introspectToken(token: "not-a-token") { active } }'),
    ok: (d) => expect(d.introspectToken.active).toBe(false) },
  { op: 'query auditEvents', needs: ['Query.auditEvents'], may: ADMINS,
    run: (w) => w.as.raw('query($a: ID!) { auditEvents(appId: $a) { totalCount } }', { a: w.appId }),
    ok: (d) => expect(d.auditEvents.totalCount).toBeGreaterThanOrEqual(1) },
  { op: 'sessionAccess', needs: ['Mutation.sessionAccess'], may: ['publishable', 'READ_WRITE', 'ADMIN', 'root'],
    run: (w) => w.as.raw('mutation($i: SessionAccessInput!) { sessionAccess(input: $i) { token tokenId } }', {
      i: w.who === 'root' ? { appId: w.appId, mode: w.mode, userId: 'user-1' } : { userId: 'user-1' } }),
    ok: (d) => expect(d.sessionAccess.token).toEqual(expect.any(String)) },
  { op: 'createApiKey of a publishable key', needs: ['Mutation.createApiKey'], may: ['READ_WRITE', 'ADMIN', 'root'],
    run: (w) => w.as.raw('mutation($i: CreateApiKeyInput!) { createApiKey(input: $i) { apiKey { kind } secret } }', {
      i: { appId: w.appId, name: 'made', kind: 'PUBLISHABLE', mode: w.mode } }),
    ok: (d) => expect(d.createApiKey.apiKey.kind).toBe('PUBLISHABLE') },
  { op: 'createApiKey of a secret key', needs: ['Mutation.createApiKey'], may: ADMINS,
    run: (w) => w.as.raw('mutation($i: CreateApiKeyInput!) { createApiKey(input: $i) { apiKey { role } secret } }', {
      i: { appId: w.appId, name: 'made', kind: 'SECRET', mode: w.mode, role: 'READ_ONLY' } }),
    ok: (d) => expect(d.createApiKey.apiKey.role).toBe('READ_ONLY') },
  { op: 'updateApiKey', needs: ['Mutation.updateApiKey'], may: ADMINS,
    target: targetKey,
    run: (w, id) => w.as.raw('mutation($id: ID!) { updateApiKey(id: $id, input: { name: "renamed" }) { name } }', { id }),
    ok: (d) => expect(d.updateApiKey.name).toBe('renamed') },
  { op: 'revokeApiKey', needs: ['Mutation.revokeApiKey'], may: ADMINS,
    target: targetKey,
    run: (w, id) => w.as.raw('mutation($id: ID!) { revokeApiKey(id: $id) { status } }', { id }),
    ok: (d) => expect(d.revokeApiKey.status).toBe('REVOKED') },
  { op: 'rotateApiKey', needs: ['Mutation.rotateApiKey'], may: ADMINS,
    target: targetKey,
    run: (w, id) => w.as.raw('mutation($id: ID!) { rotateApiKey(id: $id, gracePeriodSeconds: 60) { rotation { id } secret } }', { id }),
    ok: (d) => expect(d.rotateApiKey.rotation.id).toEqual(expect.any(String)) },
  { op: 'completeRotation', needs: ['Mutation.completeRotation', 'Mutation.rotateApiKey'], may: ADMINS,
    target: async (w) => {
      const rotated = await server.root.raw<Data>('mutation($id: ID!) { rotateApiKey(id: $id) { rotation { id } } }', { id: await targetKey(w) });
      return rotated.data!.rotateApiKey.rotation.id;
    },
    run: (w, id) => w.as.raw('mutation($id: ID!) { completeRotation(id: $id) { status } }', { id }),
    ok: (d) => expect(d.completeRotation.status).toBe('COMPLETED') },
  // App settings are shared by both modes, so only live-mode keys may change them (tested in audit.test.ts).
  { op: 'updateApp', needs: ['Mutation.updateApp'], may: ADMINS, mode: 'LIVE',
    run: (w) => w.as.raw('mutation($id: ID!) { updateApp(id: $id, input: { name: "renamed" }) { name } }', { id: w.appId }),
    ok: (d) => expect(d.updateApp.name).toBe('renamed') },
  { op: 'createApp', needs: ['Mutation.createApp'], may: ['root'],
    run: (w) => w.as.raw('mutation { createApp(input: { name: "made" }) { name } }'),
    ok: (d) => expect(d.createApp.name).toBe('made') },
  { op: 'deleteApp', needs: ['Mutation.deleteApp'], may: ['root'],
    // The principal's own app: app keys act only there, so only the role can refuse it.
    run: (w) => w.as.raw('mutation($id: ID!) { deleteApp(id: $id) }', { id: w.appId }),
    ok: (d) => expect(d.deleteApp).toBe(true) },
  { op: 'query signingKeys', needs: ['Query.signingKeys'], may: ['root'],
    run: (w) => w.as.raw('{ signingKeys { kid algorithm createdAt retiredAt } }'),
    ok: (d) => expect(Array.isArray(d.signingKeys)).toBe(true) },
  // Webhooks: ADMIN keys and root. Endpoints point at a closed loopback port (test mode allows it).
  { op: 'query webhookEndpoints', needs: ['Query.webhookEndpoints'], may: ADMINS,
    run: (w) => w.as.raw('query($a: ID!) { webhookEndpoints(appId: $a) { totalCount nodes { id } } }', { a: w.appId }),
    ok: (d) => expect(d.webhookEndpoints).toEqual({ totalCount: 0, nodes: [] }) },
  { op: 'read WebhookEndpoint.deliveries', needs: ['Query.webhookEndpoints', 'WebhookEndpoint.deliveries'], may: ADMINS, target: targetEndpoint,
    run: (w) => w.as.raw('query($a: ID!) { webhookEndpoints(appId: $a) { nodes { deliveries { totalCount } } } }', { a: w.appId }),
    ok: (d) => expect(d.webhookEndpoints.nodes[0].deliveries.totalCount).toBe(0) },
  { op: 'createWebhookEndpoint', needs: ['Mutation.createWebhookEndpoint'], may: ADMINS,
    run: (w) => w.as.raw('mutation($a: ID!, $m: KeyMode) { createWebhookEndpoint(input: { appId: $a, mode: $m, url: "http://127.0.0.1:9/made" }) { secret endpoint { id } } }', { a: w.appId, m: w.mode }),
    ok: (d) => expect(d.createWebhookEndpoint.secret).toMatch(/^whsec_/) },
  { op: 'updateWebhookEndpoint', needs: ['Mutation.updateWebhookEndpoint'], may: ADMINS, target: targetEndpoint,
    run: (w, id) => w.as.raw('mutation($id: ID!) { updateWebhookEndpoint(id: $id, input: { events: ["key.revoked"] }) { events } }', { id }),
    ok: (d) => expect(d.updateWebhookEndpoint.events).toEqual(['key.revoked']) },
  { op: 'deleteWebhookEndpoint', needs: ['Mutation.deleteWebhookEndpoint'], may: ADMINS, target: targetEndpoint,
    run: (w, id) => w.as.raw('mutation($id: ID!) { deleteWebhookEndpoint(id: $id) }', { id }),
    ok: (d) => expect(d.deleteWebhookEndpoint).toBe(true) },
  { op: 'sendTestWebhook', needs: ['Mutation.sendTestWebhook'], may: ADMINS, target: targetEndpoint,
    run: (w, id) => w.as.raw('mutation($id: ID!) { sendTestWebhook(id: $id) { eventType } }', { id }),
    ok: (d) => expect(d.sendTestWebhook.eventType).toBe('webhook.test') },
  { op: 'retryWebhookDelivery', needs: ['Mutation.retryWebhookDelivery'], may: ADMINS, target: failedDelivery,
    run: (w, id) => w.as.raw('mutation($id: ID!) { retryWebhookDelivery(id: $id) { status } }', { id }),
    ok: (d) => expect(d.retryWebhookDelivery.status).toBe('PENDING') },
  { op: 'rotateSigningKey', needs: ['Mutation.rotateSigningKey'], may: ['root'],
    run: (w) => w.as.raw('mutation { rotateSigningKey { kid } }'),
    ok: (d) => expect(d.rotateSigningKey.kid).toEqual(expect.any(String)) },
  // Trusted documents (gateway): app-level like its settings, so changes need a LIVE key.
  { op: 'read App.trustedDocuments', needs: ['App.trustedDocuments'], may: READERS,
    run: (w) => w.who === 'root'
      ? w.as.raw('query($id: ID!) { app(id: $id) { trustedDocuments { totalCount } } }', { id: w.appId })
      : w.as.raw('{ viewer { app { trustedDocuments { totalCount } } } }'),
    ok: (d, w) => expect((w.who === 'root' ? d.app : d.viewer.app).trustedDocuments.totalCount).toBe(0),
    refusedAt: () => ['viewer', 'app', 'trustedDocuments'] },
  { op: 'registerTrustedDocuments', needs: ['Mutation.registerTrustedDocuments'], may: ADMINS, mode: 'LIVE',
    run: (w) => w.as.raw('mutation($a: ID!, $d: JSON!) { registerTrustedDocuments(appId: $a, documents: $d) }', { a: w.appId, d: { [TRUSTED_HASH]: TRUSTED } }),
    ok: (d) => expect(d.registerTrustedDocuments).toBe(1) },
  { op: 'removeTrustedDocument', needs: ['Mutation.removeTrustedDocument'], may: ADMINS, mode: 'LIVE', target: targetDocument,
    run: (w, id) => w.as.raw('mutation($a: ID!, $id: ID!) { removeTrustedDocument(appId: $a, id: $id) }', { a: w.appId, id }),
    ok: (d) => expect(d.removeTrustedDocument).toBe(true) },
  { op: 'query rootKeys', needs: ['Query.rootKeys'], may: ['root'],
    run: (w) => w.as.raw('{ rootKeys { id start } }'),
    ok: (d) => expect(d.rootKeys.length).toBeGreaterThan(0) },
  { op: 'createRootKey', needs: ['Mutation.createRootKey'], may: ['root'],
    run: (w) => w.as.raw('mutation { createRootKey(name: "made") { secret rootKey { id } } }'),
    ok: (d) => expect(d.createRootKey.secret).toMatch(/^rk_/) },
  { op: 'revokeRootKey', needs: ['Mutation.revokeRootKey'], may: ['root'],
    target: async () => ((await server.root.raw<Data>('mutation { createRootKey(name: "target") { rootKey { id } } }')).data!.createRootKey.rootKey.id as string),
    run: (w, id) => w.as.raw('mutation($id: ID!) { revokeRootKey(id: $id) { id revokedAt } }', { id }),
    ok: (d) => expect(d.revokeRootKey.revokedAt).toEqual(expect.any(String)) },
];

describe('who may do what (DESIGN.md permission table)', () => {
  for (const row of ROWS) {
    describe(row.op, () => {
      for (const who of EVERYONE) {
        const allowed = row.may.includes(who);
        it(`${label(who)} ${allowed ? 'may' : 'may not'} ${row.op}`, async () => {
          expect(row.needs.filter((f) => !fields.has(f)), 'fields this row needs that the schema lacks').toEqual([]);
          const w = await world(who, row.mode);
          const id = (await row.target?.(w)) ?? w.appId;
          const before = await footprint(w);
          const result = await row.run(w, id);
          if (allowed) {
            expect(result.errors, JSON.stringify(result.errors)).toBeUndefined();
            row.ok(result.data!, w);
            return;
          }
          const at = row.refusedAt?.(w) ?? [row.needs[0].split('.')[1]];
          expect(result.errors).toHaveLength(1);
          expect(result.errors![0]).toMatchObject({ path: at, extensions: { code: 'FORBIDDEN', reason: 'INSUFFICIENT_ROLE' } });
          expect(result.status).toBe(at.length === 1 ? 403 : 200);
          expect(await footprint(w)).toEqual(before);
        });
      }
    });
  }

  it('has a row for every Query and Mutation field and every usage field of the schema', () => {
    const covered = new Set(ROWS.flatMap((r) => r.needs));
    const uncovered = [...fields].filter((f) => /^(Query|Mutation)\./.test(f) || /\.usage$/i.test(f)).filter((f) => !covered.has(f));
    expect(uncovered, 'add a row to this table for each').toEqual([]);
  });
});

describe('no escalation: a key creates keys only up to its own role', () => {
  const CASES: [Who, 'PUBLISHABLE' | 'READ_ONLY' | 'READ_WRITE' | 'ADMIN', boolean][] = [
    ['ADMIN', 'ADMIN', true],
    ['ADMIN', 'READ_WRITE', true],
    ['ADMIN', 'READ_ONLY', true],
    ['ADMIN', 'PUBLISHABLE', true],
    ['READ_WRITE', 'PUBLISHABLE', true],
    ['READ_WRITE', 'READ_ONLY', false],
    ['READ_WRITE', 'READ_WRITE', false],
    ['READ_WRITE', 'ADMIN', false],
    ['READ_ONLY', 'READ_ONLY', false],
    ['READ_ONLY', 'PUBLISHABLE', false],
  ];
  for (const [who, made, allowed] of CASES) {
    const what = made === 'PUBLISHABLE' ? 'a publishable key' : `a secret ${made} key`;
    it(`${label(who)} ${allowed ? 'may' : 'may not'} create ${what}`, async () => {
      const w = await world(who);
      const input = made === 'PUBLISHABLE'
        ? { appId: w.appId, name: 'made', kind: 'PUBLISHABLE', mode: w.mode }
        : { appId: w.appId, name: 'made', kind: 'SECRET', mode: w.mode, role: made };
      const r = await w.as.raw<Data>('mutation($i: CreateApiKeyInput!) { createApiKey(input: $i) { apiKey { kind role } secret } }', { i: input });
      if (allowed) {
        expect(r.errors, JSON.stringify(r.errors)).toBeUndefined();
        expect(r.data!.createApiKey.apiKey).toEqual({ kind: input.kind, role: made === 'PUBLISHABLE' ? null : made });
      } else {
        expect(r.status).toBe(403);
        expect(r.errors![0].extensions).toMatchObject({ code: 'FORBIDDEN', reason: 'INSUFFICIENT_ROLE' });
      }
    });
  }
});
