import { permissionsOf } from '../../auth/permissions';
import { PrincipalType } from '../../auth/principal';
import { sendJson } from '../request';
import { type RouteContext, requirePrincipal } from './route';

/** GET /auth/verify: is this key good, and what is it? */
export async function verifyRoute(ctx: RouteContext): Promise<void> {
  const actor = await requirePrincipal(ctx);
  if (!actor) return;
  const p = actor.principal;
  const body =
    p.type === PrincipalType.ROOT
      ? { valid: true, type: p.type, key_id: p.id, app_id: null, kind: null, mode: null, role: null, permissions: [...permissionsOf(p)], expires_at: null }
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
        };
  sendJson(ctx.res, 200, body, { 'cache-control': 'no-store' });
}
