import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { registerEnumType } from 'type-graphql';

/**
 * How an app's session tokens are signed. EdDSA (Ed25519) is compact and fast; ES256
 * (ECDSA P-256) is what every deployed verifier accepts, including those built on
 * cjose (Apache mod_auth_openidc) and jsonwebtoken (Hive Gateway's JWT plugin).
 */
export enum TokenAlgorithm {
  EDDSA = 'EDDSA',
  ES256 = 'ES256',
}
registerEnumType(TokenAlgorithm, {
  name: 'TokenAlgorithm',
  description: 'How session tokens are signed: EDDSA (Ed25519, JWS alg "EdDSA") or ES256 (ECDSA P-256, for verifiers without Ed25519).',
  valuesConfig: {
    EDDSA: { description: 'Ed25519; the JWS `alg` is "EdDSA".' },
    ES256: { description: 'ECDSA with P-256 and SHA-256.' },
  },
});

export type JwsAlgorithm = 'EdDSA' | 'ES256';

/** The JWS `alg` each algorithm signs with (stored as SigningKey.algorithm, published in the JWKS). */
export const JWS_ALGORITHM: Record<TokenAlgorithm, JwsAlgorithm> = {
  [TokenAlgorithm.EDDSA]: 'EdDSA',
  [TokenAlgorithm.ES256]: 'ES256',
};

/** The public JWK members that identify a key of each algorithm (nothing private). */
const PUBLIC_MEMBERS: Record<TokenAlgorithm, readonly string[]> = {
  [TokenAlgorithm.EDDSA]: ['kty', 'crv', 'x'],
  [TokenAlgorithm.ES256]: ['kty', 'crv', 'x', 'y'],
};

export function tokenAlgorithmOf(jws: string): TokenAlgorithm | null {
  switch (jws) {
    case 'EdDSA':
      return TokenAlgorithm.EDDSA;
    case 'ES256':
      return TokenAlgorithm.ES256;
    default:
      return null;
  }
}

/** A new key pair of the algorithm, with its public JWK. */
export function generateSigningPair(algorithm: TokenAlgorithm): { publicKey: KeyObject; privateKey: KeyObject; publicJwk: Record<string, string> } {
  const pair = algorithm === TokenAlgorithm.ES256 ? generateKeyPairSync('ec', { namedCurve: 'P-256' }) : generateKeyPairSync('ed25519');
  const jwk = pair.publicKey.export({ format: 'jwk' }) as Record<string, unknown>;
  const publicJwk = Object.fromEntries(PUBLIC_MEMBERS[algorithm].map((name) => [name, String(jwk[name])]));
  return { ...pair, publicJwk };
}

/** The JWS `alg` a public key verifies: the key decides, never the token's header (RFC 8725 §3.1). */
export function jwsAlgorithmOfKey(key: KeyObject): JwsAlgorithm | null {
  if (key.asymmetricKeyType === 'ed25519') return 'EdDSA';
  if (key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1') return 'ES256';
  return null;
}
