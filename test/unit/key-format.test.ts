import { describe, expect, it } from 'vitest';
import { generateKey, parseKey } from '../../src/modules/auth/key-format';
import { KeyHasher } from '../../src/modules/auth/key-hash';
import { crc32 } from '../../src/shared/crc32';

describe('key format', () => {
  it.each([
    ['pk', 'live'],
    ['pk', 'test'],
    ['sk', 'live'],
    ['sk', 'test'],
  ] as const)('generates %s_%s_ keys with 32 random and 6 checksum base62 characters', (kind, mode) => {
    const { value, start } = generateKey({ type: 'app', kind, mode }, undefined);
    expect(value).toMatch(new RegExp(`^${kind}_${mode}_[0-9A-Za-z]{38}$`));
    expect(start).toBe(value.slice(0, `${kind}_${mode}_`.length + 4));
    expect(parseKey(value, undefined)).toEqual({ type: 'app', kind, mode, brand: undefined, start });
  });

  it('generates root keys as rk_<body>', () => {
    const { value, start } = generateKey({ type: 'root' }, undefined);
    expect(value).toMatch(/^rk_[0-9A-Za-z]{38}$/);
    expect(start).toBe(value.slice(0, 7));
    expect(parseKey(value, undefined)).toMatchObject({ type: 'root' });
  });

  it('puts the deployment brand in front and accepts it back', () => {
    const { value, start } = generateKey({ type: 'app', kind: 'sk', mode: 'live' }, 'acme');
    expect(value).toMatch(/^acme_sk_live_[0-9A-Za-z]{38}$/);
    expect(start).toMatch(/^acme_sk_live_[0-9A-Za-z]{4}$/);
    expect(parseKey(value, 'acme')).toMatchObject({ brand: 'acme', kind: 'sk', mode: 'live' });
  });

  it('rejects a key of another brand', () => {
    const { value } = generateKey({ type: 'app', kind: 'sk', mode: 'live' }, 'other');
    expect(parseKey(value, 'acme')).toBeNull();
    expect(parseKey(value, undefined)).toBeNull();
  });

  it('the checksum is the base62 CRC32 of everything before it', () => {
    const { value } = generateKey({ type: 'app', kind: 'sk', mode: 'test' }, undefined);
    const crc = crc32(value.slice(0, -6));
    let decoded = 0;
    for (const ch of value.slice(-6)) decoded = decoded * 62 + '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'.indexOf(ch);
    expect(decoded).toBe(crc);
    expect(crc32('123456789')).toBe(0xcbf43926); // the standard CRC-32 check value
  });

  it('detects every single-character change in the body', () => {
    const { value } = generateKey({ type: 'app', kind: 'sk', mode: 'live' }, undefined);
    for (let i = 'sk_live_'.length; i < value.length; i++) {
      const replacement = value[i] === 'a' ? 'b' : 'a';
      expect(parseKey(value.slice(0, i) + replacement + value.slice(i + 1), undefined)).toBeNull();
    }
  });

  it.each([
    ['empty', ''],
    ['unknown type', 'xk_live_' + 'a'.repeat(38)],
    ['unknown mode', 'sk_prod_' + 'a'.repeat(38)],
    ['short body', 'sk_live_abc'],
    ['non-base62 body', 'sk_live_' + '-'.repeat(38)],
    ['over-long', 'sk_live_' + 'a'.repeat(200)],
    ['whitespace', ' sk_live_' + 'a'.repeat(38)],
    ['a JWT', 'eyJhbGciOiJIUzI1NiJ9.e30.sig'],
  ])('rejects %s strings', (_label, value) => {
    expect(parseKey(value, undefined)).toBeNull();
  });

  it('draws distinct bodies from the CSPRNG', () => {
    const seen = new Set(Array.from({ length: 2000 }, () => generateKey({ type: 'root' }, undefined).value));
    expect(seen.size).toBe(2000);
  });
});

describe('key hashing', () => {
  it('is HMAC-SHA-256: stable for one secret, different under another', () => {
    const a = new KeyHasher(Buffer.alloc(32, 1));
    const b = new KeyHasher(Buffer.alloc(32, 2));
    expect(a.hash('sk_live_x')).toMatch(/^[0-9a-f]{64}$/);
    expect(a.hash('sk_live_x')).toBe(a.hash('sk_live_x'));
    expect(a.hash('sk_live_x')).not.toBe(b.hash('sk_live_x'));
    expect(a.hash('sk_live_x')).not.toBe(a.hash('sk_live_y'));
  });
});
