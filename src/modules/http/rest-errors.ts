import type { ServerResponse } from 'node:http';
import { GraphQLError } from 'graphql';
import { AuthReason, ErrorCode, REFUSALS, type Refusal, type RestErrorCode, authMessage, bearerChallenge, forwardStatus, isAuthReason } from '../../errors';
import { sendJson } from '../../shared/http';

export type { RestErrorCode };

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

/** The one error body of every REST path: {"error":{"code","message",…}}; every 401 with its challenge. */
export function sendRestError(res: ServerResponse, error: RestError, headers: Record<string, string> = {}): void {
  const { status, ...body } = error;
  const challenge: Record<string, string> = status === 401 ? { 'www-authenticate': bearerChallenge(isAuthReason(error.reason ?? '') ? (error.reason as AuthReason) : undefined) } : {};
  sendJson(res, status, { error: body }, { 'cache-control': 'no-store', ...challenge, ...headers });
}

/** Where a refusal is answered: a REST route, or /auth/forward (whose 429s are 403s, see forwardStatus). */
export type RestEdge = 'rest' | 'forward';

/** A refusal in the REST shape, coded by the one table (errors.ts REFUSALS). */
export function restRefusal(refusal: Refusal, edge: RestEdge = 'rest'): RestError {
  const { reason } = refusal;
  const coding = REFUSALS[reason];
  const details = reason === AuthReason.RATE_LIMITED ? `Retry after ${refusal.retryAfterSeconds} s` : (refusal.hint ?? coding.details);
  return {
    status: edge === 'forward' ? forwardStatus(reason) : coding.status,
    code: coding.rest,
    message: refusal.message ?? coding.restMessage ?? authMessage(reason),
    ...(details === undefined ? {} : { details }),
    reason,
  };
}

/** Sends a refusal in the REST shape, with Retry-After when rate-limited. */
export function sendRefusal(res: ServerResponse, refusal: Refusal, edge: RestEdge = 'rest'): void {
  const headers: Record<string, string> = refusal.reason === AuthReason.RATE_LIMITED ? { 'retry-after': String(refusal.retryAfterSeconds) } : {};
  sendRestError(res, restRefusal(refusal, edge), headers);
}

const camelToSnake = (name: string) => name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/** Maps an error from a service (a KeygateError) to the REST shape; anything else is internal. */
export function restErrorOf(error: unknown): RestError {
  if (error instanceof GraphQLError) {
    const code = error.extensions.code;
    const field = typeof error.extensions.field === 'string' ? camelToSnake(error.extensions.field) : undefined;
    const reason = typeof error.extensions.reason === 'string' ? error.extensions.reason : undefined;
    const message = field ? error.message.replace(error.extensions.field as string, field) : error.message;
    // A refusal thrown by a service (a role, a mode, credits) keeps its own message.
    if (reason !== undefined && isAuthReason(reason)) {
      const { status, rest, details } = REFUSALS[reason];
      return { status, code: rest, message, ...(details === undefined ? {} : { details }), reason };
    }
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
