import { effectiveScopes, formatScopes } from '../keys/key-scopes';
import type { SessionClaims } from '../sessions/token';
import { type Principal, PrincipalType } from './principal';

/**
 * Every identity header /auth/forward answers with, always all of them (empty where one
 * does not apply): a proxy recipe that copies each of them onto the upstream request then
 * overwrites (or, being empty, drops) any a client forged. The nginx and Traefik recipes of
 * docs/guide.md list exactly these; the nginx test runs the guide's block and forges each one.
 */
export const IDENTITY_HEADERS = [
  'x-keygate-app-id',
  'x-keygate-key-id',
  'x-keygate-mode',
  'x-keygate-kind',
  'x-keygate-role',
  'x-keygate-principal',
  'x-keygate-user-id',
  'x-keygate-token-id',
  'x-keygate-owner-id',
  'x-keygate-scopes',
] as const;

export type IdentityHeader = (typeof IDENTITY_HEADERS)[number];

/** The complete set of identity headers for a response: the given values, the rest empty. */
export function identityHeaders(values: Partial<Record<IdentityHeader, string | null>>): Record<IdentityHeader, string> {
  return Object.fromEntries(IDENTITY_HEADERS.map((name) => [name, values[name] ?? ''])) as Record<IdentityHeader, string>;
}

/** Header values are bytes, not text: an owner id outside printable ASCII goes out percent-encoded (UTF-8). */
function headerSafe(value: string): string {
  return /^[\x20-\x7e]*$/.test(value) ? value : encodeURIComponent(value);
}

/** The identity headers of an authenticated key (or root key). */
export function principalIdentityHeaders(p: Principal): Record<IdentityHeader, string> {
  // Root keys are operator credentials: no scopes in the product's own API.
  if (p.type !== PrincipalType.API_KEY) return identityHeaders({ 'x-keygate-key-id': p.id, 'x-keygate-principal': p.type });
  return identityHeaders({
    'x-keygate-app-id': p.appId,
    'x-keygate-key-id': p.id,
    'x-keygate-mode': p.mode,
    'x-keygate-kind': p.kind,
    'x-keygate-role': p.role,
    'x-keygate-owner-id': p.ownerId === null ? null : headerSafe(p.ownerId),
    'x-keygate-principal': p.type,
    'x-keygate-scopes': effectiveScopes(p).join(' '), // sorted already
  });
}

/** The identity headers of a session token, with its live scopes (what its minting key still holds). */
export function tokenIdentityHeaders(claims: SessionClaims, scopes: readonly string[]): Record<IdentityHeader, string> {
  return identityHeaders({
    'x-keygate-app-id': claims.aud,
    'x-keygate-key-id': claims.akid,
    'x-keygate-mode': claims.mode,
    'x-keygate-user-id': claims.sub,
    'x-keygate-token-id': claims.jti,
    'x-keygate-scopes': formatScopes(scopes),
  });
}
