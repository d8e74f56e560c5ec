import { AuthReason } from '../../../errors';
import { andThen } from '../../../shared/maybe-promise';
import type { AuthOutcome } from '../../auth/auth-pipeline';
import { looksLikeToken, requestCredential } from '../../auth/credential';
import { MAX_CREDITS_PER_USE, parseCost } from '../../credits/credit-ledger';
import { checkActiveToken } from '../../sessions/session.service';
import type { SessionClaims } from '../../sessions/token';
import { credentialHeaders } from '../request';
import { sendRefusal, sendRestError } from '../rest-errors';
import { principalIdentityHeaders, tokenIdentityHeaders } from '../../auth/identity-headers';
import { lackingScopesRefusal, parseScopes } from '../../keys/key-scopes';
import { type RouteContext, allowOrigin } from './route';

/**
 * A session token's claims, or null once a refusal is sent. Made-up tokens (a kid that
 * was never published, a signature that does not match) spend the client IP's budget
 * like made-up keys; expired or malformed ones are what honest clients send and do not.
 * A client over its budget gets no lookup of a kid this process does not hold.
 */
async function tokenClaims(ctx: RouteContext, token: string): Promise<{ claims: SessionClaims; scopes: string[] } | null> {
  const { runtime } = ctx;
  let throttled = null as number | null;
  const keyFor = async (kid: string) => {
    if (!runtime.signingKeys.knows(kid) && (throttled = await runtime.rateLimits.ipThrottled(ctx.throttleIp)) !== null) return null;
    return runtime.signingKeys.publicKey(kid);
  };
  const checked = await checkActiveToken(ctx.em, runtime, token, keyFor);
  if (throttled !== null) {
    sendRefusal(ctx.res, { reason: AuthReason.RATE_LIMITED, retryAfterSeconds: throttled }, 'forward');
    return null;
  }
  if (checked.active) return checked;
  if (checked.reason === 'UNKNOWN_KEY' || checked.reason === 'BAD_SIGNATURE') await runtime.rateLimits.recordAuthFailure(ctx.throttleIp);
  sendRestError(ctx.res, { status: 401, code: 'authentication_failed', message: 'Invalid session token', details: 'The token is invalid, expired, or its key no longer works' });
  return null;
}

/**
 * GET /auth/forward, for nginx `auth_request` and Traefik ForwardAuth: accepts an API
 * key or a session token and answers 200 with identity headers for the upstream, or
 * 401/403. The proxy passes the client's Origin through, so key origin rules apply.
 * The cost comes only from the query string of the auth URL, which the proxy's own
 * configuration writes (`/auth/forward?cost=N`): the proxy hands the client's headers
 * to this subrequest, so no header may set what a use costs.
 */
export function forwardRoute(ctx: RouteContext): void | Promise<void> {
  ctx.res.setHeader('cache-control', 'no-store');
  const credential = requestCredential(credentialHeaders(ctx.req));
  // Like the cost, required scopes come only from the auth URL the proxy's configuration writes.
  const requiredScopes = parseScopes(ctx.queryAll('scope').join(' '));
  if (credential.ok && looksLikeToken(credential.key)) return forwardToken(ctx, credential.key, requiredScopes);
  // A request without a usable credential is refused for that first, whatever its cost says.
  const cost = credential.ok ? parseCost(ctx.query('cost')) : undefined;
  // 403, not 400: nginx's auth_request turns any other status into a 500.
  if (cost === null) return sendRestError(ctx.res, { status: 403, code: 'invalid_request', message: `cost must be an integer between 0 and ${MAX_CREDITS_PER_USE}`, field: 'cost' });
  const outcome = ctx.runtime.authenticator.authenticate(() => ctx.em, { credential, origin: ctx.origin, ip: ctx.ip, throttleIp: ctx.throttleIp, requestId: ctx.requestId, cost: cost ?? 1, requiredScopes });
  return andThen(outcome, (o) => forwardKey(ctx, o));
}

async function forwardToken(ctx: RouteContext, token: string, requiredScopes: readonly string[]): Promise<void> {
  const active = await tokenClaims(ctx, token);
  if (!active) return;
  const { claims, scopes } = active;
  const lacking = lackingScopesRefusal(scopes, requiredScopes);
  if (lacking) return sendRefusal(ctx.res, lacking, 'forward');
  ctx.res.writeHead(200, tokenIdentityHeaders(claims, scopes));
  ctx.res.end();
}

function forwardKey(ctx: RouteContext, outcome: AuthOutcome): void {
  if (!outcome.ok) return sendRefusal(ctx.res, outcome, 'forward');
  allowOrigin(ctx);
  ctx.res.writeHead(200, principalIdentityHeaders(outcome.principal));
  ctx.res.end();
}
