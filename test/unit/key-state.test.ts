import { describe, expect, it } from 'vitest';
import { KeyStatus } from '../../src/modules/keys/key-enums';
import { keyState } from '../../src/modules/keys/key-state';

const now = new Date('2026-06-01T12:00:00Z');
const at = (offsetSeconds: number) => new Date(now.getTime() + offsetSeconds * 1000);

describe('keyState', () => {
  it('is ACTIVE with no revocation and no expiry, or an expiry ahead', () => {
    expect(keyState({ revokedAt: null, expiresAt: null }, now).status).toBe(KeyStatus.ACTIVE);
    expect(keyState({ revokedAt: null, expiresAt: at(1) }, now).status).toBe(KeyStatus.ACTIVE);
  });

  it('is EXPIRED from the instant of expiry on', () => {
    expect(keyState({ revokedAt: null, expiresAt: now }, now)).toEqual({ status: KeyStatus.EXPIRED, at: now });
  });

  it('is REVOKED from the instant of revocation on', () => {
    expect(keyState({ revokedAt: now, expiresAt: null }, now)).toEqual({ status: KeyStatus.REVOKED, at: now });
  });

  it('is ROTATING while a revocation lies ahead (a grace period)', () => {
    expect(keyState({ revokedAt: at(10), expiresAt: null }, now)).toEqual({ status: KeyStatus.ROTATING, endsAt: at(10) });
  });

  it('reports whichever of revocation and expiry came first', () => {
    expect(keyState({ revokedAt: at(-10), expiresAt: at(-5) }, now).status).toBe(KeyStatus.REVOKED);
    expect(keyState({ revokedAt: at(-5), expiresAt: at(-10) }, now).status).toBe(KeyStatus.EXPIRED);
    expect(keyState({ revokedAt: at(10), expiresAt: at(-1) }, now).status).toBe(KeyStatus.EXPIRED);
  });

  it('is DISABLED while switched off, until revocation or expiry end it', () => {
    expect(keyState({ revokedAt: null, expiresAt: null, enabled: false }, now)).toEqual({ status: KeyStatus.DISABLED });
    expect(keyState({ revokedAt: at(10), expiresAt: null, enabled: false }, now).status).toBe(KeyStatus.DISABLED);
    expect(keyState({ revokedAt: at(-1), expiresAt: null, enabled: false }, now).status).toBe(KeyStatus.REVOKED);
    expect(keyState({ revokedAt: null, expiresAt: at(-1), enabled: false }, now).status).toBe(KeyStatus.EXPIRED);
  });
});
