import type { Runtime } from '../../context';
import { BadInputError } from '../../errors';
import { generateKey } from '../auth/key-format';
import { RateLimit } from '../rate-limits/rate-limit.types';
import { ApiKey } from './api-key.entity';
import { KIND_CODE, KeyKind, type KeyMode, type KeyRole, MODE_CODE } from './key-enums';

/** A key may be given an expiry only in the future: on creation and on rotation alike. */
export function assertFutureExpiry(expiresAt: Date, now: Date): void {
  if (Number.isNaN(expiresAt.getTime()) || expiresAt.getTime() <= now.getTime()) throw new BadInputError('expiresAt must be in the future', 'expiresAt');
}

export interface NewKeySpec {
  appId: string;
  name: string;
  kind: KeyKind;
  mode: KeyMode;
  role: KeyRole | null;
  allowedOrigins: string[];
  expiresAt: Date | null;
  rateLimit: RateLimit | null;
  ownerId: string | null;
  meta: Record<string, unknown> | null;
  enabled: boolean;
  allowedIps: string[];
  scopes: string[];
  creditBalanceId: string | null;
  createdBy: string;
  createdAt: Date;
}

/**
 * A new key entity and its value. The value leaves this function once, to be returned
 * to the caller that asked for the key; only its HMAC and display start are stored
 * (and the full value of publishable keys, which are public by design).
 */
export function issueKey(spec: NewKeySpec, runtime: Pick<Runtime, 'hasher' | 'config'>): { key: ApiKey; value: string } {
  const generated = generateKey({ type: 'app', kind: KIND_CODE[spec.kind], mode: MODE_CODE[spec.mode] }, runtime.config.keyPrefix);
  const key = Object.assign(new ApiKey(), {
    ...spec,
    // Each entity owns its embeddable instance (a rotation copies the old key's).
    rateLimit: spec.rateLimit ? Object.assign(new RateLimit(), spec.rateLimit) : null,
    meta: spec.meta ? structuredClone(spec.meta) : null,
    allowedIps: [...spec.allowedIps],
    scopes: [...spec.scopes],
    hash: runtime.hasher.hash(generated.value),
    start: generated.start,
    publishableKey: spec.kind === KeyKind.PUBLISHABLE ? generated.value : null,
    allowedOrigins: spec.kind === KeyKind.PUBLISHABLE ? spec.allowedOrigins : [],
  });
  return { key, value: generated.value };
}
