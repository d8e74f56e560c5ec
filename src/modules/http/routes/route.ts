import type { IncomingMessage, ServerResponse } from 'node:http';
import type { EntityManager } from '@mikro-orm/core';
import type { Actor, Runtime } from '../../../context';
import type { Principal } from '../../auth/principal';
import { AuthReason } from '../../../errors';
import { type Permission, can } from '../../auth/permissions';
import { authenticateRequest, keyRefOf, recordKeyFailure } from '../../auth/request-auth';
import { authFailure, sendAuthRefusal, sendRestError } from '../rest-errors';
import { credentialHeaders } from '../request';

/** What a REST handler gets: the request, a forked EntityManager, and request facts. */
export interface RouteContext {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  runtime: Runtime;
  em: EntityManager;
  requestId: string;
  ip: string | null;
  origin: string | undefined;
}

export type RouteHandler = (ctx: RouteContext) => Promise<void>;

/**
 * Authenticates the key of a REST request (Authorization: Bearer, or X-Api-Key); on failure answers the contract's
 * error and returns null. On success the matched origin (if any) is echoed for CORS.
 */
export async function requirePrincipal(ctx: RouteContext): Promise<Actor | null> {
  const auth = await authenticateRequest(() => ctx.em, credentialHeaders(ctx.req), ctx, ctx.runtime);
  if (!auth.ok) {
    sendAuthRefusal(ctx.res, auth);
    return null;
  }
  allowOrigin(ctx);
  return actorFor(ctx, auth.principal);
}

/** Refuses a principal whose role lacks `permission` (403), counting the failure against its key. */
export function requirePermission(ctx: RouteContext, actor: Actor, permission: Permission): boolean {
  if (can(actor.principal, permission)) return true;
  const ref = keyRefOf(actor.principal);
  if (ref) recordKeyFailure(ctx.runtime, ref, AuthReason.INSUFFICIENT_ROLE, ctx);
  sendRestError(ctx.res, authFailure(AuthReason.INSUFFICIENT_ROLE, 403));
  return false;
}

export function actorFor(ctx: RouteContext, principal: Principal): Actor {
  return { principal, ip: ctx.ip, requestId: ctx.requestId };
}

/** CORS: echo the request's origin, which the origin rules have just accepted. */
export function allowOrigin(ctx: RouteContext): void {
  if (ctx.origin) ctx.res.setHeader('access-control-allow-origin', ctx.origin);
}
