import fc from 'fast-check';
import { anyToken, base62String, hostileJson, nasty, text, usually } from './fuzz-arbitraries';

/**
 * The real GraphQL operations the fuzz suite sends (fuzz-graphql.security.test.ts), with
 * variables usually of the right type, and the edits it makes to their documents. Ids are
 * placeholders the suite resolves to real objects just before sending.
 */

/** Replaced, just before sending, by a fresh ACTIVE key (so revocation and rotation reach their writes). */
export const FRESH_KEY = '__FRESH_KEY__';

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

export interface FuzzOperation {
  name: string;
  document: string;
  variables: fc.Arbitrary<Record<string, unknown>>;
}

const record = (fields: Record<string, fc.Arbitrary<unknown>>, requiredKeys: string[] = []) => fc.record(fields, { requiredKeys });

export const graphqlOperations = (realToken: () => string): FuzzOperation[] => [
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
    variables: record({ token: usually(anyToken(realToken)) }, ['token']),
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
export const hostileVariables = (operations: FuzzOperation[]) =>
  fc.constantFrom(...operations).chain((op) =>
    fc.record({
      query: fc.constant(op.document),
      variables: fc.oneof({ weight: 12, arbitrary: op.variables }, { weight: 1, arbitrary: hostileJson }),
      operationName: fc.oneof({ weight: 8, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.constant(op.document.split(/[ ({]/)[1]) }, { weight: 1, arbitrary: fc.string() }),
      caller,
    }),
  );

/** One of the real operations with its document edited one to four times. */
export const mutatedDocument = (operations: FuzzOperation[]) =>
  fc.constantFrom(...operations).chain((op) =>
    fc.record({
      query: fc.array(documentEdit, { minLength: 1, maxLength: 4 }).map((edits) => edits.reduce(editDocument, op.document)),
      variables: op.variables,
      operationName: fc.constant(undefined),
      caller,
    }),
  );
