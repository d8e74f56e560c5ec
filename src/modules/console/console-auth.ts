import type { IncomingMessage } from 'node:http';
import type { EntityManager } from '@mikro-orm/core';
import type { Runtime } from '../../context';
import { AuthenticationError, AuthReason, ForbiddenError } from '../../errors';
import type { Principal } from '../auth/principal';
import { consoleOriginAllowed, hasCsrfHeader, sessionCookieOf } from './console-cookie';
import { checkSession } from './console-session.service';

/**
 * The GraphQL edge's second credential: the console's session cookie, used only when no
 * Authorization header is sent. null when there is no cookie (or the console is off);
 * throws the request's 401/403 when there is one that may not be used.
 */
export async function consoleSessionPrincipal(req: IncomingMessage, origin: string | undefined, em: EntityManager, runtime: Runtime): Promise<Principal | null> {
  if (!runtime.config.console) return null;
  const token = sessionCookieOf(req);
  if (token === undefined) return null;
  const secure = runtime.proxies.isSecure(req);
  // A cookie rides along on any request the browser makes; only the console's own pages,
  // sending Apollo's CSRF header, may spend it.
  if (origin === undefined || !consoleOriginAllowed(req, origin, secure, runtime.config)) {
    throw new ForbiddenError(AuthReason.ORIGIN_NOT_ALLOWED, 'The console session may be used only from the console origin');
  }
  if (!hasCsrfHeader(req)) {
    throw new ForbiddenError(AuthReason.ORIGIN_NOT_ALLOWED, 'The console session needs the apollo-require-preflight header (CSRF prevention)');
  }
  // Not counted as a use of the key (usage, rate limit): the console is management, and
  // counting it would make a rotation's "old key still in use" panel report the operator.
  const check = await checkSession(em, token, runtime);
  if (!check.ok) throw new AuthenticationError(check.reason);
  return check.principal;
}
