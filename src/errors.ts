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
}

/**
 * How each key-control refusal answers, in one place for every edge: HTTP status
 * (GraphQL and REST), REST code and GraphQL code. /auth/forward answers USAGE_EXCEEDED
 * with 403 (see FORWARD_RATE_LIMITED_STATUS): nginx turns a 429 into a 500.
 */
export const KEY_CONTROL_REFUSALS = {
  KEY_DISABLED: { status: 401, rest: 'authentication_failed', graphql: ErrorCode.UNAUTHENTICATED },
  USAGE_EXCEEDED: { status: 429, rest: 'usage_exceeded', graphql: ErrorCode.RATE_LIMITED },
  IP_NOT_ALLOWED: { status: 403, rest: 'permission_denied', graphql: ErrorCode.FORBIDDEN },
} as const satisfies Record<string, { status: number; rest: string; graphql: ErrorCode }>;

export type KeyControlRefusal = keyof typeof KEY_CONTROL_REFUSALS;

export function isKeyControlRefusal(reason: string): reason is KeyControlRefusal {
  return Object.hasOwn(KEY_CONTROL_REFUSALS, reason);
}

const AUTH_MESSAGES: Record<AuthReason, string> = {
  KEY_MISSING: 'No API key provided: send Authorization: Bearer <key> (or X-Api-Key: <key>)',
  KEY_MALFORMED: 'The API key is malformed',
  KEY_INVALID: 'Invalid API key provided',
  KEY_REVOKED: 'The API key has been revoked',
  KEY_EXPIRED: 'The API key has expired',
  ORIGIN_NOT_ALLOWED: 'This key may not be used from this origin',
  SECRET_KEY_IN_BROWSER: 'Secret and root keys may not be used from a browser origin',
  INSUFFICIENT_ROLE: 'The key does not have the role this operation needs',
  HTTPS_REQUIRED: 'HTTPS is required',
  RATE_LIMITED: 'Too many requests: retry after the number of seconds in Retry-After',
  KEY_DISABLED: 'The API key is disabled',
  USAGE_EXCEEDED: 'The API key has no credits left for this request',
  IP_NOT_ALLOWED: 'This key may not be used from this IP address',
  MODE_MISMATCH: 'A test-mode key cannot act on live-mode data, nor a live-mode key on test-mode data',
  SESSION_EXPIRED: 'The console session has ended: sign in again',
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

export class AuthenticationError extends KeygateError {
  /** `hint` (how to send the credential right) is appended to the message; it never holds key material. */
  constructor(readonly reason: AuthReason, hint?: string) {
    super(ErrorCode.UNAUTHENTICATED, hint ? `${authMessage(reason)}. ${hint}` : authMessage(reason), { reason }, 401);
  }
}

export class ForbiddenError extends KeygateError {
  constructor(reason: AuthReason = AuthReason.INSUFFICIENT_ROLE, message = authMessage(reason)) {
    super(ErrorCode.FORBIDDEN, message, { reason }, reason === AuthReason.INSUFFICIENT_ROLE ? undefined : 403);
  }
}

/** HTTP 429 with Retry-After (seconds), for a spent rate limit. */
export class RateLimitedError extends KeygateError {
  constructor(readonly retryAfterSeconds: number) {
    super(ErrorCode.RATE_LIMITED, authMessage(AuthReason.RATE_LIMITED), { reason: AuthReason.RATE_LIMITED, retryAfter: retryAfterSeconds });
    // Apollo applies extensions.http to the response of a request that failed before execution.
    this.extensions.http = { status: 429, headers: new Map([['retry-after', String(retryAfterSeconds)]]) };
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

/** A key-control refusal (KEY_DISABLED, USAGE_EXCEEDED, IP_NOT_ALLOWED), coded by KEY_CONTROL_REFUSALS. */
export class KeyControlError extends KeygateError {
  constructor(readonly reason: KeyControlRefusal) {
    const { graphql, status } = KEY_CONTROL_REFUSALS[reason];
    super(graphql, authMessage(AuthReason[reason]), { reason }, status);
  }
}

export class BadInputError extends KeygateError {
  constructor(message: string, field?: string) {
    super(ErrorCode.BAD_USER_INPUT, message, field ? { field } : {});
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
