import type { AuthOutcome } from '../../auth/auth-pipeline';
import { requestCredential } from '../../auth/credential';
import { permissionsOf } from '../../auth/permissions';
import { PrincipalType } from '../../auth/principal';
import { MAX_CREDITS_PER_USE, parseCost } from '../../credits/credit-ledger';
import { effectiveScopes } from '../../keys/key-scopes';
import { andThen } from '../../../shared/maybe-promise';
import { credentialHeaders } from '../request';
import { sendJson } from '../../../shared/http';
import { sendRefusal, sendRestError } from '../rest-errors';
import { type RouteContext, allowOrigin } from './route';

/**
 * GET /auth/verify: is this key good, and what is it? Each success spends `?cost=` credits
 * (default 1). A cached key is answered without awaiting anything.
 */
export function verifyRoute(ctx: RouteContext): void | Promise<void> {
  const cost = parseCost(ctx.query('cost'));
  if (cost === null) return sendRestError(ctx.res, { status: 400, code: 'invalid_request', message: `cost must be an integer between 0 and ${MAX_CREDITS_PER_USE}`, field: 'cost' });
  const outcome = ctx.runtime.authenticator.authenticate(() => ctx.em, {
    credential: requestCredential(credentialHeaders(ctx.req)),
    origin: ctx.origin,
    ip: ctx.ip,
    throttleIp: ctx.throttleIp,
    requestId: ctx.requestId,
    cost: cost ?? 1,
  });
  return andThen(outcome, (o) => answer(ctx, o));
}

function answer(ctx: RouteContext, outcome: AuthOutcome): void {
  if (!outcome.ok) return sendRefusal(ctx.res, outcome);
  allowOrigin(ctx);
  const { principal: p, budgets } = outcome;
  const body =
    p.type === PrincipalType.ROOT
      ? { valid: true, type: p.type, key_id: p.id, app_id: null, kind: null, mode: null, role: null, permissions: permissionsOf(p), scopes: [], expires_at: null, owner_id: null, meta: null, credits: null, rate_limit: null }
      : {
          valid: true,
          type: p.type,
          key_id: p.id,
          app_id: p.appId,
          kind: p.kind,
          mode: p.mode,
          role: p.role,
          permissions: permissionsOf(p),
          scopes: effectiveScopes(p),
          expires_at: p.expiresAt?.toISOString() ?? null,
          owner_id: p.ownerId,
          meta: p.meta,
          credits: budgets?.credits ?? null,
          rate_limit: budgets?.rateLimit ? { ...budgets.rateLimit, reset: budgets.rateLimit.reset.toISOString() } : null,
        };
  sendJson(ctx.res, 200, body, { 'cache-control': 'no-store' });
}
