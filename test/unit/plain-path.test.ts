import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { plainPath } from '../../src/modules/http/request';

const BASE = 'http://keygate.invalid';

describe('plainPath: the request path without building a URL', () => {
  it('reads plain paths as they are', () => {
    expect(plainPath('/auth/verify')).toBe('/auth/verify');
    expect(plainPath('/.well-known/jwks.json')).toBe('/.well-known/jwks.json');
    expect(plainPath('/')).toBe('/');
  });

  it('leaves to URL whatever URL would change or split: queries, escapes, dot segments', () => {
    for (const target of ['/graphql?query=x', '/auth/%76erify', '/auth/./verify', '/auth/../auth/verify', '/auth/verify/..', '/a b', '/auth\\verify', 'auth/verify', '//auth/verify', undefined]) {
      expect(plainPath(target)).toBeUndefined();
    }
  });

  it('never disagrees with URL parsing', () => {
    const target = fc.stringMatching(/^\/[A-Za-z0-9._~/%?#\\ -]{0,30}$/);
    fc.assert(
      fc.property(target, (t) => {
        const plain = plainPath(t);
        if (plain !== undefined) expect(plain).toBe(new URL(t, BASE).pathname);
      }),
      { numRuns: 5000 },
    );
  });
});
