import { allow, type IRules, rule, shield } from 'graphql-shield';
import type { Rule } from 'graphql-shield/typings/rules';
import type { Context } from '../../context';
import { ForbiddenError } from '../../errors';
import { KeyKind } from '../keys/key-enums';
import { type Permission, can } from './permissions';

/**
 * The permission map: every field of the schema names its rule here, and anything
 * missing is denied (fallbackRule). Rules check roles only; which app and mode an
 * object belongs to is checked by the services (tenancy.ts).
 * A test walks the emitted schema and fails on any field without an explicit rule.
 */

const cache = new Map<Permission, Rule>();
/** The principal holds `permission` (evaluated once per request and rule). */
export function needs(permission: Permission): Rule {
  let r = cache.get(permission);
  if (!r) {
    r = rule(`needs:${permission}`, { cache: 'contextual' })((_p, _a, ctx: Context) => can(ctx.principal, permission));
    cache.set(permission, r);
  }
  return r;
}

/** Any authenticated principal. Object fields use it: access is decided where objects are fetched. */
export const authenticated = rule('authenticated', { cache: 'contextual' })((_p, _a, ctx: Context) => ctx.principal !== null);

/** Creating a publishable key needs READ_WRITE; a secret key needs ADMIN. */
const canCreateKey = rule('canCreateKey', { cache: 'strict' })((_p, args: { input?: { kind?: KeyKind } }, ctx: Context) =>
  can(ctx.principal, args.input?.kind === KeyKind.PUBLISHABLE ? 'keys:create_publishable' : 'keys:create_secret'),
);

const objectTypes = [
  'Viewer',
  'App',
  'AppConnection',
  'AppEdge',
  'ApiKey',
  'ApiKeyConnection',
  'ApiKeyEdge',
  'CreateApiKeyPayload',
  'AuditEvent',
  'AuditEventConnection',
  'AuditEventEdge',
  'Rotation',
  'RotationConnection',
  'RotationEdge',
  'RotateApiKeyPayload',
  'SessionToken',
  'TokenIntrospection',
  'SigningKey',
  'RateLimit',
  'KeyCredits',
  'CreditRefill',
  'AuditChainVerification',
  'WebhookDelivery',
  'WebhookDeliveryConnection',
  'WebhookDeliveryEdge',
  'WebhookEndpointConnection',
  'WebhookEndpointEdge',
  'CreateWebhookEndpointPayload',
  'RootKey',
  'CreateRootKeyPayload',
  'TrustedDocument',
  'TrustedDocumentConnection',
  'TrustedDocumentEdge',
] as const;

/**
 * Types that hold only values (no ids of other objects, nothing fetched): they are reached
 * only through a field the map guards (`usage`, a connection's `pageInfo`), so they are
 * `allow`ed as a whole, and schema.ts leaves their fields unwrapped; the cost estimate counts
 * a list of them like a list of scalars (graphql-cost.ts). Checking each field
 * again protects nothing and costs a promise per field: ten times the execution time of a
 * two-year usage list (measured), which one tenant could spend against all others.
 */
export const VALUE_TYPES = ['UsageBucket', 'PageInfo', 'AppScope', 'OperationUsage', 'GatewayStatus', 'GatewayFieldRule'] as const;

export const permissionMap: IRules = {
  Query: {
    viewer: needs('viewer:read'),
    apps: needs('apps:read'),
    app: needs('apps:read'),
    apiKey: needs('keys:read'),
    auditEvents: needs('audit:read'),
    rotations: needs('rotations:read'),
    introspectToken: needs('tokens:introspect'),
    verifyAuditChain: needs('audit:read'),
    signingKeys: needs('signing_keys:read'),
    webhookEndpoints: needs('webhooks:read'),
    rootKeys: needs('root_keys:manage'),
    // The deployment's gateway as every secret key's product meets it: which scopes its fields need is what
    // a key's scopes are granted for, and the upstream is shown without credentials (gateway-status.ts).
    gateway: needs('gateway:read'),
  },
  Mutation: {
    createApp: needs('apps:create'),
    updateApp: needs('apps:update'),
    deleteApp: needs('apps:delete'),
    createApiKey: canCreateKey,
    updateApiKey: needs('keys:update'),
    revokeApiKey: needs('keys:revoke'),
    rotateApiKey: needs('keys:rotate'),
    completeRotation: needs('rotations:complete'),
    sessionAccess: needs('sessions:create'),
    rotateSigningKey: needs('signing_keys:rotate'),
    createWebhookEndpoint: needs('webhooks:manage'),
    updateWebhookEndpoint: needs('webhooks:manage'),
    deleteWebhookEndpoint: needs('webhooks:manage'),
    sendTestWebhook: needs('webhooks:manage'),
    retryWebhookDelivery: needs('webhooks:manage'),
    createRootKey: needs('root_keys:manage'),
    revokeRootKey: needs('root_keys:manage'),
    registerTrustedDocuments: needs('trusted_documents:manage'),
    removeTrustedDocument: needs('trusted_documents:manage'),
  },
  ...Object.fromEntries(objectTypes.map((type) => [type, { '*': authenticated }])),
  ...Object.fromEntries(VALUE_TYPES.map((type) => [type, allow])),
  // Scopes are read wherever their object is: an app's declared scopes by any of its keys
  // (publishable ones through viewer.app), a key's grants by whoever may read the key.
  Viewer: { '*': authenticated, scopes: authenticated },
  App: { '*': authenticated, apiKeys: needs('keys:read'), usage: needs('usage:read'), scopes: authenticated, trustedDocuments: needs('trusted_documents:read') },
  ApiKey: { '*': authenticated, usage: needs('usage:read'), operations: needs('usage:read'), scopes: authenticated },
  WebhookEndpoint: { '*': authenticated, deliveries: needs('webhooks:read') },
};

export function permissions() {
  return shield(permissionMap, {
    fallbackRule: rule('deny', { cache: 'contextual' })(() => false),
    fallbackError: () => new ForbiddenError(),
    allowExternalErrors: true,
    debug: false,
  });
}
