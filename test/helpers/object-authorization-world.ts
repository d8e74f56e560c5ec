import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../src/shared/ids';
import { createApp, createKey } from './fixtures';
import type { GraphQLClient } from './graphql-client';
import { startTestServer, type TestServer } from './test-server';
import { type Receiver, startReceiver } from './webhook-receiver';

/**
 * The world of the object-authorization suites (object-authorization-*.security.test.ts):
 * apps A and B, each with keys, a rotation, a session token, a webhook endpoint and a
 * delivery in both modes, made by root; and the callers — every kind of app key of A in
 * both modes. objectAuthorizationWorld() builds it before a suite's tests (the bindings
 * below are filled in then) and takes root's snapshot of it, which afterEveryRefusal()
 * compares at the end.
 */

export type Who = 'publishable' | 'READ_ONLY' | 'READ_WRITE' | 'ADMIN';
export type Mode = 'TEST' | 'LIVE';
export const WHO: Who[] = ['publishable', 'READ_ONLY', 'READ_WRITE', 'ADMIN'];
export const MODES: Mode[] = ['TEST', 'LIVE'];
export const other = (mode: Mode): Mode => (mode === 'TEST' ? 'LIVE' : 'TEST');

/** DESIGN.md "Who may do what", for app keys. */
export const READERS: Who[] = ['READ_ONLY', 'READ_WRITE', 'ADMIN'];
export const MINTERS: Who[] = ['publishable', 'READ_WRITE', 'ADMIN'];
export const PUBLISHABLE_CREATORS: Who[] = ['READ_WRITE', 'ADMIN'];
export const ADMINS: Who[] = ['ADMIN'];
export const ROOT_ONLY: Who[] = [];

export interface Caller {
  who: Who;
  mode: Mode;
  id: string;
  client: GraphQLClient;
  secret: string;
  label: string;
}

/** An object of someone else's: its id, and what of it must never show in an answer. */
export interface Thing {
  id: string;
  name: string;
}

export let server: TestServer;
export let appA: Thing;
export let appB: Thing;
/** The deployment's root key (root keys belong to no app: only root may touch them). */
export let rootKeyId: string;
export const callers: Caller[] = [];
/** keys[app][mode][kind]: the target keys, made by root. */
export const keys: Record<'A' | 'B', Record<Mode, Record<'secret' | 'publishable', Thing>>> = { A: {} as never, B: {} as never };
export const rotations: Record<'A' | 'B', Record<Mode, Thing>> = { A: {} as never, B: {} as never };
/** Webhook endpoints (named by their URL) and a delivery to each, made by root. */
export const endpoints: Record<'A' | 'B', Record<Mode, Thing>> = { A: {} as never, B: {} as never };
export const deliveries: Record<'A' | 'B', Record<Mode, Thing>> = { A: {} as never, B: {} as never };
export let receiver: Receiver;
/** Session tokens minted by root in each app and mode. */
export const tokens: Record<'A' | 'B', Record<Mode, string>> = { A: {} as never, B: {} as never };
export let baseline: unknown;

export const callerOf = (who: Who, mode: Mode) => callers.find((c) => c.who === who && c.mode === mode)!;

export const UNKNOWN = { app: newId('app'), key: newId('key'), rotation: newId('rot'), endpoint: newId('whk'), delivery: newId('dlv'), document: newId('doc') };

/** A persisted-documents manifest of one document, as graphql-codegen writes it. */
export function manifestOf(document: string): Record<string, string> {
  return { [createHash('sha256').update(document).digest('hex')]: document };
}

/** A trusted document of app B (the gateway's registry), for the rows that name one. */
export let documentOfB: Thing;

export const EVERY_CALLER = MODES.flatMap((mode) => WHO.map((who) => ({ mode, who, name: `A's ${mode} ${who === 'publishable' ? 'publishable' : who} key` })));

export function objectAuthorizationWorld(): void {
  beforeAll(async () => {
    // Test files share a worker's modules (vitest.config.ts): start from no callers, not the last file's.
    callers.length = 0;
    server = await startTestServer({
      env: {
        // Hundreds of refusals from one address are the point here, not an attack to throttle;
        // the root snapshot query is bigger than the default document limits allow.
        KEYGATE_AUTH_FAILURES_PER_IP: '0',
        KEYGATE_GRAPHQL_MAX_ALIASES: '50',
        KEYGATE_GRAPHQL_MAX_COST: '1000000',
        KEYGATE_GRAPHQL_MAX_TOKENS: '20000',
        KEYGATE_GRAPHQL_MAX_DEPTH: '20',
        // The rotations' grace (an hour) is inside rotation.grace_ending's notice: a scan in
        // the middle of a suite would add deliveries to the endpoints, which root's snapshot
        // reads. Scanned once an hour, it stays out of a suite's minutes.
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

    const registered = await server.root.raw<{ registerTrustedDocuments: number }>('mutation($b: ID!, $docs: JSON!) { registerTrustedDocuments(appId: $b, documents: $docs) }', {
      b: appB.id,
      docs: manifestOf('query BOrders { __typename }'),
    });
    expect(registered.data).toEqual({ registerTrustedDocuments: 1 });
    const listed = await server.root.raw<{ app: { trustedDocuments: { nodes: { id: string }[] } } }>('query($b: ID!) { app(id: $b) { trustedDocuments(first: 1) { nodes { id } } } }', { b: appB.id });
    documentOfB = { id: listed.data!.app.trustedDocuments.nodes[0].id, name: 'BOrders' };

    baseline = await snapshot();
  });
  afterAll(async () => {
    await server?.close();
    await receiver?.close();
  });
}

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
export async function snapshot() {
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

export function afterEveryRefusal(): void {
  describe('after every refused attempt above', () => {
    it('root reads exactly the state of before: no app, key, rotation or audit trail changed', async () => {
      const now = await snapshot();
      expect(JSON.stringify(now)).not.toContain('hijack');
      expect(JSON.stringify(now)).not.toContain('evil.example');
      expect(now).toEqual(baseline);
    });
  });
}
