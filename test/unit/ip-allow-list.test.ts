import { describe, expect, it } from 'vitest';
import { ipAllowListOf, ipAllowed, normalizeAllowedIps } from '../../src/modules/keys/ip-allow-list';

describe('normalizeAllowedIps', () => {
  it('keeps addresses and CIDR ranges of both families, trimmed, lowercased, without duplicates', () => {
    expect(normalizeAllowedIps([' 10.0.0.0/8 ', '2001:DB8::/32', '10.0.0.0/8', '::ffff:192.0.2.1', '::1'])).toEqual(['10.0.0.0/8', '2001:db8::/32', '::ffff:192.0.2.1', '::1']);
  });

  it.each(['', '10.0.0.0/', '10.0.0.0/33', '2001:db8::/129', '10.0.0.0/8/8', '10.0.0.0/-1', '10.0.0.0/08x', 'localhost', '1.2.3'])('refuses %j with BAD_USER_INPUT on allowedIps', (entry) => {
    expect(() => normalizeAllowedIps([entry])).toThrow(expect.objectContaining({ extensions: expect.objectContaining({ code: 'BAD_USER_INPUT', field: 'allowedIps' }) }));
  });

  it('refuses more than 100 entries', () => {
    expect(() => normalizeAllowedIps(Array.from({ length: 101 }, (_, i) => `10.0.0.${i}`))).toThrow(/at most 100/);
  });
});

describe('ipAllowed', () => {
  const list = ipAllowListOf(['192.0.2.0/24', '2001:db8::/32', '::ffff:198.51.100.0/120'])!;

  it('matches IPv4 and IPv6 ranges, and IPv4-mapped IPv6 addresses in both directions', () => {
    expect(ipAllowed(list, '192.0.2.77')).toBe(true);
    expect(ipAllowed(list, '::ffff:192.0.2.77')).toBe(true);
    expect(ipAllowed(list, '198.51.100.3')).toBe(true);
    expect(ipAllowed(list, '2001:db8:1::5')).toBe(true);
  });

  it('refuses other addresses, an unknown address and garbage', () => {
    expect(ipAllowed(list, '192.0.3.1')).toBe(false);
    expect(ipAllowed(list, '2001:db9::1')).toBe(false);
    expect(ipAllowed(list, null)).toBe(false);
    expect(ipAllowed(list, 'not-an-ip')).toBe(false);
  });

  it('is no list at all when empty (any address)', () => {
    expect(ipAllowListOf([])).toBeNull();
  });
});
