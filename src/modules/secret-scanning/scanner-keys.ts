import { createPublicKey, verify, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { ConfigError } from '../../config';

/** The shape GitHub publishes at api.github.com/meta/public_keys/secret_scanning. */
const keysFile = z.object({
  public_keys: z.array(z.object({ key_identifier: z.string().min(1), key: z.string().min(1) }).passthrough()).min(1),
});

/** A code host's signing keys by identifier; verifies ECDSA P-256 / SHA-256 signatures (base64 DER). */
export class ScannerKeys {
  private constructor(private readonly keys: Map<string, KeyObject>) {}

  /** Read once at start, so a bad file fails the start with a clear message. */
  static load(file: string): ScannerKeys {
    let parsed: z.infer<typeof keysFile>;
    try {
      parsed = keysFile.parse(JSON.parse(readFileSync(file, 'utf8')));
    } catch (error) {
      throw new ConfigError(`KEYGATE_SECRET_SCANNING_KEYS: ${file} is not a {"public_keys":[{"key_identifier","key"}]} file (${(error as Error).name})`);
    }
    const keys = new Map<string, KeyObject>();
    for (const entry of parsed.public_keys) {
      let key: KeyObject;
      try {
        key = createPublicKey(entry.key);
      } catch {
        throw new ConfigError(`KEYGATE_SECRET_SCANNING_KEYS: the key ${entry.key_identifier} is not a PEM public key`);
      }
      if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
        throw new ConfigError(`KEYGATE_SECRET_SCANNING_KEYS: the key ${entry.key_identifier} is not an ECDSA P-256 key`);
      }
      keys.set(entry.key_identifier, key);
    }
    return new ScannerKeys(keys);
  }

  /** True only for a signature of `body` by the named key. */
  verifies(keyId: string | undefined, signature: string | undefined, body: Buffer): boolean {
    const key = keyId === undefined ? undefined : this.keys.get(keyId);
    if (!key || !signature) return false;
    try {
      return verify('sha256', body, { key, dsaEncoding: 'der' }, Buffer.from(signature, 'base64'));
    } catch {
      return false;
    }
  }
}
