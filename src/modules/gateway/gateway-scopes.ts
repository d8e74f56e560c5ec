import type { KeyPrincipal } from '../auth/principal';
import type { KeyKind } from '../keys/key-enums';
import { effectiveScopes } from '../keys/key-scopes';
import type { SessionClaims } from '../sessions/token';

/** Who is calling through the gateway: an app key, or a session token a key of the app minted. */
export type GatewayCredential =
  | { type: 'key'; principal: KeyPrincipal }
  | { type: 'token'; appId: string; keyId: string; mode: KeyPrincipal['mode']; userId: string; tokenId: string; scopes: readonly string[]; claims: SessionClaims; /** the minting key's kind (null: a root key) */ minterKind: KeyKind | null };

/**
 * The credential's effective scopes: a key's (built in from kind and role, plus those granted),
 * or a session token's live scopes (its claim, less what its minting key no longer holds).
 */
export function credentialScopes(credential: GatewayCredential): ReadonlySet<string> {
  return new Set(credential.type === 'token' ? credential.scopes : effectiveScopes(credential.principal));
}
