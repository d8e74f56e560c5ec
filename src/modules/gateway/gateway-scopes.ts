import type { KeyPrincipal } from '../auth/principal';
import type { SessionClaims } from '../sessions/token';
import { KeyKind, KeyRole } from '../keys/key-enums';

/** Who is calling through the gateway: an app key, or a session token a key of the app minted. */
export type GatewayCredential =
  | { type: 'key'; principal: KeyPrincipal }
  | { type: 'token'; appId: string; keyId: string; mode: KeyPrincipal['mode']; userId: string; tokenId: string; scopes: readonly string[]; claims: SessionClaims };

const BUILT_IN: Record<KeyRole, readonly string[]> = {
  [KeyRole.READ_ONLY]: ['public', 'read'],
  [KeyRole.READ_WRITE]: ['public', 'read', 'write'],
  [KeyRole.ADMIN]: ['public', 'read', 'write', 'admin'],
};

/**
 * The credential's effective scopes: built in from a key's kind and role (publishable →
 * public; secret keys by role), or a session token's `scope` claim.
 */
// merge: replace with key-scopes effectiveScopes
export function credentialScopes(credential: GatewayCredential): ReadonlySet<string> {
  if (credential.type === 'token') return new Set(credential.scopes);
  const { principal } = credential;
  return new Set(principal.kind === KeyKind.PUBLISHABLE || principal.role === null ? ['public'] : BUILT_IN[principal.role]);
}
