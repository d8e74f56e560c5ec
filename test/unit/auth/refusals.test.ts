import { describe, expect, it } from 'vitest';
import { AuthReason, ErrorCode, REFUSALS, type Refusal, RefusalError, forwardStatus } from '../../../src/errors';
import { restRefusal } from '../../../src/modules/http/rest-errors';

const reasons = Object.values(AuthReason);

describe('the refusal table', () => {
  it('codes every reason, and every edge answers it with the same status', () => {
    for (const reason of reasons) {
      const refusal: Refusal = reason === AuthReason.RATE_LIMITED ? { reason, retryAfterSeconds: 3 } : { reason };
      const rest = restRefusal(refusal);
      const graphql = new RefusalError(refusal);
      expect(rest).toMatchObject({ status: REFUSALS[reason].status, code: REFUSALS[reason].rest, reason });
      expect(graphql.extensions).toMatchObject({ code: REFUSALS[reason].graphql, reason });
      if (!REFUSALS[reason].perField) expect(graphql.extensions.http).toMatchObject({ status: REFUSALS[reason].status });
    }
  });

  it('answers /auth/forward only with 401 or 403, since nginx turns other statuses into 500', () => {
    expect(reasons.map(forwardStatus).every((s) => s === 401 || s === 403)).toBe(true);
    expect(restRefusal({ reason: AuthReason.USAGE_EXCEEDED }, 'forward')).toMatchObject({ status: 403, code: 'usage_exceeded' });
    expect(restRefusal({ reason: AuthReason.RATE_LIMITED, retryAfterSeconds: 9 }, 'forward')).toMatchObject({ status: 403, code: 'rate_limited', details: 'Retry after 9 s' });
  });

  it('keeps the contract codes of the key failures', () => {
    expect(restRefusal({ reason: AuthReason.KEY_REVOKED })).toEqual({
      status: 401,
      code: 'authentication_failed',
      message: 'Invalid API key provided',
      details: 'The API key has been revoked',
      reason: 'KEY_REVOKED',
    });
    expect(restRefusal({ reason: AuthReason.KEY_MISSING })).toMatchObject({ status: 401, message: 'No API key provided' });
    expect(restRefusal({ reason: AuthReason.IP_NOT_ALLOWED })).toEqual({ status: 403, code: 'permission_denied', message: 'This key may not be used from this IP address', reason: 'IP_NOT_ALLOWED' });
    expect(new RefusalError({ reason: AuthReason.USAGE_EXCEEDED }).extensions).toMatchObject({ code: ErrorCode.RATE_LIMITED, http: { status: 429 } });
  });

  it('leaves a refusal of the permission map to the response (partial results keep 200)', () => {
    expect(new RefusalError({ reason: AuthReason.INSUFFICIENT_ROLE }).extensions.http).toBeUndefined();
  });

  it('sends Retry-After with a rate limit, in GraphQL as in REST', () => {
    const error = new RefusalError({ reason: AuthReason.RATE_LIMITED, retryAfterSeconds: 5 });
    expect(error.extensions).toMatchObject({ retryAfter: 5, http: { status: 429, headers: new Map([['retry-after', '5']]) } });
  });

  it('appends a hint to the message and never the key', () => {
    const hint = 'The Authorization header must be "Bearer <key>" (or send X-Api-Key: <key>)';
    expect(new RefusalError({ reason: AuthReason.KEY_MALFORMED, hint }).message).toBe(`The API key is malformed. ${hint}`);
    expect(restRefusal({ reason: AuthReason.KEY_MALFORMED, hint })).toMatchObject({ message: 'Invalid API key provided', details: hint });
  });
});
