import type { IncomingMessage } from 'node:http';
import { parse, serialize } from 'cookie';
import type { Config } from '../../config';
import { headerValue } from '../../shared/http';

export const CONSOLE_COOKIE = 'keygate_console';

/** The session cookie's value, if the request carries one. */
export function sessionCookieOf(req: IncomingMessage): string | undefined {
  const header = headerValue(req, 'cookie');
  if (!header) return undefined;
  const value = parse(header)[CONSOLE_COOKIE];
  return value ? value : undefined;
}

/** HttpOnly (no script reads it), SameSite=Strict (no other site sends it), Secure under HTTPS. */
export function sessionCookie(token: string, secure: boolean): string {
  return serialize(CONSOLE_COOKIE, token, { httpOnly: true, sameSite: 'strict', path: '/', secure });
}

export function clearedSessionCookie(secure: boolean): string {
  return serialize(CONSOLE_COOKIE, '', { httpOnly: true, sameSite: 'strict', path: '/', secure, maxAge: 0, expires: new Date(0) });
}

/**
 * May a browser request with this Origin use (or open) a console session? Only the
 * server's own origin (as the browser addressed it), KEYGATE_PUBLIC_URL's and the
 * configured console origins; not the Sandbox or localhost allowances that bearer keys get.
 */
export function consoleOriginAllowed(req: IncomingMessage, origin: string, secure: boolean, config: Config): boolean {
  const own = [`${secure ? 'https' : 'http'}://${headerValue(req, 'host') ?? ''}`.toLowerCase()];
  if (config.publicUrl) own.push(new URL(config.publicUrl).origin.toLowerCase());
  const wanted = origin.toLowerCase();
  return own.includes(wanted) || config.consoleOrigins.some((o) => o.toLowerCase() === wanted);
}

/**
 * Apollo's CSRF-prevention headers: a page on another site cannot send them without a
 * CORS preflight, which the server never answers with credentials allowed.
 */
export function hasCsrfHeader(req: IncomingMessage): boolean {
  return Boolean(headerValue(req, 'apollo-require-preflight') || headerValue(req, 'x-apollo-operation-name'));
}
