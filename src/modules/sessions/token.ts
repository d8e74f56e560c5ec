import { SignJWT, decodeProtectedHeader, errors, jwtVerify } from 'jose';
import type { KeyObject } from 'node:crypto';
import { KeyMode } from '../keys/key-enums';
import { type JwsAlgorithm, jwsAlgorithmOfKey } from './token-algorithm';

export const TOKEN_TYPE = 'session+jwt';
/** Every JWS `alg` a Keygate token may carry; each kid verifies only its own. */
const TOKEN_ALGORITHMS: readonly string[] = ['EdDSA', 'ES256'] satisfies JwsAlgorithm[];
/** Longest string we try to verify; real tokens are well under 1 KiB. */
export const MAX_TOKEN_LENGTH = 8192;

export interface MediaGrant {
  allow_publish_audio: boolean;
  allow_publish_video: boolean;
}

export interface SessionClaims {
  iss: string;
  aud: string;
  sub: string;
  channel_id?: string;
  services: { media: MediaGrant };
  /** Space-separated scopes (token-scopes.ts); absent on tokens minted before scopes existed. */
  scope?: string;
  mode: KeyMode;
  akid: string;
  jti: string;
  iat: number;
  nbf: number;
  exp: number;
}

export async function signToken(claims: SessionClaims, key: { kid: string; algorithm: JwsAlgorithm; privateKey: KeyObject }): Promise<string> {
  const { iss, aud, sub, jti, iat, nbf, exp, ...rest } = claims;
  return new SignJWT({ ...rest })
    .setProtectedHeader({ alg: key.algorithm, kid: key.kid, typ: TOKEN_TYPE })
    .setIssuer(iss)
    .setAudience(aud)
    .setSubject(sub)
    .setJti(jti)
    .setIssuedAt(iat)
    .setNotBefore(nbf)
    .setExpirationTime(exp)
    .sign(key.privateKey);
}

export type TokenFailure = 'MALFORMED' | 'UNKNOWN_KEY' | 'BAD_SIGNATURE' | 'EXPIRED' | 'NOT_YET_VALID' | 'BAD_CLAIMS';

export type TokenVerification = { valid: true; claims: SessionClaims } | { valid: false; reason: TokenFailure };

function hasShape(p: Record<string, unknown>): p is SessionClaims & Record<string, unknown> {
  return (
    typeof p.sub === 'string' &&
    typeof p.aud === 'string' &&
    typeof p.akid === 'string' &&
    typeof p.jti === 'string' &&
    (p.mode === KeyMode.LIVE || p.mode === KeyMode.TEST) &&
    typeof p.exp === 'number' &&
    typeof p.iat === 'number' &&
    typeof p.services === 'object' &&
    p.services !== null &&
    (p.scope === undefined || typeof p.scope === 'string')
  );
}

const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

/**
 * Exactly one spelling per token: three base64url segments that re-encode to
 * themselves. Node's decoder skips padding, stray characters and the unused low bits
 * of the last character, so without this many strings would verify as the same token
 * (and a deny-list or cache keyed by the string could be sidestepped).
 */
function isCanonical(token: string): boolean {
  return COMPACT_JWS.test(token) && token.split('.').every((segment) => Buffer.from(segment, 'base64url').toString('base64url') === segment);
}

/**
 * Verifies a session token per RFC 8725: the algorithm is pinned by the key the kid
 * names (an Ed25519 key verifies only EdDSA, a P-256 key only ES256, so `alg: none`,
 * HS256-with-the-public-key and a swapped algorithm fail), and iss, typ, exp and nbf are
 * checked. The audience is checked by the caller against the app it expects.
 * Never throws: every failure is a reason.
 */
export async function verifyToken(
  token: string,
  issuer: string,
  now: Date,
  keyFor: (kid: string) => Promise<KeyObject | null>,
): Promise<TokenVerification> {
  if (typeof token !== 'string' || token.length === 0 || token.length > MAX_TOKEN_LENGTH || !isCanonical(token)) return { valid: false, reason: 'MALFORMED' };
  let kid: string | undefined;
  try {
    const header = decodeProtectedHeader(token);
    kid = typeof header.kid === 'string' ? header.kid : undefined;
    if (!TOKEN_ALGORITHMS.includes(header.alg ?? '') || header.typ !== TOKEN_TYPE) return { valid: false, reason: 'MALFORMED' };
  } catch {
    return { valid: false, reason: 'MALFORMED' };
  }
  const key = kid ? await keyFor(kid) : null;
  if (!key) return { valid: false, reason: 'UNKNOWN_KEY' };
  const algorithm = jwsAlgorithmOfKey(key);
  if (!algorithm) return { valid: false, reason: 'UNKNOWN_KEY' };
  try {
    const { payload } = await jwtVerify(token, key, {
      algorithms: [algorithm],
      issuer,
      typ: TOKEN_TYPE,
      currentDate: now,
      requiredClaims: ['iss', 'aud', 'sub', 'jti', 'iat', 'nbf', 'exp'],
    });
    if (!hasShape(payload)) return { valid: false, reason: 'BAD_CLAIMS' };
    return { valid: true, claims: payload };
  } catch (error) {
    if (error instanceof errors.JWTExpired) return { valid: false, reason: 'EXPIRED' };
    if (error instanceof errors.JWTClaimValidationFailed && error.claim === 'nbf') return { valid: false, reason: 'NOT_YET_VALID' };
    // A header naming another algorithm than the kid's key is a forgery attempt, like a bad signature.
    if (error instanceof errors.JWSSignatureVerificationFailed || error instanceof errors.JOSEAlgNotAllowed) return { valid: false, reason: 'BAD_SIGNATURE' };
    if (error instanceof errors.JOSEError) return { valid: false, reason: 'BAD_CLAIMS' };
    return { valid: false, reason: 'MALFORMED' };
  }
}
