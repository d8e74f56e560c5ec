import type { Config } from '../../config';
import { AuthReason } from '../../errors';
import { KeyKind } from '../keys/key-enums';
import { originAllowed } from './origins';
import { type Principal, PrincipalType } from './principal';

/** Apollo Sandbox / Studio pages that call the server from the browser. */
const SANDBOX_ORIGINS = [
  'https://studio.apollographql.com',
  'https://sandbox.embed.apollographql.com',
  'https://embeddable-sandbox.cdn.apollographql.com',
];

/**
 * Origins from which secret and root keys may be used (the operator's console).
 * Outside production: also localhost, the server's own origin and Apollo Sandbox,
 * so Sandbox works with a root key out of the box.
 */
export function consoleOrigins(config: Config): string[] {
  const list = [...config.consoleOrigins.map((o) => o.toLowerCase())];
  if (config.env !== 'production') {
    list.push(...SANDBOX_ORIGINS);
    if (config.publicUrl) list.push(new URL(config.publicUrl).origin);
  }
  return list;
}

function isConsoleOrigin(origin: string, allowed: readonly string[], development: boolean): boolean {
  if (originAllowed(origin, allowed)) return true;
  // Any port of localhost in development: `http://localhost:*`.
  return development && /^http:\/\/(localhost|127\.0\.0\.1)(:\d{1,5})?$/i.test(origin);
}

export type OriginCheck = { ok: true } | { ok: false; reason: AuthReason.ORIGIN_NOT_ALLOWED | AuthReason.SECRET_KEY_IN_BROWSER };

/**
 * Publishable keys with an allowedOrigins list work only from those origins; an empty
 * list means no check (native apps send no Origin). Secret and root keys are refused
 * from any browser origin that is not a console origin, so a leaked secret key cannot
 * be used from a web page.
 */
export function checkOrigin(principal: Principal, origin: string | undefined, config: Pick<Config, 'env'>, console: string[]): OriginCheck {
  if (principal.type === PrincipalType.API_KEY && principal.kind === KeyKind.PUBLISHABLE) {
    if (principal.allowedOrigins.length === 0) return { ok: true };
    return origin && originAllowed(origin, principal.allowedOrigins) ? { ok: true } : { ok: false, reason: AuthReason.ORIGIN_NOT_ALLOWED };
  }
  if (origin === undefined) return { ok: true };
  return isConsoleOrigin(origin, console, config.env !== 'production')
    ? { ok: true }
    : { ok: false, reason: AuthReason.SECRET_KEY_IN_BROWSER };
}
