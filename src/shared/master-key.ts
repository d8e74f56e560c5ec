import { hkdfSync, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Config, ConfigError } from '../config';

/** Name of the development master key file inside the data directory. */
export const MASTER_KEY_FILE = 'master.key';

function decode(base64: string, origin: string): Buffer {
  const bytes = Buffer.from(base64.trim(), 'base64');
  if (bytes.length !== 32) {
    throw new ConfigError(`${origin} must be 32 bytes encoded as base64 (decoded to ${bytes.length} bytes)`);
  }
  return bytes;
}

/**
 * The master key, from KEYGATE_MASTER_KEY or, outside production, from data/master.key,
 * generated there (mode 0600) on first start so a fresh clone runs with no configuration.
 */
export function resolveMasterKey(config: Config): Buffer {
  if (config.masterKey) return decode(config.masterKey, 'KEYGATE_MASTER_KEY');
  if (config.env === 'production') throw new ConfigError('KEYGATE_MASTER_KEY is required in production');
  const file = join(config.dataDir, MASTER_KEY_FILE);
  if (existsSync(file)) return decode(readFileSync(file, 'utf8'), file);
  mkdirSync(config.dataDir, { recursive: true });
  const key = randomBytes(32);
  writeFileSync(file, `${key.toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
  chmodSync(file, 0o600);
  return key;
}

/**
 * Sub-keys are derived with HKDF so one secret serves several purposes without
 * any purpose's key revealing another's.
 */
export function deriveKey(masterKey: Buffer, purpose: 'api-key-hmac' | 'signing-key-encryption' | 'webhook-secret-encryption' | 'master-key-check'): Buffer {
  return Buffer.from(hkdfSync('sha256', masterKey, Buffer.alloc(0), `keygate:${purpose}`, 32));
}
