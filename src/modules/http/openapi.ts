import { schemas } from './openapi.schemas';
import { IDENTITY_HEADERS, type IdentityHeader } from '../auth/identity-headers';
import { MAX_CREDITS_PER_USE } from '../credits/credit-ledger';

/**
 * GET /openapi.json: the REST surface as OpenAPI 3.1. The GraphQL API describes itself
 * (introspection, schema/schema.graphql); this covers the plain HTTP endpoints that
 * proxies and backends call. Tests validate the document and check every REST response
 * of the suites against it, so it cannot drift from what the server answers.
 */

const json = (schema: object, description: string, headers?: object) => ({ description, ...(headers ? { headers } : {}), content: { 'application/json': { schema } } });
const ref = (name: keyof typeof schemas) => ({ $ref: `#/components/schemas/${name}` });
const error = (description: string, headers?: object) => json(ref('Error'), description, headers);
const retryAfter = { 'Retry-After': { description: 'Seconds to wait.', schema: { type: 'integer' } } };

const challenge = {
  'WWW-Authenticate': { description: '`Bearer realm="keygate"`, plus `error="invalid_token"` when a credential was given (RFC 6750).', required: true, schema: { type: 'string' } },
};

const authErrors = {
  '401': error('Missing, malformed, unknown, revoked, expired or disabled key (`reason` says which).', challenge),
  '403': error('Origin or client IP not allowed, secret key from a browser, role too low, or HTTPS required.'),
  '429': error('Rate limit of the key, or the client IP’s failed-authentication budget, spent (Retry-After).', retryAfter),
};

// A record over IDENTITY_HEADERS (what the route sends), so a new header fails to compile until described.
const IDENTITY_HEADER_DESCRIPTIONS: Record<IdentityHeader, string> = {
  'x-keygate-app-id': 'The app (app keys and tokens).',
  'x-keygate-key-id': 'The key, or for a token the key that minted it.',
  'x-keygate-mode': 'LIVE or TEST (app keys and tokens).',
  'x-keygate-kind': 'PUBLISHABLE or SECRET (app keys).',
  'x-keygate-role': 'READ_ONLY, READ_WRITE or ADMIN (secret keys).',
  'x-keygate-principal': 'ROOT or API_KEY (keys, not tokens).',
  'x-keygate-user-id': 'The token’s user (session tokens).',
  'x-keygate-token-id': 'The token’s id (session tokens).',
  'x-keygate-owner-id': 'The key’s ownerId, percent-encoded (UTF-8) when not printable ASCII (app keys with an owner).',
  'x-keygate-scopes': 'The credential’s effective scopes, space-separated and sorted (a session token: the scopes it carries).',
};
const headerName = (name: string) => name.replace(/(^|-)([a-z])/g, (_, dash: string, c: string) => dash + c.toUpperCase());
/** Always every one of them; empty where it does not apply, so a proxy copying them overwrites a forged one. */
const identityHeaders = Object.fromEntries(
  IDENTITY_HEADERS.map((name) => [headerName(name), { description: `${IDENTITY_HEADER_DESCRIPTIONS[name]} Always sent; empty where it does not apply.`, required: true, schema: { type: 'string' } }]),
);

const costSchema = { type: 'integer', minimum: 0, maximum: MAX_CREDITS_PER_USE, default: 1 };
const costDescription = `Credits this use spends from a key with credits (0 … ${MAX_CREDITS_PER_USE}, default 1); keys without credits spend nothing.`;
const sessionCookie = { 'Set-Cookie': { description: 'keygate_console: HttpOnly, SameSite=Strict, Path=/ (Secure under HTTPS).', schema: { type: 'string' } } };

const forwardCost = {
  name: 'cost',
  in: 'query',
  required: false,
  description: `${costDescription} Written into the auth URL by the proxy's configuration (\`proxy_pass …/auth/forward?cost=2\`), never taken from the client: no request header sets the cost. Not for session tokens.`,
  schema: costSchema,
};
const forwardScope = {
  name: 'scope',
  in: 'query',
  required: false,
  style: 'form',
  explode: true,
  description:
    'Scopes the request requires, every one (repeat: `?scope=orders:read&scope=orders:refund`). Written into the auth URL by the proxy’s configuration per route, never taken from the client. Missing one: 403 `permission_denied`, reason `INSUFFICIENT_SCOPE`, before any credit is spent.',
  schema: { type: 'array', items: { type: 'string' } },
};
const forwardResponses = {
  '200': { description: 'Allowed; identity in headers, empty body.', headers: identityHeaders },
  '401': error('Missing, malformed, unknown, revoked, expired or disabled key, or a session token that does not verify or whose key no longer works.', challenge),
  '403': error('Refused: origin or client IP, secret key in a browser, HTTPS required, a bad `cost` (`invalid_request`, `field: cost`), spent credits (`usage_exceeded`), a spent rate limit (`rate_limited`, with Retry-After), or a required `scope` the credential lacks (`permission_denied`, reason `INSUFFICIENT_SCOPE`).', retryAfter),
};

export const openApiDocument = {
  openapi: '3.1.0',
  info: {
    title: 'Keygate REST API',
    version: '1',
    description:
      'Verification, forward auth, token minting and introspection for reverse proxies and backends. Apps and keys are managed over GraphQL at /graphql.',
  },
  servers: [{ url: '/' }],
  security: [{ bearer: [] }, { apiKey: [] }],
  components: {
    securitySchemes: {
      bearer: { type: 'http', scheme: 'bearer', description: 'Authorization: Bearer <key>' },
      apiKey: { type: 'apiKey', in: 'header', name: 'X-Api-Key', description: 'The same key, for clients that cannot send Authorization.' },
    },
    schemas,
  },
  paths: {
    '/auth/verify': {
      get: {
        operationId: 'verifyKey',
        summary: 'Is this key good, and what is it?',
        description: 'A success counts as a verification and spends `cost` credits. A refusal spends none.',
        parameters: [{ name: 'cost', in: 'query', required: false, description: costDescription, schema: costSchema }],
        responses: {
          '200': json(ref('Verification'), 'The key works.'),
          '400': error(`\`cost\` is not an integer 0 … ${MAX_CREDITS_PER_USE} (\`field: cost\`).`),
          '401': error('Missing, malformed, unknown, revoked, expired or disabled key (`reason` says which).'),
          '403': error('Origin or client IP not allowed, secret key from a browser, or HTTPS required.'),
          '429': error('`rate_limited`: the key’s rate limit or the client IP’s failed-authentication budget is spent (Retry-After); `usage_exceeded`: fewer credits left than `cost`.', retryAfter),
        },
      },
    },
    '/auth/forward': {
      get: {
        operationId: 'forwardAuth',
        summary: 'For nginx auth_request and Traefik ForwardAuth: an API key or a session token.',
        description:
          'Origin rules use Origin / X-Forwarded-* as the proxy passes them. Answers only 200, 401 or 403, since nginx turns anything else into a 500: a spent rate limit, spent credits and a bad `cost` are 403 here.',
        parameters: [forwardCost, forwardScope],
        responses: forwardResponses,
      },
      post: { operationId: 'forwardAuthPost', summary: 'As GET (some proxies forward the method).', parameters: [forwardCost, forwardScope], responses: forwardResponses },
    },
    '/console/session': {
      post: {
        operationId: 'consoleSignIn',
        summary: 'Signs in to the console (/console) with a root or secret key: answers a session cookie.',
        description:
          'The session ends after 30 minutes idle or 12 hours, on sign-out, or when its key stops working. Only from the console’s own origin when an Origin is sent. Absent when KEYGATE_CONSOLE=false.',
        security: [],
        requestBody: { required: true, content: { 'application/json': { schema: ref('ConsoleSignIn') } } },
        responses: {
          '204': { description: 'Signed in.', headers: sessionCookie },
          '400': error('No `key` string in the body (`field: key`).'),
          ...authErrors,
          '403': error('Another site’s origin, a publishable key (`INSUFFICIENT_ROLE`), the key’s IP rule, or HTTPS required.'),
          '413': error('A body over 4 KiB.'),
          '415': error('Not application/json.'),
        },
      },
      delete: {
        operationId: 'consoleSignOut',
        summary: 'Ends the console session of the cookie sent (if any) and clears the cookie.',
        security: [],
        responses: { '204': { description: 'Signed out.', headers: sessionCookie }, '403': error('Another site’s origin, or HTTPS required.'), '429': authErrors['429'] },
      },
    },
    '/secret-scanning/github': {
      post: {
        operationId: 'secretScanningGithub',
        summary: 'GitHub secret scanning partner endpoint: reported strings are checked, and leaked working keys handled.',
        description:
          'The raw body must be signed (ECDSA P-256, SHA-256) by one of the keys in KEYGATE_SECRET_SCANNING_KEYS; nothing of it is interpreted before the signature checks out.',
        security: [],
        parameters: [
          { name: 'Github-Public-Key-Identifier', in: 'header', required: true, description: 'Which configured key signed the body.', schema: { type: 'string' } },
          { name: 'Github-Public-Key-Signature', in: 'header', required: true, description: 'The signature of the raw body, base64 (DER).', schema: { type: 'string' } },
        ],
        requestBody: { required: true, content: { 'application/json': { schema: ref('SecretScanningReport') } } },
        responses: {
          '200': json(ref('SecretScanningAnswer'), 'One answer per reported token, in order.'),
          '400': error('Not a JSON array of {"token","type","url","source"} (at most 1000).'),
          '401': error('Not signed by a configured key.'),
          '403': error('HTTPS required.'),
          '404': error('Secret scanning is not configured (KEYGATE_SECRET_SCANNING_KEYS unset).'),
          '413': error('A body over 1 MiB.'),
          '429': authErrors['429'],
        },
      },
    },
    '/session_access': {
      post: {
        operationId: 'sessionAccess',
        summary: 'Exchange a key for a short-lived session token for one user.',
        description: 'Each mint spends 1 credit from a key with credits (429 `usage_exceeded` when none is left).',
        requestBody: { required: true, content: { 'application/json': { schema: ref('SessionAccessRequest') } } },
        responses: { '200': json(ref('SessionToken'), 'A token.'), '400': error('Invalid body (`field` names it).'), ...authErrors, '404': error('Root: no such app.') },
      },
    },
    '/oauth/introspect': {
      post: {
        operationId: 'introspectToken',
        summary: 'RFC 7662 token introspection; the caller authenticates with a secret key.',
        description:
          'The secret key goes as Bearer / X-Api-Key, or as OAuth client credentials: `client_secret_basic` (HTTP Basic, any client id, the key as the password) or `client_secret_post` (a `client_secret` form field).',
        requestBody: {
          required: true,
          content: { 'application/x-www-form-urlencoded': { schema: ref('IntrospectionRequest') }, 'application/json': { schema: ref('IntrospectionRequest') } },
        },
        responses: { '200': json(ref('Introspection'), 'Active with claims, or exactly {"active":false}.'), '400': error('No `token` parameter, or an unsupported content type.'), ...authErrors },
      },
    },
    '/.well-known/oauth-authorization-server': {
      get: {
        operationId: 'authorizationServerMetadata',
        summary: 'RFC 8414 metadata: the issuer, the JWKS and the introspection endpoint with its client authentication methods.',
        security: [],
        responses: { '200': json(ref('AuthorizationServerMetadata'), 'The metadata (cacheable).') },
      },
    },
    '/.well-known/jwks.json': {
      get: { operationId: 'jwks', summary: 'Public signing keys for offline JWT verification (cacheable).', security: [], responses: { '200': json(ref('Jwks'), 'The JWKS.') } },
    },
    '/healthz': { get: { operationId: 'health', summary: 'The process is up.', security: [], responses: { '200': json(ref('Health'), '{"status":"ok"}') } } },
    '/readyz': {
      get: {
        operationId: 'ready',
        summary: 'The database answers.',
        security: [],
        responses: { '200': json(ref('Health'), '{"status":"ready"}'), '503': json(ref('Health'), 'The database does not answer.') },
      },
    },
    '/metrics': {
      get: {
        operationId: 'metrics',
        summary: 'Prometheus metrics: OpenMetrics 1.0 when the Accept header prefers application/openmetrics-text (as Prometheus does), else the text exposition format.',
        security: [],
        responses: {
          '200': {
            description: 'The metrics, in the format the Accept header chose.',
            content: { 'text/plain': { schema: { type: 'string' } }, 'application/openmetrics-text': { schema: { type: 'string' } } },
          },
        },
      },
    },
    '/openapi.json': {
      get: { operationId: 'openapi', summary: 'This document.', security: [], responses: { '200': { description: 'OpenAPI 3.1.', content: { 'application/json': { schema: { type: 'object' } } } } } },
    },
  },
} as const;
