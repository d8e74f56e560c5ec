import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  type GraphQLArgument,
  type GraphQLInputType,
  type GraphQLNamedType,
  buildSchema,
  getNamedType,
  isInputObjectType,
  isObjectType,
} from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../src/shared/ids';
import { createApp, createKey } from '../helpers/fixtures';
import { type GraphQLClient, type GraphQLResult, codeOf } from '../helpers/graphql-client';
import { startTestServer, type TestServer } from '../helpers/test-server';
import { type Receiver, startReceiver } from '../helpers/webhook-receiver';

/**
 * OWASP API1 (broken object-level authorisation), as an exhaustive matrix.
 *
 * DESIGN.md: "App keys act only on their own app and mode"; "Data of the other mode behaves
 * as if it did not exist (NOT_FOUND), and a key can never create, rotate or mint across
 * modes"; and the permission table says which roles may call what at all.
 *
 * For EVERY argument of the emitted schema that names an object (an ID, anywhere in a
 * field's arguments or input objects) or a mode (KeyMode), every kind of app key — a
 * publishable key and secret READ_ONLY, READ_WRITE and ADMIN keys of app A, in TEST mode
 * and in LIVE mode — names objects of app B and of A's other mode. The answer is:
 *   - FORBIDDEN / INSUFFICIENT_ROLE (HTTP 403) where the permission table denies the role;
 *   - otherwise NOT_FOUND, indistinguishable from an id that does not exist; an empty
 *     list where the argument filters a list; FORBIDDEN (MODE_MISMATCH) for creating or
 *     minting in the other mode;
 *   - never anything of the other object (its id or name) in the answer;
 *   - and, read back by root, nothing changed.
 * The table is checked against schema/schema.graphql: a new id- or mode-taking argument
 * fails this file until it has a row. tenancy.security.test.ts holds the narrative cases;
 * this file is the matrix.
 */

type Who = 'publishable' | 'READ_ONLY' | 'READ_WRITE' | 'ADMIN';
type Mode = 'TEST' | 'LIVE';
const WHO: Who[] = ['publishable', 'READ_ONLY', 'READ_WRITE', 'ADMIN'];
const MODES: Mode[] = ['TEST', 'LIVE'];
const other = (mode: Mode): Mode => (mode === 'TEST' ? 'LIVE' : 'TEST');

/** DESIGN.md "Who may do what", for app keys. */
const READERS: Who[] = ['READ_ONLY', 'READ_WRITE', 'ADMIN'];
const MINTERS: Who[] = ['publishable', 'READ_WRITE', 'ADMIN'];
const PUBLISHABLE_CREATORS: Who[] = ['READ_WRITE', 'ADMIN'];
const ADMINS: Who[] = ['ADMIN'];
const ROOT_ONLY: Who[] = [];

interface Caller {
  who: Who;
  mode: Mode;
  id: string;
  client: GraphQLClient;
  secret: string;
  label: string;
}

/** An object of someone else's: its id, and what of it must never show in an answer. */
interface Thing {
  id: string;
  name: string;
}

let server: TestServer;
let appA: Thing;
let appB: Thing;
/** The deployment's root key (root keys belong to no app: only root may touch them). */
let rootKeyId: string;
const callers: Caller[] = [];
/** keys[app][mode][kind]: the target keys, made by root. */
const keys: Record<'A' | 'B', Record<Mode, Record<'secret' | 'publishable', Thing>>> = { A: {} as never, B: {} as never };
const rotations: Record<'A' | 'B', Record<Mode, Thing>> = { A: {} as never, B: {} as never };
/** Webhook endpoints (named by their URL) and a delivery to each, made by root. */
const endpoints: Record<'A' | 'B', Record<Mode, Thing>> = { A: {} as never, B: {} as never };
const deliveries: Record<'A' | 'B', Record<Mode, Thing>> = { A: {} as never, B: {} as never };
let receiver: Receiver;
/** Session tokens minted by root in each app and mode. */
const tokens: Record<'A' | 'B', Record<Mode, string>> = { A: {} as never, B: {} as never };
let baseline: unknown;

const callerOf = (who: Who, mode: Mode) => callers.find((c) => c.who === who && c.mode === mode)!;

beforeAll(async () => {
  server = await startTestServer({
    env: {
      // Hundreds of refusals from one address are the point here, not an attack to throttle;
      // the root snapshot query is bigger than the default document limits allow.
      KEYGATE_AUTH_FAILURES_PER_IP: '0',
      KEYGATE_GRAPHQL_MAX_ALIASES: '50',
      KEYGATE_GRAPHQL_MAX_COST: '1000000',
      KEYGATE_GRAPHQL_MAX_TOKENS: '20000',
      KEYGATE_GRAPHQL_MAX_DEPTH: '20',
      // The rotations below end their grace within the hour, so a timed scan would add a
      // rotation.grace_ending delivery per endpoint mid-matrix; the first comes only after this.
      KEYGATE_WEBHOOK_SCAN_SECONDS: '3600',
    },
  });
  const a = await createApp(server.root, 'App A');
  const b = await createApp(server.root, 'App B');
  appA = { id: a.id, name: a.name };
  appB = { id: b.id, name: b.name };
  receiver = await startReceiver();
  rootKeyId = ((await server.root.raw<{ rootKeys: { id: string }[] }>('{ rootKeys { id } }')).data!.rootKeys[0]).id;

  for (const mode of MODES) {
    for (const who of WHO) {
      const name = `A ${mode} ${who} caller`;
      const key =
        who === 'publishable'
          ? await createKey(server.root, { appId: appA.id, mode, kind: 'PUBLISHABLE', name })
          : await createKey(server.root, { appId: appA.id, mode, role: who, name });
      callers.push({ who, mode, id: key.id, secret: key.secret, client: server.client(key.secret), label: `A's ${mode} ${who === 'publishable' ? 'publishable' : who} key` });
    }
  }

  for (const [app, thing] of [['A', appA], ['B', appB]] as const) {
    for (const mode of MODES) {
      const secret = await createKey(server.root, { appId: thing.id, mode, name: `${app} ${mode} secret target` });
      const publishable = await createKey(server.root, { appId: thing.id, mode, kind: 'PUBLISHABLE', name: `${app} ${mode} publishable target` });
      keys[app][mode] = { secret: { id: secret.id, name: secret.name }, publishable: { id: publishable.id, name: publishable.name } };
      const rotating = await createKey(server.root, { appId: thing.id, mode, name: `${app} ${mode} rotating target` });
      const rotated = await server.root.raw<{ rotateApiKey: { rotation: { id: string } } }>(
        'mutation($id: ID!) { rotateApiKey(id: $id, gracePeriodSeconds: 3600) { rotation { id } } }',
        { id: rotating.id },
      );
      rotations[app][mode] = { id: rotated.data!.rotateApiKey.rotation.id, name: rotating.name };
      const minted = await server.root.raw<{ sessionAccess: { token: string } }>(
        'mutation($a: ID!, $m: KeyMode!) { sessionAccess(input: { appId: $a, mode: $m, userId: "target-user" }) { token } }',
        { a: thing.id, m: mode },
      );
      tokens[app][mode] = minted.data!.sessionAccess.token;
      const url = `${receiver.url}/${app}-${mode}`;
      const endpoint = await server.root.raw<{ createWebhookEndpoint: { endpoint: { id: string } } }>(
        'mutation($a: ID!, $m: KeyMode!, $u: String!) { createWebhookEndpoint(input: { appId: $a, mode: $m, url: $u }) { endpoint { id } } }',
        { a: thing.id, m: mode, u: url },
      );
      endpoints[app][mode] = { id: endpoint.data!.createWebhookEndpoint.endpoint.id, name: url };
      const sent = await server.root.raw<{ sendTestWebhook: { id: string } }>('mutation($id: ID!) { sendTestWebhook(id: $id) { id } }', { id: endpoints[app][mode].id });
      deliveries[app][mode] = { id: sent.data!.sendTestWebhook.id, name: sent.data!.sendTestWebhook.id };
    }
  }

  // Every admin acts in its own mode (an audit event with it as actor), and every caller
  // authenticates (usage in its own mode), so the other mode has data to hide.
  for (const mode of MODES) {
    const admin = callerOf('ADMIN', mode);
    const acted = await admin.client.raw('mutation($id: ID!, $n: String!) { updateApiKey(id: $id, input: { name: $n }) { id } }', { id: keys.A[mode].secret.id, n: keys.A[mode].secret.name });
    expect(acted.errors).toBeUndefined();
    const bAdmin = await createKey(server.root, { appId: appB.id, mode, role: 'ADMIN', name: `B ${mode} admin` });
    await server.client(bAdmin.secret).raw('mutation($id: ID!, $n: String!) { updateApiKey(id: $id, input: { name: $n }) { id } }', { id: keys.B[mode].secret.id, n: keys.B[mode].secret.name });
  }
  for (const caller of callers) expect((await caller.client.raw('{ viewer { keyId } }')).data).toEqual({ viewer: { keyId: caller.id } });

  baseline = await snapshot();
});
afterAll(async () => {
  await server?.close();
  await receiver?.close();
});

// ---------------------------------------------------------------------------------------
// Reading state back through root
// ---------------------------------------------------------------------------------------

const SNAPSHOT = `query Snapshot($a: ID!, $b: ID!) {
  apps(first: 100) { totalCount nodes { id name } }
  a: app(id: $a) { ...AppState }
  b: app(id: $b) { ...AppState }
  ra: rotations(appId: $a, first: 100) { nodes { ...RotationState } }
  rb: rotations(appId: $b, first: 100) { nodes { ...RotationState } }
  wa: webhookEndpoints(appId: $a, first: 100) { totalCount nodes { ...EndpointState } }
  wb: webhookEndpoints(appId: $b, first: 100) { totalCount nodes { ...EndpointState } }
  ea: auditEvents(appId: $a, first: 100) { totalCount nodes { id action targetId actorId mode } }
  eb: auditEvents(appId: $b, first: 100) { totalCount nodes { id action targetId actorId mode } }
}
fragment AppState on App {
  id name allowedOrigins defaultTokenLifetime maxTokenLifetime publishableCanPublish
  apiKeys(first: 100) { totalCount nodes { id name kind mode role status revokedAt revokedReason allowedOrigins expiresAt } }
}
fragment EndpointState on WebhookEndpoint { id mode url events enabled deliveries(first: 100) { totalCount } }
fragment RotationState on Rotation { id status graceEndsAt completedAt oldKey { id status } newKey { id status } }`;

interface AuditNode {
  id: string;
  action: string;
}

/**
 * Everything an operation could have changed, as root reads it. Left out: lastUsedAt and
 * usage (using a key touches them) and auth.failure events (a refused attempt is itself
 * audited; see audit.test.ts) — none of them is a change made by the operation.
 */
async function snapshot() {
  const result = await server.root.raw<Record<string, any>>(SNAPSHOT, { a: appA.id, b: appB.id });
  expect(result.errors, JSON.stringify(result.errors)).toBeUndefined();
  const data = result.data!;
  for (const events of [data.ea, data.eb]) {
    // The window must hold every event, or a change could hide past it.
    expect(events.totalCount, 'more audit events than the snapshot reads').toBeLessThan(100);
    events.nodes = (events.nodes as AuditNode[]).filter((e) => e.action !== 'auth.failure');
    delete events.totalCount;
  }
  expect(data.a.apiKeys.totalCount).toBeLessThan(100);
  return data;
}

// ---------------------------------------------------------------------------------------
// The matrix
// ---------------------------------------------------------------------------------------

/** What a target is and which variables name it. */
interface Target {
  label: string;
  vars: Record<string, unknown>;
  /** The same request naming an object that does not exist, for "indistinguishable". */
  unknownVars?: Record<string, unknown>;
  /** Ids and names of objects the caller must never see in the answer. */
  hidden: Thing[];
}

/**
 * What a caller the permission table allows gets:
 *   NOT_FOUND — the object does not exist for it;
 *   EMPTY     — a list filtered by the argument holds nothing (root's holds something);
 *   MODE      — FORBIDDEN with reason MODE_MISMATCH (creating or minting in the other mode).
 */
type Outcome = 'NOT_FOUND' | 'EMPTY' | 'MODE';

interface Row {
  /** Schema coordinate of the argument: `Type.field(arg)` or `Type.field(arg.inputField)`. */
  field: string;
  title: string;
  may: Who[];
  outcome: Outcome;
  document: string;
  targets(caller: Caller): Target[];
  /** For EMPTY: how many things the answer holds. */
  count?(data: Record<string, any>): number;
  /** Mutations are checked to have changed nothing. */
  mutation?: boolean;
  /** Callers of which mode the row is about (default: both). */
  mode?: Mode;
}

const UNKNOWN = { app: newId('app'), key: newId('key'), rotation: newId('rot'), endpoint: newId('whk'), delivery: newId('dlv') };

/** The same objects of A's other mode and of B (both modes) — endpoints or deliveries. */
const foreign = (c: Caller, of: typeof endpoints, what: string, unknown: string): Target[] =>
  (
    [
      ['A', other(c.mode)],
      ['B', c.mode],
      ['B', other(c.mode)],
    ] as const
  ).map(([app, mode]) => ({
    label: `${app === 'A' ? "A's" : "B's"} ${mode} ${what}`,
    vars: { id: of[app][mode].id },
    unknownVars: { id: unknown },
    hidden: [of[app][mode]],
  }));
const foreignEndpoints = (c: Caller) => foreign(c, endpoints, 'webhook endpoint', UNKNOWN.endpoint);
const foreignDeliveries = (c: Caller) => foreign(c, deliveries, 'webhook delivery', UNKNOWN.delivery);

/** Ids of app B, as seen by any caller. */
const otherApp = (c: Caller): Target[] => [{ label: 'app B', vars: { id: appB.id, mode: c.mode }, unknownVars: { id: UNKNOWN.app, mode: c.mode }, hidden: [appB] }];

/** Keys of A's other mode and of B (both modes), secret and publishable. */
const foreignKeys = (c: Caller): Target[] =>
  (
    [
      ['A', other(c.mode)],
      ['B', c.mode],
      ['B', other(c.mode)],
    ] as const
  ).flatMap(([app, mode]) =>
    (['secret', 'publishable'] as const).map((kind) => ({
      label: `${app === 'A' ? "A's" : "B's"} ${mode} ${kind} key`,
      vars: { id: keys[app][mode][kind].id },
      unknownVars: { id: UNKNOWN.key },
      hidden: [keys[app][mode][kind]],
    })),
  );

/** Rotations of A's other mode and of B (both modes). */
const foreignRotations = (c: Caller): Target[] =>
  (
    [
      ['A', other(c.mode)],
      ['B', c.mode],
      ['B', other(c.mode)],
    ] as const
  ).map(([app, mode]) => ({
    label: `the rotation of ${app === 'A' ? "A's" : "B's"} ${mode} key`,
    vars: { id: rotations[app][mode].id },
    unknownVars: { id: UNKNOWN.rotation },
    hidden: [rotations[app][mode]],
  }));

/** Everything of A's other mode (its keys and rotations), which a filter must not reveal. */
const otherModeOfA = (c: Caller): Thing[] => [keys.A[other(c.mode)].secret, keys.A[other(c.mode)].publishable, rotations.A[other(c.mode)], endpoints.A[other(c.mode)]];

/** A's own app, asked about its other mode. */
const otherModeOfOwnApp = (c: Caller): Target[] => [{ label: `app A's ${other(c.mode)} mode`, vars: { a: appA.id, mode: other(c.mode) }, hidden: otherModeOfA(c) }];

const ROWS: Row[] = [
  // ---- Queries naming an object by id
  {
    field: 'Query.app(id)',
    title: 'app(id) of another app',
    may: READERS,
    outcome: 'NOT_FOUND',
    document: 'query($id: ID!) { app(id: $id) { id name allowedOrigins apiKeys { totalCount nodes { id name } } } }',
    targets: otherApp,
  },
  {
    field: 'Query.apiKey(id)',
    title: "apiKey(id) of another app's or the other mode's key",
    may: READERS,
    outcome: 'NOT_FOUND',
    document: 'query($id: ID!) { apiKey(id: $id) { id name publishableKey app { id name } } }',
    targets: foreignKeys,
  },
  {
    field: 'Query.rotations(appId)',
    title: 'rotations(appId) of another app',
    may: READERS,
    outcome: 'NOT_FOUND',
    document: 'query($id: ID!) { rotations(appId: $id) { nodes { id oldKey { id name } newKey { id name } } } }',
    targets: otherApp,
  },
  {
    field: 'Query.auditEvents(appId)',
    title: 'auditEvents(appId) of another app',
    may: ADMINS,
    outcome: 'NOT_FOUND',
    document: 'query($id: ID!) { auditEvents(appId: $id) { totalCount nodes { id action targetId } } }',
    targets: otherApp,
  },
  {
    field: 'Query.verifyAuditChain(appId)',
    title: 'verifyAuditChain(appId) of another app',
    may: ADMINS,
    outcome: 'NOT_FOUND',
    document: 'query($id: ID!) { verifyAuditChain(appId: $id) { ok checked firstBrokenEventId } }',
    targets: otherApp,
  },
  // ---- Filters inside the caller's own app that name another mode's objects
  {
    field: 'Query.auditEvents(actorId)',
    title: "auditEvents(actorId) of the other mode's admin, in its own app",
    may: ADMINS,
    outcome: 'EMPTY',
    document: 'query($a: ID!, $id: ID) { auditEvents(appId: $a, actorId: $id) { totalCount nodes { id action targetId } } }',
    targets: (c) => {
      const actor = callerOf('ADMIN', other(c.mode));
      return [{ label: `A's ${other(c.mode)} ADMIN key (the actor of ${other(c.mode)} events)`, vars: { a: appA.id, id: actor.id }, hidden: [{ id: actor.id, name: `A ${other(c.mode)} ADMIN caller` }, ...otherModeOfA(c)] }];
    },
    count: (d) => d.auditEvents.totalCount + d.auditEvents.nodes.length,
  },
  {
    field: 'Query.auditEvents(targetId)',
    title: "auditEvents(targetId) of the other mode's keys, in its own app",
    may: ADMINS,
    outcome: 'EMPTY',
    document: 'query($a: ID!, $id: ID) { auditEvents(appId: $a, targetId: $id) { totalCount nodes { id action targetId } } }',
    targets: (c) =>
      (['secret', 'publishable'] as const).map((kind) => ({
        label: `A's ${other(c.mode)} ${kind} key`,
        vars: { a: appA.id, id: keys.A[other(c.mode)][kind].id },
        hidden: otherModeOfA(c),
      })),
    count: (d) => d.auditEvents.totalCount + d.auditEvents.nodes.length,
  },
  // ---- Mode arguments: the other mode of the caller's own app does not exist for it
  {
    field: 'Query.rotations(mode)',
    title: 'rotations(mode) of the other mode',
    may: READERS,
    outcome: 'EMPTY',
    document: 'query($a: ID!, $mode: KeyMode) { rotations(appId: $a, mode: $mode) { nodes { id oldKey { id name } } } }',
    targets: otherModeOfOwnApp,
    count: (d) => d.rotations.nodes.length,
  },
  {
    field: 'Query.auditEvents(mode)',
    title: 'auditEvents(mode) of the other mode',
    may: ADMINS,
    outcome: 'EMPTY',
    document: 'query($a: ID!, $mode: KeyMode) { auditEvents(appId: $a, mode: $mode) { totalCount nodes { id action targetId } } }',
    targets: otherModeOfOwnApp,
    count: (d) => d.auditEvents.totalCount + d.auditEvents.nodes.length,
  },
  {
    field: 'Query.verifyAuditChain(mode)',
    title: 'verifyAuditChain(mode) of the other mode',
    may: ADMINS,
    outcome: 'EMPTY',
    document: 'query($a: ID!, $mode: KeyMode) { verifyAuditChain(appId: $a, mode: $mode) { ok checked firstBrokenEventId } }',
    targets: otherModeOfOwnApp,
    count: (d) => d.verifyAuditChain.checked,
  },
  {
    field: 'App.apiKeys(mode)',
    title: 'App.apiKeys(mode) of the other mode',
    may: READERS,
    outcome: 'EMPTY',
    document: 'query($a: ID!, $mode: KeyMode) { app(id: $a) { apiKeys(mode: $mode, first: 100) { totalCount nodes { id name } } } }',
    targets: otherModeOfOwnApp,
    count: (d) => d.app.apiKeys.totalCount + d.app.apiKeys.nodes.length,
  },
  {
    field: 'App.usage(mode)',
    title: 'App.usage(mode) of the other mode',
    may: READERS,
    outcome: 'EMPTY',
    document: 'query($a: ID!, $mode: KeyMode) { app(id: $a) { usage(mode: $mode) { verifications failures tokensIssued } } }',
    targets: otherModeOfOwnApp,
    count: (d) => (d.app.usage as { verifications: number; failures: number; tokensIssued: number }[]).reduce((n, b) => n + b.verifications + b.failures + b.tokensIssued, 0),
  },
  // ---- Mutations naming an object by id
  {
    field: 'Mutation.updateApp(id)',
    title: 'updateApp(id) of another app',
    may: ADMINS,
    outcome: 'NOT_FOUND',
    document: 'mutation($id: ID!) { updateApp(id: $id, input: { name: "hijacked", allowedOrigins: ["https://evil.example"] }) { id name } }',
    targets: otherApp,
    mutation: true,
  },
  {
    field: 'Mutation.updateApp(id)',
    title: 'updateApp(id) of its own app from test mode (app settings govern live traffic too)',
    may: ADMINS,
    outcome: 'MODE',
    document: 'mutation($id: ID!) { updateApp(id: $id, input: { name: "hijacked", allowedOrigins: ["https://evil.example"] }) { id name } }',
    targets: () => [{ label: 'app A', vars: { id: appA.id }, hidden: [] }],
    mutation: true,
    mode: 'TEST',
  },
  {
    field: 'Mutation.deleteApp(id)',
    title: 'deleteApp(id) of another app',
    may: ROOT_ONLY,
    outcome: 'NOT_FOUND',
    document: 'mutation($id: ID!) { deleteApp(id: $id) }',
    targets: otherApp,
    mutation: true,
  },
  {
    field: 'Mutation.revokeRootKey(id)',
    title: 'revokeRootKey(id) of the root key',
    may: ROOT_ONLY,
    outcome: 'NOT_FOUND',
    document: 'mutation($id: ID!) { revokeRootKey(id: $id) { id } }',
    targets: () => [{ label: 'the root key', vars: { id: rootKeyId }, hidden: [] }],
    mutation: true,
  },
  {
    field: 'Mutation.createApiKey(input.appId)',
    title: 'createApiKey of a publishable key in another app',
    may: PUBLISHABLE_CREATORS,
    outcome: 'NOT_FOUND',
    document: 'mutation($id: ID!, $mode: KeyMode!) { createApiKey(input: { appId: $id, name: "hijacked", kind: PUBLISHABLE, mode: $mode }) { secret apiKey { id } } }',
    targets: otherApp,
    mutation: true,
  },
  {
    field: 'Mutation.createApiKey(input.appId)',
    title: 'createApiKey of a secret key in another app',
    may: ADMINS,
    outcome: 'NOT_FOUND',
    document: 'mutation($id: ID!, $mode: KeyMode!) { createApiKey(input: { appId: $id, name: "hijacked", kind: SECRET, role: READ_ONLY, mode: $mode }) { secret apiKey { id } } }',
    targets: otherApp,
    mutation: true,
  },
  {
    field: 'Mutation.updateApiKey(id)',
    title: "updateApiKey(id) of another app's or the other mode's key",
    may: ADMINS,
    outcome: 'NOT_FOUND',
    document: 'mutation($id: ID!) { updateApiKey(id: $id, input: { name: "hijacked" }) { id name } }',
    targets: foreignKeys,
    mutation: true,
  },
  {
    field: 'Mutation.revokeApiKey(id)',
    title: "revokeApiKey(id) of another app's or the other mode's key",
    may: ADMINS,
    outcome: 'NOT_FOUND',
    document: 'mutation($id: ID!) { revokeApiKey(id: $id, reason: "hijacked") { id status } }',
    targets: foreignKeys,
    mutation: true,
  },
  {
    field: 'Mutation.rotateApiKey(id)',
    title: "rotateApiKey(id) of another app's or the other mode's key",
    may: ADMINS,
    outcome: 'NOT_FOUND',
    document: 'mutation($id: ID!) { rotateApiKey(id: $id, gracePeriodSeconds: 0) { secret rotation { id } } }',
    targets: foreignKeys,
    mutation: true,
  },
  {
    field: 'Mutation.completeRotation(id)',
    title: "completeRotation(id) of another app's or the other mode's rotation",
    may: ADMINS,
    outcome: 'NOT_FOUND',
    document: 'mutation($id: ID!) { completeRotation(id: $id) { id status } }',
    targets: foreignRotations,
    mutation: true,
  },
  {
    field: 'Mutation.sessionAccess(input.appId)',
    title: 'sessionAccess for another app',
    may: MINTERS,
    outcome: 'NOT_FOUND',
    document: 'mutation($id: ID!) { sessionAccess(input: { appId: $id, userId: "hijacker" }) { token tokenId } }',
    targets: otherApp,
    mutation: true,
  },
  // ---- Webhooks (ADMIN and root only)
  {
    field: 'Query.webhookEndpoints(appId)',
    title: 'webhookEndpoints(appId) of another app',
    may: ADMINS,
    outcome: 'NOT_FOUND',
    document: 'query($id: ID!) { webhookEndpoints(appId: $id) { totalCount nodes { id url deliveries { totalCount nodes { id } } } } }',
    targets: otherApp,
  },
  {
    field: 'Query.webhookEndpoints(mode)',
    title: 'webhookEndpoints(mode) of the other mode',
    may: ADMINS,
    outcome: 'EMPTY',
    document: 'query($a: ID!, $mode: KeyMode) { webhookEndpoints(appId: $a, mode: $mode) { totalCount nodes { id url } } }',
    targets: otherModeOfOwnApp,
    count: (d) => d.webhookEndpoints.totalCount + d.webhookEndpoints.nodes.length,
  },
  {
    field: 'Mutation.createWebhookEndpoint(input.appId)',
    title: 'createWebhookEndpoint in another app',
    may: ADMINS,
    outcome: 'NOT_FOUND',
    document: 'mutation($id: ID!, $mode: KeyMode) { createWebhookEndpoint(input: { appId: $id, mode: $mode, url: "http://127.0.0.1:9/hijacked" }) { secret endpoint { id } } }',
    targets: otherApp,
    mutation: true,
  },
  {
    field: 'Mutation.createWebhookEndpoint(input.mode)',
    title: 'createWebhookEndpoint in the other mode of its own app',
    may: ADMINS,
    outcome: 'MODE',
    document: 'mutation($a: ID!, $mode: KeyMode) { createWebhookEndpoint(input: { appId: $a, mode: $mode, url: "http://127.0.0.1:9/hijacked" }) { secret endpoint { id } } }',
    targets: otherModeOfOwnApp,
    mutation: true,
  },
  {
    field: 'Mutation.updateWebhookEndpoint(id)',
    title: "updateWebhookEndpoint(id) of another app's or the other mode's endpoint",
    may: ADMINS,
    outcome: 'NOT_FOUND',
    document: 'mutation($id: ID!) { updateWebhookEndpoint(id: $id, input: { url: "http://127.0.0.1:9/hijacked", enabled: false }) { id url } }',
    targets: foreignEndpoints,
    mutation: true,
  },
  {
    field: 'Mutation.deleteWebhookEndpoint(id)',
    title: "deleteWebhookEndpoint(id) of another app's or the other mode's endpoint",
    may: ADMINS,
    outcome: 'NOT_FOUND',
    document: 'mutation($id: ID!) { deleteWebhookEndpoint(id: $id) }',
    targets: foreignEndpoints,
    mutation: true,
  },
  {
    field: 'Mutation.sendTestWebhook(id)',
    title: "sendTestWebhook(id) to another app's or the other mode's endpoint",
    may: ADMINS,
    outcome: 'NOT_FOUND',
    document: 'mutation($id: ID!) { sendTestWebhook(id: $id) { id eventId } }',
    targets: foreignEndpoints,
    mutation: true,
  },
  {
    field: 'Mutation.retryWebhookDelivery(id)',
    title: "retryWebhookDelivery(id) of another app's or the other mode's delivery",
    may: ADMINS,
    outcome: 'NOT_FOUND',
    document: 'mutation($id: ID!) { retryWebhookDelivery(id: $id) { id status } }',
    targets: foreignDeliveries,
    mutation: true,
  },
  // ---- Mode inputs of mutations: never create or mint across modes
  {
    field: 'Mutation.createApiKey(input.mode)',
    title: 'createApiKey of a publishable key in the other mode of its own app',
    may: PUBLISHABLE_CREATORS,
    outcome: 'MODE',
    document: 'mutation($a: ID!, $mode: KeyMode!) { createApiKey(input: { appId: $a, name: "hijacked", kind: PUBLISHABLE, mode: $mode }) { secret apiKey { id } } }',
    targets: otherModeOfOwnApp,
    mutation: true,
  },
  {
    field: 'Mutation.createApiKey(input.mode)',
    title: 'createApiKey of a secret key in the other mode of its own app',
    may: ADMINS,
    outcome: 'MODE',
    document: 'mutation($a: ID!, $mode: KeyMode!) { createApiKey(input: { appId: $a, name: "hijacked", kind: SECRET, role: READ_ONLY, mode: $mode }) { secret apiKey { id } } }',
    targets: otherModeOfOwnApp,
    mutation: true,
  },
  {
    field: 'Mutation.sessionAccess(input.mode)',
    title: 'sessionAccess in the other mode of its own app',
    may: MINTERS,
    outcome: 'MODE',
    document: 'mutation($a: ID!, $mode: KeyMode) { sessionAccess(input: { appId: $a, mode: $mode, userId: "hijacker" }) { token tokenId } }',
    targets: otherModeOfOwnApp,
    mutation: true,
  },
];

// ---------------------------------------------------------------------------------------
// Which arguments must have a row: derived from the emitted schema
// ---------------------------------------------------------------------------------------

const SCHEMA = buildSchema(readFileSync(join(__dirname, '../../schema/schema.graphql'), 'utf8'));

/** Does this (possibly wrapped) type name an object (ID) or a mode (KeyMode)? */
const scoping = (type: GraphQLNamedType) => type.name === 'ID' || type.name === 'KeyMode';

/** `arg` or `arg.field.field` for every ID/KeyMode reachable through an argument's input objects. */
function scopingPaths(name: string, type: GraphQLInputType, seen = new Set<string>()): string[] {
  const named = getNamedType(type);
  if (scoping(named)) return [name];
  if (!isInputObjectType(named) || seen.has(named.name)) return [];
  const next = new Set(seen).add(named.name);
  return Object.values(named.getFields()).flatMap((f) => scopingPaths(`${name}.${f.name}`, f.type, next));
}

/** Every `Type.field(path)` of the schema whose argument names an object or a mode, on every object type (Query, Mutation and nested fields). */
function scopingArguments(): string[] {
  return Object.values(SCHEMA.getTypeMap())
    .filter(isObjectType)
    .filter((t) => !t.name.startsWith('__'))
    .flatMap((t) => Object.values(t.getFields()).flatMap((f) => f.args.flatMap((a: GraphQLArgument) => scopingPaths(a.name, a.type).map((p) => `${t.name}.${f.name}(${p})`))));
}

describe('the matrix covers the schema', () => {
  it('sees the id-taking arguments it is checked against (sanity)', () => {
    expect(scopingArguments()).toEqual(expect.arrayContaining(['Query.apiKey(id)', 'Mutation.createApiKey(input.appId)', 'Mutation.sessionAccess(input.mode)', 'App.usage(mode)']));
  });

  it('has a row for every argument of schema/schema.graphql that names an object (ID) or a mode (KeyMode)', () => {
    const covered = new Set(ROWS.map((r) => r.field));
    const missing = scopingArguments().filter((f) => !covered.has(f));
    expect(missing, 'add a row to ROWS for each (who may call it, which foreign ids to try, what the answer is)').toEqual([]);
  });

  it('has no stale rows: every row names an argument the schema has', () => {
    const all = new Set(scopingArguments());
    expect(ROWS.map((r) => r.field).filter((f) => !all.has(f))).toEqual([]);
  });

  it('tries every kind of app key in both modes', () => {
    expect(callers.map((c) => `${c.mode} ${c.who}`).sort()).toEqual(MODES.flatMap((m) => WHO.map((w) => `${m} ${w}`)).sort());
  });
});

// ---------------------------------------------------------------------------------------
// Running it
// ---------------------------------------------------------------------------------------

/** What a client could use to tell "exists elsewhere" from "does not exist". */
function visible(result: GraphQLResult<unknown>) {
  return { status: result.status, data: result.data, errors: result.errors?.map((e) => ({ message: e.message, path: e.path, code: e.extensions?.code, reason: e.extensions?.reason })) };
}

function expectNothingOf(result: GraphQLResult<unknown>, hidden: Thing[]) {
  const text = JSON.stringify({ data: result.data, errors: result.errors });
  for (const thing of hidden) {
    expect(text, `the answer shows ${thing.name}`).not.toContain(thing.id);
    expect(text, `the answer shows ${thing.name}`).not.toContain(thing.name);
  }
}

/** Root's count for the same request: the filtered list does hold something, for someone allowed to see it. */
const rootCounts = new Map<string, number>();
async function rootCount(row: Row, target: Target): Promise<number> {
  const key = `${row.document} ${JSON.stringify(target.vars)}`;
  if (!rootCounts.has(key)) {
    const result = await server.root.raw<Record<string, any>>(row.document, target.vars);
    expect(result.errors, JSON.stringify(result.errors)).toBeUndefined();
    rootCounts.set(key, row.count!(result.data!));
  }
  return rootCounts.get(key)!;
}

const expectation = (row: Row, who: Who): string =>
  !row.may.includes(who) ? 'FORBIDDEN (INSUFFICIENT_ROLE)' : row.outcome === 'MODE' ? 'FORBIDDEN (MODE_MISMATCH)' : row.outcome === 'EMPTY' ? 'nothing' : 'NOT_FOUND';

const EVERY_CALLER = MODES.flatMap((mode) => WHO.map((who) => ({ mode, who, name: `A's ${mode} ${who === 'publishable' ? 'publishable' : who} key` })));

for (const row of ROWS) {
  describe(`${row.field}: ${row.title}`, () => {
    for (const { mode, who, name } of EVERY_CALLER.filter((c) => !row.mode || c.mode === row.mode)) {
      // Targets are made in beforeAll, so each test enumerates its own when it runs.
      it(`${name} gets ${expectation(row, who)}`, async () => {
        const caller = callerOf(who, mode);
        const before = row.mutation ? await snapshot() : undefined;
        for (const target of row.targets(caller)) {
          const label = `${caller.label} → ${target.label}: expected ${expectation(row, who)}`;
          const result = await caller.client.raw<Record<string, any>>(row.document, target.vars);
          expectNothingOf(result, target.hidden);

          if (!row.may.includes(who) || row.outcome === 'MODE') {
            const reason = row.may.includes(who) ? 'MODE_MISMATCH' : 'INSUFFICIENT_ROLE';
            expect(result.errors, label).toHaveLength(1);
            expect(result.errors![0].extensions, label).toMatchObject({ code: 'FORBIDDEN', reason });
            expect(result.status, label).toBe(403);
            expect(Object.values(result.data ?? {}).every((v) => v === null), label).toBe(true);
          } else if (row.outcome === 'NOT_FOUND') {
            expect(codeOf(result), `${label}; got ${JSON.stringify(result.errors ?? result.data)}`).toBe('NOT_FOUND');
            expect(Object.values(result.data ?? {}).every((v) => v === null), label).toBe(true);
          } else {
            expect(result.errors, `${label}; got ${JSON.stringify(result.errors)}`).toBeUndefined();
            expect(row.count!(result.data!), `${label}; got ${JSON.stringify(result.data)}`).toBe(0);
            expect(await rootCount(row, target), `root sees something there (else the case proves nothing): ${target.label}`).toBeGreaterThan(0);
          }
          if (target.unknownVars) {
            const unknown = await caller.client.raw(row.document, target.unknownVars);
            expect(visible(result), `${label}: indistinguishable from an id that does not exist`).toEqual(visible(unknown));
          }
        }
        if (before) expect(await snapshot(), `${caller.label}, ${row.title}: root reads the same state afterwards`).toEqual(before);
      });
    }
  });
}

// ---------------------------------------------------------------------------------------
// Session tokens and the REST twins of the mutations
// ---------------------------------------------------------------------------------------

/** Tokens of A's other mode and of B (both modes). */
const foreignTokens = (c: Caller) =>
  (
    [
      ['A', other(c.mode)],
      ['B', c.mode],
      ['B', other(c.mode)],
    ] as const
  ).map(([app, mode]) => ({ label: `a token of ${app === 'A' ? "A's" : "B's"} ${mode} mode`, token: tokens[app][mode] }));

const rest = (path: string, caller: Caller, body: unknown) =>
  fetch(`${server.baseUrl}${path}`, { method: 'POST', headers: { authorization: `Bearer ${caller.secret}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });

describe('a session token of another app or of the other mode is inactive to an app key (DESIGN.md "Domain": a key sees only its own mode\'s tokens)', () => {
  it('root sees every target token active (the control)', async () => {
    for (const app of ['A', 'B'] as const) {
      for (const mode of MODES) {
        const result = await server.root.raw<{ introspectToken: { active: boolean } }>('query($t: String!) { introspectToken(token: $t) { active } }', { t: tokens[app][mode] });
        expect(result.data?.introspectToken.active, `${app} ${mode}`).toBe(true);
      }
    }
  });

  for (const { mode, who, name } of EVERY_CALLER) {
    it(`introspectToken, as ${name}: ${READERS.includes(who) ? 'inactive, with nothing of the token' : 'FORBIDDEN (the role may not introspect)'}`, async () => {
      const caller = callerOf(who, mode);
      for (const { label, token } of foreignTokens(caller)) {
        const result = await caller.client.raw('query($t: String!) { introspectToken(token: $t) { active tokenId appId keyId userId channelId mode services issuedAt expiresAt } }', { t: token });
        if (READERS.includes(who)) {
          expect(result.errors, label).toBeUndefined();
          expect(result.data, label).toEqual({
            introspectToken: { active: false, tokenId: null, appId: null, keyId: null, userId: null, channelId: null, mode: null, services: null, issuedAt: null, expiresAt: null },
          });
        } else {
          expect(result.status, label).toBe(403);
          expect(result.errors?.[0].extensions, label).toMatchObject({ code: 'FORBIDDEN', reason: 'INSUFFICIENT_ROLE' });
        }
      }
    });
  }

  for (const { mode, who, name } of EVERY_CALLER) {
    it(`POST /oauth/introspect, as ${name}: ${who === 'publishable' ? '403 permission_denied' : 'exactly {"active":false}'}`, async () => {
      const caller = callerOf(who, mode);
      for (const { label, token } of foreignTokens(caller)) {
        const response = await rest('/oauth/introspect', caller, { token });
        const body = await response.json();
        if (who === 'publishable') {
          expect(response.status, label).toBe(403);
          expect(body, label).toEqual({ error: expect.objectContaining({ code: 'permission_denied' }) });
        } else {
          expect(response.status, label).toBe(200);
          expect(body, label).toEqual({ active: false });
        }
      }
    });
  }
});

describe('POST /session_access names an app or a mode the key does not own (the REST twin of sessionAccess)', () => {
  for (const { mode, who, name } of EVERY_CALLER) {
    it(`as ${name}: ${MINTERS.includes(who) ? '404 not_found for another app (as for an unknown one), 403 MODE_MISMATCH for the other mode' : '403 INSUFFICIENT_ROLE for both'}`, async () => {
      const caller = callerOf(who, mode);
      const foreign = await rest('/session_access', caller, { user_id: 'hijacker', app_id: appB.id });
      const foreignText = await foreign.text();
      const unknown = await rest('/session_access', caller, { user_id: 'hijacker', app_id: UNKNOWN.app });
      expect(foreignText).not.toContain(appB.id);
      expect({ status: foreign.status, body: JSON.parse(foreignText) }).toEqual({ status: unknown.status, body: await unknown.json() });
      const otherMode = await rest('/session_access', caller, { user_id: 'hijacker', app_id: appA.id, mode: other(mode) });
      const otherModeBody = await otherMode.json();
      if (MINTERS.includes(who)) {
        expect(foreign.status).toBe(404);
        expect(JSON.parse(foreignText)).toEqual({ error: expect.objectContaining({ code: 'not_found' }) });
        expect(otherMode.status).toBe(403);
        expect(otherModeBody).toEqual({ error: expect.objectContaining({ code: 'permission_denied', reason: 'MODE_MISMATCH' }) });
      } else {
        expect(foreign.status).toBe(403);
        expect(JSON.parse(foreignText)).toEqual({ error: expect.objectContaining({ code: 'permission_denied', reason: 'INSUFFICIENT_ROLE' }) });
        expect(otherMode.status).toBe(403);
        expect(otherModeBody).toEqual({ error: expect.objectContaining({ code: 'permission_denied', reason: 'INSUFFICIENT_ROLE' }) });
      }
    });
  }
});

describe('after every refused attempt above', () => {
  it('root reads exactly the state of before the matrix: no app, key, rotation or audit trail changed', async () => {
    const now = await snapshot();
    expect(JSON.stringify(now)).not.toContain('hijack');
    expect(JSON.stringify(now)).not.toContain('evil.example');
    expect(now).toEqual(baseline);
  });
});
