import { permissionsOf } from '../../auth/permissions';
import { PrincipalType } from '../../auth/principal';
import { authenticateRequest } from '../../auth/request-auth';
import { parseCost } from '../../credits/credit-ledger';
import { credentialHeaders, sendJson } from '../request';
import { sendAuthRefusal, sendRestError } from '../rest-errors';
import { type RouteContext, allowOrigin } from './route';

/** GET /auth/verify: is this key good, and what is it? Each success spends `?cost=` credits (default 1). */
export async function verifyRoute(ctx: RouteContext): Promise<void> {
  const cost = parseCost(ctx.url.searchParams.get('cost'));
  if (cost === null) return sendRestError(ctx.res, { status: 400, code: 'invalid_request', message: 'cost must be an integer between 0 and 1000', field: 'cost' });
  const auth = await authenticateRequest(() => ctx.em, credentialHeaders(ctx.req), { ...ctx, cost: cost ?? 1 }, ctx.runtime);
  if (!auth.ok) return sendAuthRefusal(ctx.res, auth);
  allowOrigin(ctx);
  const p = auth.principal;
  const body =
    p.type === PrincipalType.ROOT
      ? { valid: true, type: p.type, key_id: p.id, app_id: null, kind: null, mode: null, role: null, permissions: [...permissionsOf(p)], expires_at: null, owner_id: null, meta: null, credits: null, rate_limit: null }
      : {
          valid: true,
          type: p.type,
          key_id: p.id,
          app_id: p.appId,
          kind: p.kind,
          mode: p.mode,
          role: p.role,
          permissions: [...permissionsOf(p)],
          expires_at: p.expiresAt?.toISOString() ?? null,
          owner_id: p.ownerId,
          meta: p.meta,
          credits: auth.budgets?.credits ?? null,
          rate_limit: auth.budgets?.rateLimit ? { ...auth.budgets.rateLimit, reset: auth.budgets.rateLimit.reset.toISOString() } : null,
        };
  sendJson(ctx.res, 200, body, { 'cache-control': 'no-store' });
}
