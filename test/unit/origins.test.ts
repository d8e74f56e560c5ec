import { describe, expect, it } from 'vitest';
import { normalizeOrigins, originAllowed } from '../../src/modules/auth/origins';

describe('allowed origins', () => {
  it('accepts exact origins and subdomain wildcards, lower-cased and de-duplicated', () => {
    expect(normalizeOrigins(['https://App.example.com', 'https://app.example.com', 'http://localhost:3000', 'https://*.example.com'])).toEqual([
      'https://app.example.com',
      'http://localhost:3000',
      'https://*.example.com',
    ]);
  });

  it.each(['*', 'example.com', 'https://example.com/path', 'ftp://example.com', 'https://*.com', 'https://exa mple.com', 'https://a.example.com:99999'])(
    'rejects %s with BAD_USER_INPUT',
    (origin) => {
      expect(() => normalizeOrigins([origin])).toThrow(expect.objectContaining({ extensions: expect.objectContaining({ code: 'BAD_USER_INPUT' }) }));
    },
  );

  it('matches exact origins only, and wildcards only for subdomains of the same scheme', () => {
    const list = ['https://shop.example.com', 'https://*.apps.example.com'];
    expect(originAllowed('https://shop.example.com', list)).toBe(true);
    expect(originAllowed('https://SHOP.example.com', list)).toBe(true);
    expect(originAllowed('http://shop.example.com', list)).toBe(false);
    expect(originAllowed('https://shop.example.com.evil.com', list)).toBe(false);
    expect(originAllowed('https://a.apps.example.com', list)).toBe(true);
    expect(originAllowed('https://a.b.apps.example.com', list)).toBe(true);
    expect(originAllowed('https://apps.example.com', list)).toBe(false);
    expect(originAllowed('https://evilapps.example.com', list)).toBe(false);
    expect(originAllowed('http://a.apps.example.com', list)).toBe(false);
  });
});
