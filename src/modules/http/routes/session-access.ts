import { z } from 'zod';
import { KeyMode } from '../../keys/key-enums';
import { SessionService } from '../../sessions/session.service';
import { sendJson } from '../../../shared/http';
import { restErrorOf, sendRestError } from '../rest-errors';
import { readRequestBody, validateBody } from './body';
import { type RouteContext, requirePermission, requirePrincipal } from './route';

/** DESIGN.md's snake_case body; unknown fields are refused so typos do not pass silently. */
const sessionAccessBody = z
  .object({
    app_id: z.string().optional(),
    mode: z.nativeEnum(KeyMode).optional(),
    user_id: z.string(),
    channel_id: z.string().optional(),
    token_lifetime: z.number().int().optional(),
    services: z
      .object({
        media: z.object({ allow_publish_audio: z.boolean().optional(), allow_publish_video: z.boolean().optional() }).strict().optional(),
      })
      .strict()
      .optional(),
    scopes: z.array(z.string()).optional(),
  })
  .strict();

/** POST /session_access: the REST twin of the sessionAccess mutation (same service, same rules). */
export async function sessionAccessRoute(ctx: RouteContext): Promise<void> {
  const actor = await requirePrincipal(ctx);
  if (!actor) return;
  if (!requirePermission(ctx, actor, 'sessions:create')) return;
  const body = await readRequestBody(ctx);
  if (!body.ok) return sendRestError(ctx.res, body.error);
  const input = validateBody(sessionAccessBody, body.value);
  if (!input.ok) return sendRestError(ctx.res, input.error);
  const b = input.value;
  try {
    const minted = await new SessionService(() => ctx.em, actor, ctx.runtime).mint({
      appId: b.app_id,
      mode: b.mode,
      userId: b.user_id,
      channelId: b.channel_id,
      tokenLifetime: b.token_lifetime,
      scopes: b.scopes,
      media: { allowPublishAudio: b.services?.media?.allow_publish_audio, allowPublishVideo: b.services?.media?.allow_publish_video },
    });
    sendJson(
      ctx.res,
      200,
      { token: minted.token, token_id: minted.tokenId, expires_at: minted.expiresAt.toISOString(), refresh_at: minted.refreshAt.toISOString() },
      { 'cache-control': 'no-store' },
    );
  } catch (error) {
    const rest = restErrorOf(error);
    if (rest.status === 500) throw error;
    sendRestError(ctx.res, rest);
  }
}
