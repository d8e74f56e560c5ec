import { AuthReason } from '../../errors';
import { KeyKind, KeyMode, KeyRole } from '../keys/key-enums';
import { PERMISSIONS } from '../auth/permissions';
import type { RestErrorCode } from './rest-errors';
import type { LeakLabel } from '../secret-scanning/leak-report.service';

/**
 * The JSON Schemas (OpenAPI 3.1 = JSON Schema 2020-12) of the REST bodies. Enums come
 * from the code, so the description cannot list a value the server does not have.
 */

// A record, so a code added to RestErrorCode fails to compile until it is described here.
const REST_ERROR_CODE_SET: Record<RestErrorCode, true> = {
  authentication_failed: true,
  permission_denied: true,
  invalid_request: true,
  not_found: true,
  conflict: true,
  https_required: true,
  rate_limited: true,
  usage_exceeded: true,
  internal_error: true,
};
const REST_ERROR_CODES = Object.keys(REST_ERROR_CODE_SET) as RestErrorCode[];

// Exhaustive as REST_ERROR_CODE_SET is: a new label fails to compile until described.
const LEAK_LABEL_SET: Record<LeakLabel, true> = { true_positive: true, false_positive: true };
const LEAK_LABELS = Object.keys(LEAK_LABEL_SET) as LeakLabel[];

const nullableString = { type: ['string', 'null'] };
const dateTime = { type: 'string', format: 'date-time' };

export const schemas = {
  Error: {
    type: 'object',
    description: 'Every REST error. `code` is stable; `message` and `details` are for people.',
    required: ['error'],
    additionalProperties: false,
    properties: {
      error: {
        type: 'object',
        required: ['code', 'message'],
        additionalProperties: false,
        properties: {
          code: { type: 'string', enum: REST_ERROR_CODES },
          message: { type: 'string' },
          details: { type: 'string', description: 'What to do about it, e.g. how to send the credential.' },
          reason: { type: 'string', enum: Object.values(AuthReason), description: 'For authentication and permission failures.' },
          field: { type: 'string', description: 'The offending request field, in the request’s snake_case spelling.' },
        },
      },
    },
  },
  Verification: {
    type: 'object',
    required: ['valid', 'type', 'key_id', 'app_id', 'kind', 'mode', 'role', 'permissions', 'scopes', 'expires_at', 'owner_id', 'meta', 'credits', 'rate_limit'],
    additionalProperties: false,
    properties: {
      valid: { const: true },
      type: { type: 'string', enum: ['ROOT', 'API_KEY'] },
      key_id: { type: 'string' },
      app_id: { ...nullableString, description: 'null for root keys' },
      kind: { type: ['string', 'null'], enum: [...Object.values(KeyKind), null] },
      mode: { type: ['string', 'null'], enum: [...Object.values(KeyMode), null] },
      role: { type: ['string', 'null'], enum: [...Object.values(KeyRole), null], description: 'Secret keys only.' },
      permissions: { type: 'array', items: { type: 'string', enum: [...PERMISSIONS] } },
      scopes: {
        type: 'array',
        items: { type: 'string' },
        description: 'Effective scopes, sorted: built in from kind and role (public, read, write, admin) plus the custom ones granted; none for root keys.',
      },
      expires_at: { type: ['string', 'null'], format: 'date-time' },
      owner_id: { ...nullableString, description: 'The key’s ownerId, null when unset and for root keys.' },
      meta: { type: ['object', 'null'], description: 'The key’s meta object as stored, null when unset and for root keys.' },
      credits: {
        oneOf: [
          { type: 'object', required: ['remaining'], additionalProperties: false, properties: { remaining: { type: 'integer', minimum: 0, description: 'After this call’s cost was spent.' } } },
          { type: 'null' },
        ],
        description: 'null for a key without credits (and root keys).',
      },
      rate_limit: {
        oneOf: [
          {
            type: 'object',
            required: ['limit', 'remaining', 'reset'],
            additionalProperties: false,
            properties: { limit: { type: 'integer' }, remaining: { type: 'integer', minimum: 0 }, reset: { ...dateTime, description: 'When the current window ends.' } },
          },
          { type: 'null' },
        ],
        description: 'null for a key without a rate limit (and root keys).',
      },
    },
  },
  SessionAccessRequest: {
    type: 'object',
    required: ['user_id'],
    additionalProperties: false,
    properties: {
      app_id: { type: 'string', description: 'Root keys only: the app to mint for.' },
      mode: { type: 'string', enum: Object.values(KeyMode), description: 'Root keys only.' },
      user_id: { type: 'string' },
      channel_id: { type: 'string' },
      token_lifetime: { type: 'integer', description: "Seconds, 60 … the app's max_token_lifetime; default the app's default_token_lifetime." },
      services: {
        type: 'object',
        additionalProperties: false,
        properties: {
          media: {
            type: 'object',
            additionalProperties: false,
            properties: { allow_publish_audio: { type: 'boolean' }, allow_publish_video: { type: 'boolean' } },
          },
        },
      },
      scopes: {
        type: 'array',
        items: { type: 'string' },
        description: "The token's scopes: fewer than the key's effective scopes (default all). A scope the key lacks is refused: 403 permission_denied, reason INSUFFICIENT_SCOPE.",
      },
    },
  },
  SessionToken: {
    type: 'object',
    required: ['token', 'token_id', 'expires_at', 'refresh_at'],
    additionalProperties: false,
    properties: {
      token: { type: 'string', description: 'A JWT (EdDSA, typ session+jwt).' },
      token_id: { type: 'string' },
      expires_at: dateTime,
      refresh_at: { ...dateTime, description: 'When to fetch a new token (80 % of the lifetime).' },
    },
  },
  IntrospectionRequest: {
    type: 'object',
    required: ['token'],
    properties: {
      token: { type: 'string' },
      token_type_hint: { type: 'string' },
      client_id: { type: 'string', description: 'client_secret_post: any value.' },
      client_secret: { type: 'string', description: 'client_secret_post: the caller’s secret key (instead of an Authorization header).' },
    },
  },
  Introspection: {
    oneOf: [
      { type: 'object', required: ['active'], additionalProperties: false, properties: { active: { const: false } } },
      {
        type: 'object',
        required: ['active', 'token_type', 'iss', 'sub', 'aud', 'exp', 'iat', 'jti', 'scope', 'client_id', 'mode'],
        additionalProperties: false,
        properties: {
          active: { const: true },
          token_type: { const: 'session+jwt' },
          iss: { type: 'string' },
          sub: { type: 'string', description: 'The user id.' },
          aud: { type: 'string', description: 'The app id.' },
          exp: { type: 'integer' },
          iat: { type: 'integer' },
          jti: { type: 'string', description: 'The token id.' },
          scope: { type: 'string', description: 'Space-separated, sorted: `session`, `media:publish_audio` / `media:publish_video` when granted, and the scopes the token was minted with, less any its minting key no longer holds.' },
          client_id: { type: 'string', description: 'The id of the key that minted the token.' },
          mode: { type: 'string', enum: Object.values(KeyMode) },
          channel_id: { type: 'string' },
          services: { type: 'object' },
        },
      },
    ],
  },
  Jwks: {
    type: 'object',
    required: ['keys'],
    additionalProperties: false,
    properties: {
      keys: {
        type: 'array',
        items: {
          type: 'object',
          required: ['kty', 'crv', 'x', 'kid', 'alg', 'use'],
          oneOf: [
            { properties: { kty: { const: 'OKP' }, crv: { const: 'Ed25519' }, alg: { const: 'EdDSA' } } },
            { required: ['y'], properties: { kty: { const: 'EC' }, crv: { const: 'P-256' }, alg: { const: 'ES256' }, y: { type: 'string' } } },
          ],
          properties: { kty: { type: 'string' }, crv: { type: 'string' }, x: { type: 'string' }, y: { type: 'string' }, kid: { type: 'string' }, alg: { type: 'string' }, use: { const: 'sig' } },
        },
      },
    },
  },
  AuthorizationServerMetadata: {
    type: 'object',
    required: ['issuer', 'jwks_uri', 'introspection_endpoint', 'introspection_endpoint_auth_methods_supported', 'response_types_supported'],
    properties: {
      issuer: { type: 'string', description: 'KEYGATE_PUBLIC_URL: the `iss` of every token.' },
      jwks_uri: { type: 'string' },
      introspection_endpoint: { type: 'string' },
      introspection_endpoint_auth_methods_supported: { type: 'array', items: { type: 'string', enum: ['client_secret_basic', 'client_secret_post'] } },
      response_types_supported: { type: 'array', maxItems: 0, description: 'Empty: tokens are minted through the API, not an authorization endpoint.' },
      service_documentation: { type: 'string' },
    },
  },
  ConsoleSignIn: {
    type: 'object',
    required: ['key'],
    properties: { key: { type: 'string', minLength: 1, maxLength: 512, description: 'A root key or a secret key (publishable keys are refused).' } },
  },
  SecretScanningReport: {
    type: 'array',
    maxItems: 1000,
    description: 'GitHub’s secret scanning partner report; unknown fields are ignored.',
    items: {
      type: 'object',
      required: ['token'],
      properties: { token: { type: 'string', maxLength: 4096 }, type: { type: 'string' }, url: { type: ['string', 'null'] }, source: { type: ['string', 'null'] } },
    },
  },
  SecretScanningAnswer: {
    type: 'array',
    items: {
      type: 'object',
      required: ['token_hash', 'token_type', 'label'],
      additionalProperties: false,
      properties: {
        token_hash: { type: 'string', pattern: '^[0-9a-f]{64}$', description: 'SHA-256 (hex) of the reported token, never the token.' },
        token_type: { type: 'string', description: 'The reported `type`, echoed.' },
        label: { type: 'string', enum: LEAK_LABELS, description: 'true_positive: a secret or root key of this deployment (a working one is now audited, announced and, by the app’s policy, revoked).' },
      },
    },
  },
  Health: { type: 'object', required: ['status'], additionalProperties: false, properties: { status: { type: 'string' } } },
} as const;
