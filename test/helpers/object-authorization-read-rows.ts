import { type Row, foreignKeys, otherApp, otherModeOfOwnApp, otherModeOfA } from './object-authorization-matrix';
import { ADMINS, READERS, appA, keys, callerOf, other } from './object-authorization-world';

/** Rows of the object-authorization matrix for reads: queries naming an object, filters naming another mode's objects, mode arguments. */

export const READ_ROWS: Row[] = [
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
  // ---- Webhook endpoints (ADMIN and root only)
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
];
