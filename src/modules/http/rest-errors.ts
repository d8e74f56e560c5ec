import type { ServerResponse } from 'node:http';
import { GraphQLError } from 'graphql';
import { AuthReason, ErrorCode, KEY_CONTROL_REFUSALS, type KeyControlRefusal, authMessage, isKeyControlRefusal } from '../../errors';
import type { RequestAuthFailure, RequestAuthRefusal } from '../auth/request-auth';
import { sendJson } from './request';

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

export interface RestError {
  status: number;
  code: RestErrorCode;
  message: string;
  details?: string;
  /** Contract reason (KEY_REVOKED, …) where one applies. */
  reason?: string;
  /** The offending field, in the request's own (snake_case) spelling. */
  field?: string;
}

/** The one error body of every REST path: {"error":{"code","message",…}}. */
export function sendRestError(res: ServerResponse, error: RestError, headers: Record<string, string> = {}): void {
  const { status, ...body } = error;
  sendJson(res, status, { error: body }, { 'cache-control': 'no-store', ...headers });
}

const KEY_DETAILS: Partial<Record<AuthReason, string>> = {
  KEY_MISSING: 'Send the key as Authorization: Bearer <key> (or X-Api-Key: <key>)',
  KEY_MALFORMED: 'The API key is not in a valid format or its checksum does not match',
  KEY_INVALID: 'The API key does not exist',
  KEY_REVOKED: 'The API key has been revoked',
  KEY_EXPIRED: 'The API key has expired',
  KEY_DISABLED: 'The API key is disabled; it works again once enabled',
};

/**
 * /auth/forward answers only 200, 401 or 403 (DESIGN.md): nginx's auth_request turns any
 * other status into a 500 for the client. A spent rate limit there is a 403 with the
 * same code, reason and Retry-After.
 */
export const FORWARD_RATE_LIMITED_STATUS = 403;

/** Sends a refused authentication in the REST shape (with Retry-After when rate-limited). */
export function sendAuthRefusal(res: ServerResponse, refusal: RequestAuthRefusal, rateLimitedStatus = 429): void {
  if (refusal.status === 429) {
    if (refusal.reason === AuthReason.RATE_LIMITED) return sendRateLimited(res, refusal.retryAfterSeconds, rateLimitedStatus);
    return sendRestError(res, { ...keyControlFailure(refusal.reason), status: rateLimitedStatus });
  }
  if (isKeyControlRefusal(refusal.reason)) return sendRestError(res, keyControlFailure(refusal.reason));
  sendRestError(res, authFailure(refusal.reason, refusal.status, 'hint' in refusal ? refusal.hint : undefined));
}

export function sendRateLimited(res: ServerResponse, retryAfterSeconds: number, status = 429): void {
  sendRestError(
    res,
    { status, code: 'rate_limited', message: authMessage(AuthReason.RATE_LIMITED), reason: AuthReason.RATE_LIMITED, details: `Retry after ${retryAfterSeconds} s` },
    { 'retry-after': String(retryAfterSeconds) },
  );
}

/** A key-control refusal in the REST shape, per the one table in errors.ts. */
export function keyControlFailure(reason: KeyControlRefusal): RestError {
  const { status, rest } = KEY_CONTROL_REFUSALS[reason];
  return { status, code: rest, message: authMessage(AuthReason[reason]), details: KEY_DETAILS[AuthReason[reason]], reason };
}

export function authFailure(reason: RequestAuthFailure | AuthReason, status: 401 | 403, hint?: string): RestError {
  if (status === 401) {
    return {
      status,
      code: 'authentication_failed',
      message: reason === AuthReason.KEY_MISSING ? 'No API key provided' : 'Invalid API key provided',
      details: hint ?? KEY_DETAILS[reason],
      reason,
    };
  }
  return { status, code: 'permission_denied', message: authMessage(reason), reason };
}

const camelToSnake = (name: string) => name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/** Maps an error from a service (a KeygateError) to the REST shape; anything else is internal. */
export function restErrorOf(error: unknown): RestError {
  if (error instanceof GraphQLError) {
    const code = error.extensions.code;
    const field = typeof error.extensions.field === 'string' ? camelToSnake(error.extensions.field) : undefined;
    const reason = typeof error.extensions.reason === 'string' ? error.extensions.reason : undefined;
    const message = field ? error.message.replace(error.extensions.field as string, field) : error.message;
    if (reason !== undefined && isKeyControlRefusal(reason)) return keyControlFailure(reason);
    switch (code) {
      case ErrorCode.BAD_USER_INPUT:
        return { status: 400, code: 'invalid_request', message, field };
      case ErrorCode.UNAUTHENTICATED:
        return { status: 401, code: 'authentication_failed', message, reason };
      case ErrorCode.FORBIDDEN:
        return { status: 403, code: 'permission_denied', message, reason };
      case ErrorCode.NOT_FOUND:
        return { status: 404, code: 'not_found', message };
      case ErrorCode.CONFLICT:
        return { status: 409, code: 'conflict', message };
      case ErrorCode.RATE_LIMITED:
        return { status: 429, code: 'rate_limited', message };
      default:
        break;
    }
  }
  return { status: 500, code: 'internal_error', message: 'Internal server error' };
}
