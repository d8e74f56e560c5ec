import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppKeysDocument, AppsDocument, AuditEventsDocument, type KeyMode } from '../generated/graphql';
import { createApp, createKey } from '../helpers/fixtures';
import { type GraphQLClient, type GraphQLResult, codeOf } from '../helpers/graphql-client';
import { startTestServer, type TestServer } from '../helpers/test-server';

/**
 * Tenancy (DESIGN.md "Domain", "Who may do what"): an app key sees only its own app and
 * its own mode. Another app, and the other mode of its own app, behave exactly as if
 * they did not exist: NOT_FOUND for anything named by id (keys, rotations, apps), absent
 * from every list, and a key can never create in the other mode (FORBIDDEN). Every
 * refused mutation is checked to have changed nothing, as root reads it.
 *
 * Both directions are checked: A's TEST admin key against A's LIVE data, and A's LIVE
 * admin key against A's TEST data; both against app B.
 */

let server: TestServer;
let appA: string;
let appB: string;
const keys: Record<string, { id: string; secret: string }> = {};
const rotations: Record<string, string> = {};

async function rotate(keyName: string, spec: Parameters<typeof createKey>[1]) {
  keys[keyName] = await createKey(server.root, spec);
  const result = await server.root.raw<{ rotateApiKey: { rotation: { id: string } } }>(
    `mutation($id: ID!) { rotateApiKey(id: $id, gracePeriodSeconds: 3600) { rotation { id } } }`,
    { id: keys[keyName].id },
  );
  rotations[keyName] = result.data!.rotateApiKey.rotation.id;
}

beforeAll(async () => {
  server = await startTestServer();
  appA = (await createApp(server.root, 'App A')).id;
  appB = (await createApp(server.root, 'App B')).id;
  keys.aTestAdmin = await createKey(server.root, { appId: appA, mode: 'TEST', role: 'ADMIN', name: 'A test admin' });
  keys.aLiveAdmin = await createKey(server.root, { appId: appA, mode: 'LIVE', role: 'ADMIN', name: 'A live admin' });
  keys.aTestReader = await createKey(server.root, { appId: appA, mode: 'TEST', name: 'A test reader' });
  keys.aLiveReader = await createKey(server.root, { appId: appA, mode: 'LIVE', name: 'A live reader' });
  keys.aLivePublishable = await createKey(server.root, { appId: appA, mode: 'LIVE', kind: 'PUBLISHABLE', name: 'A live pk' });
  keys.aTestPublishable = await createKey(server.root, { appId: appA, mode: 'TEST', kind: 'PUBLISHABLE', name: 'A test pk' });
  keys.bTestAdmin = await createKey(server.root, { appId: appB, mode: 'TEST', role: 'ADMIN', name: 'B test admin' });
  keys.bLiveReader = await createKey(server.root, { appId: appB, mode: 'LIVE', name: 'B live reader' });
  await rotate('aTestRotating', { appId: appA, mode: 'TEST', name: 'A test rotating' });
  await rotate('aLiveRotating', { appId: appA, mode: 'LIVE', name: 'A live rotating' });
  await rotate('bTestRotating', { appId: appB, mode: 'TEST', name: 'B test rotating' });
  // Each mode of A gets audit events of its own (key.update), besides the key.create ones.
  await server.client(keys.aTestAdmin.secret).ok(AppKeysDocument, { appId: appA });
  await server.client(keys.aTestAdmin.secret).raw(`mutation($id: ID!) { updateApiKey(id: $id, input: { name: "A test reader" }) { id } }`, { id: keys.aTestReader.id });
  await server.client(keys.aLiveAdmin.secret).raw(`mutation($id: ID!) { updateApiKey(id: $id, input: { name: "A live reader" }) { id } }`, { id: keys.aLiveReader.id });
});
afterAll(() => server?.close());

/** The part of an error a client could use to tell "exists elsewhere" from "does not exist". */
function visible(result: GraphQLResult<unknown>) {
  return { status: result.status, data: result.data, errors: result.errors?.map((e) => ({ message: e.message, code: e.extensions?.code })) };
}

/** Everything the refused operations could have changed, read by root (lastUsedAt left out: using a key may touch it). */
async function snapshot() {
  const state: Record<string, unknown> = {};
  for (const appId of [appA, appB]) {
    const app = await server.root.raw(
      `query($id: ID!) { app(id: $id) { id name allowedOrigins defaultTokenLifetime maxTokenLifetime publishableCanPublish
        apiKeys(first: 100) { totalCount nodes { id name status revokedAt revokedReason allowedOrigins mode kind role } } } }`,
      { id: appId },
    );
    const audit = await server.root.ok(AuditEventsDocument, { appId, first: 100 });
    const rotationList = await server.root.raw(`query($id: ID!) { rotations(appId: $id, first: 100) { totalCount nodes { id status graceEndsAt completedAt } } }`, { id: appId });
    // auth.failure events record refused attempts themselves (see audit.test.ts); they are not changes.
    const changes = audit.auditEvents.nodes.filter((e) => e.action !== 'auth.failure');
    state[appId] = { app: app.data, rotations: rotationList.data, audit: changes.map((e) => [e.id, e.action, e.targetId]) };
  }
  return state;
}

const QUERIES = {
  apiKey: `query($id: ID!) { apiKey(id: $id) { id name } }`,
  updateApiKey: `mutation($id: ID!) { updateApiKey(id: $id, input: { name: "hijacked" }) { id name } }`,
  revokeApiKey: `mutation($id: ID!) { revokeApiKey(id: $id, reason: "hijacked") { id status } }`,
  rotateApiKey: `mutation($id: ID!) { rotateApiKey(id: $id, gracePeriodSeconds: 0) { secret rotation { id } } }`,
  completeRotation: `mutation($id: ID!) { completeRotation(id: $id) { id status } }`,
  app: `query($id: ID!) { app(id: $id) { id name } }`,
  appApiKeys: `query($id: ID!) { app(id: $id) { id apiKeys { totalCount nodes { id } } } }`,
  updateApp: `mutation($id: ID!) { updateApp(id: $id, input: { name: "hijacked", allowedOrigins: ["https://evil.example"] }) { id name } }`,
  auditEvents: `query($id: ID!) { auditEvents(appId: $id) { totalCount nodes { id } } }`,
  rotations: `query($id: ID!) { rotations(appId: $id) { nodes { id } } }`,
} as const;

type Operation = keyof typeof QUERIES;
const KEY_OPERATIONS: Operation[] = ['apiKey', 'updateApiKey', 'revokeApiKey', 'rotateApiKey'];
const APP_OPERATIONS: Operation[] = ['app', 'appApiKeys', 'updateApp', 'auditEvents', 'rotations'];

describe.each([
  { mode: 'TEST' as KeyMode, other: 'LIVE' as KeyMode, caller: 'aTestAdmin', otherModeKeys: ['aLiveAdmin', 'aLiveReader', 'aLivePublishable'], own: 'aTestRotating', otherModeRotation: 'aLiveRotating' },
  { mode: 'LIVE' as KeyMode, other: 'TEST' as KeyMode, caller: 'aLiveAdmin', otherModeKeys: ['aTestAdmin', 'aTestReader', 'aTestPublishable'], own: 'aLiveRotating', otherModeRotation: 'aTestRotating' },
])("A's $mode ADMIN key", ({ mode, other, caller, otherModeKeys, own, otherModeRotation }) => {
  let client: GraphQLClient;
  beforeAll(() => {
    client = server.client(keys[caller].secret);
  });

  describe('gets NOT_FOUND, indistinguishable from an unknown id, and changes nothing', () => {
    const keyTargets = [...otherModeKeys, 'bTestAdmin', 'bLiveReader'];

    it.each(KEY_OPERATIONS.flatMap((op) => keyTargets.map((target) => [op, target] as const)))('%s of key %s', async (op, target) => {
      const before = await snapshot();
      const refused = await client.raw(QUERIES[op], { id: keys[target].id });
      const unknown = await client.raw(QUERIES[op], { id: 'key_00000000000000000000000000' });
      expect(codeOf(refused)).toBe('NOT_FOUND');
      expect(visible(refused)).toEqual(visible(unknown));
      expect(await snapshot()).toEqual(before);
    });

    it.each([otherModeRotation, 'bTestRotating'])('completeRotation of the rotation of %s', async (target) => {
      const before = await snapshot();
      const refused = await client.raw(QUERIES.completeRotation, { id: rotations[target] });
      const unknown = await client.raw(QUERIES.completeRotation, { id: 'rot_00000000000000000000000000' });
      expect(codeOf(refused)).toBe('NOT_FOUND');
      expect(visible(refused)).toEqual(visible(unknown));
      expect(await snapshot()).toEqual(before);
    });

    it.each(APP_OPERATIONS)('%s of app B', async (op) => {
      const before = await snapshot();
      const refused = await client.raw(QUERIES[op], { id: appB });
      const unknown = await client.raw(QUERIES[op], { id: 'app_00000000000000000000000000' });
      expect(codeOf(refused)).toBe('NOT_FOUND');
      expect(visible(refused)).toEqual(visible(unknown));
      expect(await snapshot()).toEqual(before);
    });

    it('createApiKey in app B', async () => {
      const before = await snapshot();
      const create = `mutation($appId: ID!) { createApiKey(input: { appId: $appId, name: "x", kind: SECRET, mode: ${mode}, role: READ_ONLY }) { secret } }`;
      const refused = await client.raw(create, { appId: appB });
      const unknown = await client.raw(create, { appId: 'app_00000000000000000000000000' });
      expect(codeOf(refused)).toBe('NOT_FOUND');
      expect(visible(refused)).toEqual(visible(unknown));
      expect(await snapshot()).toEqual(before);
    });
  });

  it('still reads its own app, its own-mode keys and its own-mode audit trail (the control for the NOT_FOUNDs)', async () => {
    const ownKey = keys[mode === 'TEST' ? 'aTestReader' : 'aLiveReader'].id;
    for (const [op, id] of [['apiKey', ownKey], ['app', appA], ['appApiKeys', appA], ['auditEvents', appA], ['rotations', appA]] as const) {
      const result = await client.raw(QUERIES[op], { id });
      expect(result.errors, op).toBeUndefined();
    }
  });

  it.each(['SECRET', 'PUBLISHABLE'])(`is FORBIDDEN to create a %s key in the ${other} mode of its own app`, async (kind) => {
    const before = await snapshot();
    const result = await client.raw(
      `mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { secret apiKey { id } } }`,
      { input: { appId: appA, name: 'cross-mode', kind, mode: other, role: kind === 'SECRET' ? 'READ_ONLY' : null } },
    );
    expect(codeOf(result)).toBe('FORBIDDEN');
    expect(result.data?.createApiKey ?? null).toBeNull();
    expect(await snapshot()).toEqual(before);
  });

  it(`may create a key in its own mode (the refusals above are about scope, not role)`, async () => {
    const result = await client.raw(
      `mutation { createApiKey(input: { appId: "${appA}", name: "own mode", kind: PUBLISHABLE, mode: ${mode} }) { apiKey { mode app { id } } } }`,
    );
    expect(result.errors).toBeUndefined();
    expect(result.data).toEqual({ createApiKey: { apiKey: { mode, app: { id: appA } } } });
  });

  it('lists only its own app in apps', async () => {
    const data = await client.ok(AppsDocument, {});
    expect(data.apps.nodes.map((a) => a.id)).toEqual([appA]);
    expect(data.apps.edges.map((e) => e.node.id)).toEqual([appA]);
    expect(data.apps.totalCount).toBe(1);
    expect(data.apps.pageInfo.hasNextPage).toBe(false);
  });

  it(`lists only ${mode} keys in App.apiKeys, and none when asked for ${other}`, async () => {
    const all = await server.root.ok(AppKeysDocument, { appId: appA, first: 100 });
    const ownMode = all.app!.apiKeys.nodes.filter((k) => k.mode === mode).map((k) => k.id);
    expect(ownMode.length).toBeGreaterThan(0);
    expect(ownMode.length).toBeLessThan(all.app!.apiKeys.totalCount);

    const seen = await client.ok(AppKeysDocument, { appId: appA, first: 100 });
    expect(seen.app!.apiKeys.nodes.map((k) => k.id)).toEqual(ownMode);
    expect(seen.app!.apiKeys.totalCount).toBe(ownMode.length);

    const otherMode = await client.ok(AppKeysDocument, { appId: appA, mode: other });
    expect(otherMode.app!.apiKeys.nodes).toEqual([]);
    expect(otherMode.app!.apiKeys.totalCount).toBe(0);
  });

  it(`lists only ${mode} rotations of app A in rotations, and none when asked for ${other}`, async () => {
    const seen = await client.raw<{ rotations: { nodes: { id: string }[]; totalCount: number } }>(`query($id: ID!) { rotations(appId: $id) { totalCount nodes { id } } }`, { id: appA });
    expect(seen.data?.rotations.nodes.map((r) => r.id)).toEqual([rotations[own]]);
    expect(seen.data?.rotations.totalCount).toBe(1);
    const otherMode = await client.raw(`query($id: ID!) { rotations(appId: $id, mode: ${other}) { totalCount nodes { id } } }`, { id: appA });
    expect(otherMode.data).toEqual({ rotations: { totalCount: 0, nodes: [] } });
  });

  it(`lists only ${mode} and app-level events of app A in auditEvents, and none when asked for ${other}`, async () => {
    const allByRoot = await server.root.ok(AuditEventsDocument, { appId: appA, first: 100 });
    const otherByRoot = await server.root.ok(AuditEventsDocument, { appId: appA, mode: other, first: 100 });
    const visible = allByRoot.auditEvents.nodes.filter((e) => e.mode === mode || e.mode === null);
    expect(visible.some((e) => e.mode === mode)).toBe(true);
    expect(otherByRoot.auditEvents.totalCount).toBeGreaterThan(0);

    const seen = await client.ok(AuditEventsDocument, { appId: appA, first: 100 });
    expect(seen.auditEvents.nodes.map((e) => e.id)).toEqual(visible.map((e) => e.id));
    expect(seen.auditEvents.totalCount).toBe(visible.length);
    expect(new Set(seen.auditEvents.nodes.map((e) => `${e.appId}/${e.mode ?? 'app-level'}`))).toEqual(new Set([`${appA}/${mode}`, `${appA}/app-level`]));

    const otherMode = await client.ok(AuditEventsDocument, { appId: appA, mode: other });
    expect(otherMode.auditEvents.nodes).toEqual([]);
    expect(otherMode.auditEvents.totalCount).toBe(0);
  });
});

describe('after every refused attempt above', () => {
  it('root still sees B and every key untouched: same names, none revoked, no hijack in any audit trail', async () => {
    const state = JSON.stringify(await snapshot());
    expect(state).not.toContain('hijacked');
    expect(state).not.toContain('evil.example');
    const b = await server.root.ok(AppKeysDocument, { appId: appB, first: 100 });
    expect(b.app!.apiKeys.nodes.map((k) => [k.name, k.status]).sort()).toEqual([
      ['B live reader', 'ACTIVE'],
      ['B test admin', 'ACTIVE'],
      ['B test rotating', 'ACTIVE'],
      ['B test rotating', 'ROTATING'],
    ]);
    const bRotations = await server.root.raw(`query($id: ID!) { rotations(appId: $id) { nodes { id status } } }`, { id: appB });
    expect(bRotations.data).toEqual({ rotations: { nodes: [{ id: rotations.bTestRotating, status: 'IN_GRACE' }] } });
    const a = await server.root.ok(AppKeysDocument, { appId: appA, status: ['REVOKED'] });
    expect(a.app!.apiKeys.totalCount).toBe(0);
  });
});
