import { GraphQLError } from 'graphql';

/** Error codes of the contract (extensions.code). */
export enum ErrorCode {
  UNAUTHENTICATED = 'UNAUTHENTICATED',
  FORBIDDEN = 'FORBIDDEN',
  BAD_USER_INPUT = 'BAD_USER_INPUT',
  NOT_FOUND = 'NOT_FOUND',
  CONFLICT = 'CONFLICT',
  RATE_LIMITED = 'RATE_LIMITED',
  /** Added to the contract: the request ran past its time budget; ask for less at once. */
  TIMEOUT = 'TIMEOUT',
  /** The gateway's upstream could not be reached (HTTP 502) or did not answer in time (HTTP 504). */
  UPSTREAM_UNAVAILABLE = 'UPSTREAM_UNAVAILABLE',
  UPSTREAM_TIMEOUT = 'UPSTREAM_TIMEOUT',
  INTERNAL_SERVER_ERROR = 'INTERNAL_SERVER_ERROR',
}

/** Reasons of the contract (extensions.reason) for authentication and authorisation failures. */
export enum AuthReason {
  KEY_MISSING = 'KEY_MISSING',
  KEY_MALFORMED = 'KEY_MALFORMED',
  KEY_INVALID = 'KEY_INVALID',
  KEY_REVOKED = 'KEY_REVOKED',
  KEY_EXPIRED = 'KEY_EXPIRED',
  ORIGIN_NOT_ALLOWED = 'ORIGIN_NOT_ALLOWED',
  SECRET_KEY_IN_BROWSER = 'SECRET_KEY_IN_BROWSER',
  INSUFFICIENT_ROLE = 'INSUFFICIENT_ROLE',
  HTTPS_REQUIRED = 'HTTPS_REQUIRED',
  /** Added to the contract: a key acting on the other mode (test vs live). */
  MODE_MISMATCH = 'MODE_MISMATCH',
  /** Added to the contract: the key's rate limit, or the client IP's failed-authentication budget, is spent. */
  RATE_LIMITED = 'RATE_LIMITED',
  /** Added to the contract: the console session cookie is unknown, signed out, idle too long or past its 12 h. */
  SESSION_EXPIRED = 'SESSION_EXPIRED',
  /** Key controls (DESIGN.md): the key is switched off, out of credits, or used from an address not on its list. */
  KEY_DISABLED = 'KEY_DISABLED',
  USAGE_EXCEEDED = 'USAGE_EXCEEDED',
  IP_NOT_ALLOWED = 'IP_NOT_ALLOWED',
  /** Scopes (DESIGN.md): the credential lacks a scope the field, route or request needs (a root key has none for the product's API). */
  INSUFFICIENT_SCOPE = 'INSUFFICIENT_SCOPE',
  /** Gateway (DESIGN.md): the app's trusted-documents policy admits only registered documents, and this one is not. */
  DOCUMENT_NOT_TRUSTED = 'DOCUMENT_NOT_TRUSTED',
}

/** REST error codes of the contract (snake_case). */
export type RestErrorCode =
  | 'authentication_failed'
  | 'permission_denied'
  | 'invalid_request'
  | 'not_found'
  | 'conflict'
  | 'https_required'
  | 'rate_limited'
  | 'usage_exceeded'
  | 'internal_error';

/** How one refusal reason answers at every edge. */
export interface RefusalCoding {
  /** HTTP status of GraphQL (when refused before execution) and REST. */
  status: 401 | 403 | 429;
  rest: RestErrorCode;
  graphql: ErrorCode;
  /** REST `message` where it is not authMessage(reason): 401s name the failure generically. */
  restMessage?: string;
  /** REST `details`: what to do about it. */
  details?: string;
  /**
   * Refused by the permission map per field, not for the whole request: GraphQL keeps
   * 200 for partial results (apollo.ts's forbiddenStatusPlugin answers 403 when nothing ran).
   */
  perField?: true;
}

const INVALID_KEY = 'Invalid API key provided';

/**
 * The one table from a refusal reason to its HTTP status, REST code and GraphQL code,
 * used by the GraphQL context, the REST routes, /auth/forward and the console routes.
 * A Record over AuthReason, so a new reason does not compile until it is coded here.
 * /auth/forward answers 429s with 403 (forwardStatus): nginx turns a 429 into a 500.
 */
export const REFUSALS: Record<AuthReason, RefusalCoding> = {
  KEY_MISSING: { status: 401, rest: 'authentication_failed', graphql: ErrorCode.UNAUTHENTICATED, restMessage: 'No API key provided', details: 'Send the key as Authorization: Bearer <key> (or X-Api-Key: <key>)' },
  KEY_MALFORMED: { status: 401, rest: 'authentication_failed', graphql: ErrorCode.UNAUTHENTICATED, restMessage: INVALID_KEY, details: 'The API key is not in a valid format or its checksum does not match' },
  KEY_INVALID: { status: 401, rest: 'authentication_failed', graphql: ErrorCode.UNAUTHENTICATED, restMessage: INVALID_KEY, details: 'The API key does not exist' },
  KEY_REVOKED: { status: 401, rest: 'authentication_failed', graphql: ErrorCode.UNAUTHENTICATED, restMessage: INVALID_KEY, details: 'The API key has been revoked' },
  KEY_EXPIRED: { status: 401, rest: 'authentication_failed', graphql: ErrorCode.UNAUTHENTICATED, restMessage: INVALID_KEY, details: 'The API key has expired' },
  KEY_DISABLED: { status: 401, rest: 'authentication_failed', graphql: ErrorCode.UNAUTHENTICATED, details: 'The API key is disabled; it works again once enabled' },
  SESSION_EXPIRED: { status: 401, rest: 'authentication_failed', graphql: ErrorCode.UNAUTHENTICATED },
  ORIGIN_NOT_ALLOWED: { status: 403, rest: 'permission_denied', graphql: ErrorCode.FORBIDDEN },
  SECRET_KEY_IN_BROWSER: { status: 403, rest: 'permission_denied', graphql: ErrorCode.FORBIDDEN },
  IP_NOT_ALLOWED: { status: 403, rest: 'permission_denied', graphql: ErrorCode.FORBIDDEN },
  MODE_MISMATCH: { status: 403, rest: 'permission_denied', graphql: ErrorCode.FORBIDDEN },
  INSUFFICIENT_ROLE: { status: 403, rest: 'permission_denied', graphql: ErrorCode.FORBIDDEN, perField: true },
  INSUFFICIENT_SCOPE: { status: 403, rest: 'permission_denied', graphql: ErrorCode.FORBIDDEN, perField: true },
  HTTPS_REQUIRED: { status: 403, rest: 'https_required', graphql: ErrorCode.FORBIDDEN },
  DOCUMENT_NOT_TRUSTED: { status: 403, rest: 'permission_denied', graphql: ErrorCode.FORBIDDEN },
  RATE_LIMITED: { status: 429, rest: 'rate_limited', graphql: ErrorCode.RATE_LIMITED },
  USAGE_EXCEEDED: { status: 429, rest: 'usage_exceeded', graphql: ErrorCode.RATE_LIMITED },
};

/** The status /auth/forward answers with: only 200, 401 or 403 (nginx's auth_request turns others into a 500). */
export function forwardStatus(reason: AuthReason): 401 | 403 {
  const { status } = REFUSALS[reason];
  return status === 429 ? 403 : status;
}

/**
 * The challenge every 401 carries (RFC 9110 §15.5.2; its content per RFC 6750 §3):
 * `error="invalid_token"` when a credential was given and refused, none when it was missing.
 */
export function bearerChallenge(reason: AuthReason | undefined): string {
  const realm = 'Bearer realm="keygate"';
  return reason === AuthReason.KEY_MISSING ? realm : `${realm}, error="invalid_token"`;
}

/** A refused request as data: the reason, plus what the answer says beyond the table. */
export type Refusal =
  | { reason: Exclude<AuthReason, AuthReason.RATE_LIMITED>; /** how to send the credential right; never key material */ hint?: string; /** replaces the reason's own message */ message?: string }
  | { reason: AuthReason.RATE_LIMITED; retryAfterSeconds: number; hint?: undefined; message?: undefined };

const AUTH_MESSAGES: Record<AuthReason, string> = {
  KEY_MISSING: 'No API key provided: send Authorization: Bearer <key> (or X-Api-Key: <key>)',
  KEY_MALFORMED: 'The API key is malformed',
  KEY_INVALID: 'Invalid API key provided',
  KEY_REVOKED: 'The API key has been revoked',
  KEY_EXPIRED: 'The API key has expired',
  ORIGIN_NOT_ALLOWED: 'This key may not be used from this origin',
  SECRET_KEY_IN_BROWSER: 'Secret and root keys may not be used from a browser origin',
  INSUFFICIENT_ROLE: 'The key does not have the role this operation needs',
  INSUFFICIENT_SCOPE: 'The credential does not hold every scope this request requires',
  HTTPS_REQUIRED: 'HTTPS is required',
  RATE_LIMITED: 'Too many requests: retry after the number of seconds in Retry-After',
  KEY_DISABLED: 'The API key is disabled',
  USAGE_EXCEEDED: 'The API key has no credits left for this request',
  IP_NOT_ALLOWED: 'This key may not be used from this IP address',
  MODE_MISMATCH: 'A test-mode key cannot act on live-mode data, nor a live-mode key on test-mode data',
  SESSION_EXPIRED: 'The console session has ended: sign in again',
  DOCUMENT_NOT_TRUSTED: 'This app runs only registered documents for this credential: send a registered "documentId"',
};

/** Messages never contain key material: only the reason decides the text. */
export function authMessage(reason: AuthReason): string {
  return AUTH_MESSAGES[reason];
}

export class KeygateError extends GraphQLError {
  constructor(code: ErrorCode, message: string, extra: Record<string, unknown> = {}, httpStatus?: number) {
    super(message, {
      extensions: { code, ...extra, ...(httpStatus ? { http: { status: httpStatus } } : {}) },
    });
  }
}

/**
 * A refusal as a GraphQL error, coded by REFUSALS: extensions.code and .reason, and
 * extensions.http (status, Retry-After) which Apollo applies to a request refused before
 * execution. Messages never contain key material: only the reason (or a fixed text) decides them.
 */
export class RefusalError extends KeygateError {
  readonly reason: AuthReason;

  constructor(readonly refusal: Refusal) {
    const { graphql, status, perField } = REFUSALS[refusal.reason];
    const text = refusal.message ?? authMessage(refusal.reason);
    const retryAfter = refusal.reason === AuthReason.RATE_LIMITED ? { retryAfter: refusal.retryAfterSeconds } : {};
    super(graphql, refusal.hint ? `${text}. ${refusal.hint}` : text, { reason: refusal.reason, ...retryAfter }, perField ? undefined : status);
    this.reason = refusal.reason;
    if (refusal.reason === AuthReason.RATE_LIMITED) {
      this.extensions.http = { status, headers: new Map([['retry-after', String(refusal.retryAfterSeconds)]]) };
    } else if (status === 401) {
      this.extensions.http = { status, headers: new Map([['www-authenticate', bearerChallenge(refusal.reason)]]) };
    }
  }
}

export class AuthenticationError extends RefusalError {
  /** `hint` (how to send the credential right) is appended to the message. */
  constructor(reason: Exclude<AuthReason, AuthReason.RATE_LIMITED>, hint?: string) {
    super({ reason, hint });
  }
}

export class ForbiddenError extends RefusalError {
  constructor(reason: Exclude<AuthReason, AuthReason.RATE_LIMITED> = AuthReason.INSUFFICIENT_ROLE, message?: string) {
    super({ reason, message });
  }
}

/** HTTP 429 with Retry-After (seconds), for a spent rate limit. */
export class RateLimitedError extends RefusalError {
  constructor(readonly retryAfterSeconds: number) {
    super({ reason: AuthReason.RATE_LIMITED, retryAfterSeconds });
  }
}

/**
 * A GraphQL request past KEYGATE_GRAPHQL_TIME_BUDGET_MS, or a query statement cancelled by
 * PostgreSQL's statement_timeout: what did not run answers this, with `extensions.limit`.
 */
export class TimeBudgetError extends KeygateError {
  constructor(message = 'The request ran past its time budget: ask for fewer or smaller lists') {
    super(ErrorCode.TIMEOUT, message, { limit: 'time' });
  }
}

export class BadInputError extends KeygateError {
  constructor(message: string, field?: string) {
    super(ErrorCode.BAD_USER_INPUT, message, field ? { field } : {});
  }
}

/** A quota is full (e.g. an app's webhook endpoints): BAD_USER_INPUT with `extensions.limit` naming it. */
export class LimitReachedError extends KeygateError {
  constructor(message: string, limit: 'endpoints') {
    super(ErrorCode.BAD_USER_INPUT, message, { limit });
  }
}

export class NotFoundError extends KeygateError {
  constructor(what: string) {
    super(ErrorCode.NOT_FOUND, `${what} not found`);
  }
}

export class ConflictError extends KeygateError {
  constructor(message: string) {
    super(ErrorCode.CONFLICT, message);
  }
}

export function isAuthReason(value: string): value is AuthReason {
  return Object.hasOwn(REFUSALS, value);
}
