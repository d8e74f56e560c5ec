import { KeyStatus } from './key-enums';

/** The timestamps (and the reversible switch) that decide a key's state. */
export interface KeyTimes {
  expiresAt: Date | null;
  revokedAt: Date | null;
  /** Absent means enabled (root keys and older records have no switch). */
  enabled?: boolean;
}

export type KeyState =
  | { status: KeyStatus.ACTIVE }
  | { status: KeyStatus.ROTATING; endsAt: Date }
  | { status: KeyStatus.DISABLED }
  | { status: KeyStatus.EXPIRED; at: Date }
  | { status: KeyStatus.REVOKED; at: Date };

/**
 * A key's state at `now`, derived from its timestamps, never cached: whichever of
 * revocation and expiry came first ends the key; a revocation still in the future is
 * a rotation's grace period. A disabled key reads DISABLED until it ends (revocation
 * and expiry are final, disabling is not).
 */
export function keyState(key: KeyTimes, now: Date): KeyState {
  const t = now.getTime();
  const revoked = key.revokedAt && key.revokedAt.getTime() <= t ? key.revokedAt : null;
  const expired = key.expiresAt && key.expiresAt.getTime() <= t ? key.expiresAt : null;
  if (revoked && (!expired || revoked.getTime() <= expired.getTime())) return { status: KeyStatus.REVOKED, at: revoked };
  if (expired) return { status: KeyStatus.EXPIRED, at: expired };
  if (key.enabled === false) return { status: KeyStatus.DISABLED };
  if (key.revokedAt) return { status: KeyStatus.ROTATING, endsAt: key.revokedAt };
  return { status: KeyStatus.ACTIVE };
}

/** Keys older than this should be rotated (ApiKey.rotationRecommended). */
export const ROTATION_RECOMMENDED_AFTER_MS = 90 * 24 * 3600 * 1000;
