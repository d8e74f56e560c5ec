import { schemas } from './openapi.schemas';

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

const authErrors = {
  '401': error('Missing, malformed, unknown, revoked or expired credential (`reason` says which).'),
  '403': error('Origin not allowed, secret key from a browser, role too low, or HTTPS required.'),
  '429': error('Rate limit of the key, or the client IP’s failed-authentication budget, spent.', retryAfter),
};

const identityHeaders = Object.fromEntries(
  [
    ['X-Keygate-App-Id', 'The app (API keys and tokens).'],
    ['X-Keygate-Key-Id', 'The key, or for a token the key that minted it.'],
    ['X-Keygate-Mode', 'LIVE or TEST.'],
    ['X-Keygate-Kind', 'PUBLISHABLE or SECRET (API keys).'],
    ['X-Keygate-Role', 'READ_ONLY, READ_WRITE or ADMIN (secret keys).'],
    ['X-Keygate-Principal', 'ROOT or API_KEY (keys, not tokens).'],
    ['X-Keygate-User-Id', 'The token’s user (session tokens).'],
    ['X-Keygate-Token-Id', 'The token’s id (session tokens).'],
  ].map(([name, description]) => [name, { description, schema: { type: 'string' } }]),
);

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
        responses: { '200': json(ref('Verification'), 'The key works.'), ...authErrors },
      },
    },
    '/auth/forward': {
      get: {
        operationId: 'forwardAuth',
        summary: 'For nginx auth_request and Traefik ForwardAuth: an API key or a session token.',
        description: 'Origin rules use Origin / X-Forwarded-* as the proxy passes them. Answers only 200, 401 or 403 (a spent rate limit is 403 here).',
        responses: {
          '200': { description: 'Allowed; identity in headers, empty body.', headers: identityHeaders },
          '401': authErrors['401'],
          '403': error('Refused: origin, secret key in a browser, HTTPS required, or a spent rate limit (with Retry-After).'),
        },
      },
      post: { operationId: 'forwardAuthPost', summary: 'As GET (some proxies forward the method).', responses: { '200': { description: 'Allowed.', headers: identityHeaders }, '401': authErrors['401'], '403': authErrors['403'] } },
    },
    '/session_access': {
      post: {
        operationId: 'sessionAccess',
        summary: 'Exchange a key for a short-lived session token for one user.',
        requestBody: { required: true, content: { 'application/json': { schema: ref('SessionAccessRequest') } } },
        responses: { '200': json(ref('SessionToken'), 'A token.'), '400': error('Invalid body (`field` names it).'), ...authErrors, '404': error('Root: no such app.') },
      },
    },
    '/oauth/introspect': {
      post: {
        operationId: 'introspectToken',
        summary: 'RFC 7662 token introspection; the caller authenticates with a secret key.',
        requestBody: {
          required: true,
          content: { 'application/x-www-form-urlencoded': { schema: ref('IntrospectionRequest') }, 'application/json': { schema: ref('IntrospectionRequest') } },
        },
        responses: { '200': json(ref('Introspection'), 'Active with claims, or exactly {"active":false}.'), '400': error('No `token` parameter, or an unsupported content type.'), ...authErrors },
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
      get: { operationId: 'metrics', summary: 'Prometheus metrics.', security: [], responses: { '200': { description: 'Text exposition format.', content: { 'text/plain': { schema: { type: 'string' } } } } } },
    },
    '/openapi.json': {
      get: { operationId: 'openapi', summary: 'This document.', security: [], responses: { '200': { description: 'OpenAPI 3.1.', content: { 'application/json': { schema: { type: 'object' } } } } } },
    },
  },
} as const;
