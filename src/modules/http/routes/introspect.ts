import { formatScopes } from '../../keys/key-scopes';
import { SessionService } from '../../sessions/session.service';
import { clientCredential } from '../../auth/credential';
import { credentialHeaders } from '../request';
import { sendJson } from '../../../shared/http';
import { sendRestError } from '../rest-errors';
import { readRequestBody } from './body';
import { type RouteContext, requirePermission, requirePrincipal } from './route';

/**
 * curl -d sends form encoding by default, so a JSON body often arrives as one odd form
 * field: the answer says both accepted shapes instead of calling the token inactive.
 */
const TOKEN_FORMS =
  'Send token=<token> with Content-Type: application/x-www-form-urlencoded, or {"token":"<token>"} with Content-Type: application/json';

/**
 * POST /oauth/introspect (RFC 7662). The caller authenticates with a secret key of the
 * token's app and mode (or root) — as a Bearer key or as OAuth client credentials
 * (clientCredential) — and an inactive token answers exactly {"active":false}.
 */
export async function introspectRoute(ctx: RouteContext): Promise<void> {
  // Read first: client_secret_post sends the caller's key in the body. A token is checked
  // by its exact shape before any lookup, so any string (even one holding NUL or a lone
  // surrogate) is simply inactive, as RFC 7662 wants.
  const body = await readRequestBody(ctx, { form: true, anyString: true });
  if (!body.ok) return sendRestError(ctx.res, body.error);
  const form = body.value !== null && typeof body.value === 'object' ? (body.value as { token?: unknown; client_secret?: unknown }) : null;
  const actor = await requirePrincipal(ctx, clientCredential(credentialHeaders(ctx.req), form));
  if (!actor) return;
  if (!requirePermission(ctx, actor, 'tokens:introspect')) return;
  const token = form?.token;
  if (typeof token !== 'string' || token.length === 0) {
    return sendRestError(ctx.res, {
      status: 400,
      code: 'invalid_request',
      message: 'Missing field: token',
      details: TOKEN_FORMS,
      field: 'token',
    });
  }
  const result = await new SessionService(ctx.em, actor, ctx.runtime).introspect(token);
  const headers = { 'cache-control': 'no-store' };
  if (!result.active) return sendJson(ctx.res, 200, { active: false }, headers);
  sendJson(
    ctx.res,
    200,
    {
      active: true,
      token_type: 'session+jwt',
      iss: ctx.runtime.issuer,
      sub: result.userId,
      aud: result.appId,
      exp: Math.floor(result.expiresAt!.getTime() / 1000),
      iat: Math.floor(result.issuedAt!.getTime() / 1000),
      jti: result.tokenId,
      scope: formatScopes(result.scopes ?? []),
      client_id: result.keyId,
      mode: result.mode,
      channel_id: result.channelId ?? undefined,
      services: result.services,
    },
    headers,
  );
}
