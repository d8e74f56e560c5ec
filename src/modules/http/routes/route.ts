import type { IncomingMessage, ServerResponse } from 'node:http';
import type { EntityManager } from '@mikro-orm/core';
import { type Actor, type Runtime, actorOf } from '../../../context';
import { AuthReason } from '../../../errors';
import type { MaybePromise } from '../../../shared/maybe-promise';
import { type CredentialParse, requestCredential } from '../../auth/credential';
import { keyRefOf } from '../../auth/key-records';
import { type Permission, can } from '../../auth/permissions';
import { sendRefusal } from '../rest-errors';
import { credentialHeaders } from '../request';

/** What a REST handler gets: the request, a forked EntityManager, and request facts. */
export interface RouteContext {
  req: IncomingMessage;
  res: ServerResponse;
  /** A query parameter of the request target, or null. */
  query(name: string): string | null;
  /** Every value of a repeated query parameter (`?scope=a&scope=b`), in order. */
  queryAll(name: string): string[];
  runtime: Runtime;
  em: EntityManager;
  requestId: string;
  ip: string | null;
  /** Whose budget of failed authentications a guess here spends (request.ts ClientAddress). */
  throttleIp: string | null;
  origin: string | undefined;
}

export type RouteHandler = (ctx: RouteContext) => MaybePromise<void>;

/**
 * Authenticates the key of a REST request (Authorization: Bearer, or X-Api-Key, unless the route read it otherwise); on failure answers the contract's
 * error and returns null. On success the matched origin (if any) is echoed for CORS.
 */
export async function requirePrincipal(ctx: RouteContext, credential: CredentialParse = requestCredential(credentialHeaders(ctx.req))): Promise<Actor | null> {
  const outcome = await ctx.runtime.authenticator.authenticate(() => ctx.em, {
    credential,
    origin: ctx.origin,
    ip: ctx.ip,
    throttleIp: ctx.throttleIp,
    requestId: ctx.requestId,
  });
  if (!outcome.ok) {
    sendRefusal(ctx.res, outcome);
    return null;
  }
  allowOrigin(ctx);
  // Not spread from ctx: its `em` is forked on first read.
  return actorOf({ principal: outcome.principal, ip: ctx.ip, requestId: ctx.requestId });
}

/** Refuses a principal whose role lacks `permission` (403), counting the failure against its key. */
export function requirePermission(ctx: RouteContext, actor: Actor, permission: Permission): boolean {
  if (can(actor.principal, permission)) return true;
  const key = keyRefOf(actor.principal);
  if (key) ctx.runtime.authenticator.recordRefusal(key, AuthReason.INSUFFICIENT_ROLE, ctx);
  sendRefusal(ctx.res, { reason: AuthReason.INSUFFICIENT_ROLE });
  return false;
}

/** CORS: echo the request's origin, which the origin rules have just accepted. */
export function allowOrigin(ctx: RouteContext): void {
  if (ctx.origin) ctx.res.setHeader('access-control-allow-origin', ctx.origin);
}
