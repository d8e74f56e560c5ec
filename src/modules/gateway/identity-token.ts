import { newId } from '../../shared/ids';
import type { JwsAlgorithm } from '../sessions/token-algorithm';
import { type SessionClaims, signToken } from '../sessions/token';
import type { KeyObject } from 'node:crypto';
import type { GatewayCredential } from './gateway-scopes';

/** The identity token's `typ`: not a session token, so no edge of Keygate accepts it as one. */
export const IDENTITY_TOKEN_TYPE = 'gateway+jwt';
const LIFETIME_SECONDS = 60;

export interface IdentityTokenInput {
  credential: GatewayCredential;
  scopes: ReadonlySet<string>;
  issuer: string;
  /** The upstream's origin: the token is for it alone. */
  audience: string;
  now: Date;
  key: { kid: string; algorithm: JwsAlgorithm; privateKey: KeyObject };
}

/**
 * X-Keygate-Token (KEYGATE_GATEWAY_IDENTITY_TOKEN=true): who called, as a JWT the upstream
 * can verify through Keygate's JWKS instead of trusting headers; claims as a session
 * token's, for 60 s, with the caller's scopes.
 */
export function identityToken({ credential, scopes, issuer, audience, now, key }: IdentityTokenInput): Promise<string> {
  const iat = Math.floor(now.getTime() / 1000);
  const base = credential.type === 'key' ? { sub: credential.principal.id, akid: credential.principal.id, mode: credential.principal.mode } : { sub: credential.userId, akid: credential.keyId, mode: credential.mode };
  const claims: SessionClaims & { scope: string } = {
    iss: issuer,
    aud: audience,
    ...base,
    services: credential.type === 'token' ? credential.claims.services : { media: { allow_publish_audio: false, allow_publish_video: false } },
    jti: newId('tok'),
    iat,
    nbf: iat,
    exp: iat + LIFETIME_SECONDS,
    scope: [...scopes].sort().join(' '),
  };
  return signToken(claims, key, IDENTITY_TOKEN_TYPE);
}
