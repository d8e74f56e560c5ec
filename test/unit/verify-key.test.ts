import type { EntityManager } from '@mikro-orm/core';
import { describe, expect, it } from 'vitest';
import { AuthReason } from '../../src/errors';
import { bearerCredential, verifyKey } from '../../src/modules/auth/authenticator';
import { generateKey } from '../../src/modules/auth/key-format';
import { KeyHasher } from '../../src/modules/auth/key-hash';
import { systemClock } from '../../src/shared/clock';

/** An EntityManager that fails the test if anything touches it. */
const untouchable = new Proxy({} as EntityManager, {
  get(_t, prop) {
    throw new Error(`database touched: em.${String(prop)}`);
  },
});
const deps = { hasher: new KeyHasher(Buffer.alloc(32)), keyPrefix: undefined, clock: systemClock };

describe('verifyKey before the database', () => {
  it.each([
    ['garbage', 'hello'],
    ['a bad checksum', generateKey({ type: 'app', kind: 'sk', mode: 'live' }, undefined).value.slice(0, -1) + 'Z'],
    ['a foreign brand', generateKey({ type: 'root' }, 'other').value],
  ])('rejects %s as KEY_MALFORMED without a query', async (_label, value) => {
    await expect(verifyKey(untouchable, value, deps)).resolves.toEqual({ valid: false, reason: AuthReason.KEY_MALFORMED });
  });
});

describe('bearerCredential', () => {
  it('reads Authorization: Bearer <key>, case-insensitively', () => {
    expect(bearerCredential('Bearer abc')).toEqual({ ok: true, key: 'abc' });
    expect(bearerCredential('bearer abc')).toEqual({ ok: true, key: 'abc' });
  });
  it('reports a missing header as KEY_MISSING and another scheme as KEY_MALFORMED', () => {
    expect(bearerCredential(undefined)).toEqual({ ok: false, reason: AuthReason.KEY_MISSING });
    expect(bearerCredential('')).toEqual({ ok: false, reason: AuthReason.KEY_MISSING });
    expect(bearerCredential('Basic dXNlcjpwYXNz')).toEqual({ ok: false, reason: AuthReason.KEY_MALFORMED });
    expect(bearerCredential('Bearer a b')).toEqual({ ok: false, reason: AuthReason.KEY_MALFORMED });
  });
});
