import { describe, expect, it } from 'vitest';
import { scopeEntry } from '../../src/cli/apps.command';
import { PrincipalType } from '../../src/modules/auth/principal';
import { KeyKind, KeyRole } from '../../src/modules/keys/key-enums';
import { effectiveScopes, formatScopes, missingScopes, normalizeDeclaredScopes, normalizeGrantedScopes, parseScopes } from '../../src/modules/keys/key-scopes';
import { liveTokenScopes, mintedScopeClaim } from '../../src/modules/sessions/token-scopes';

const key = (kind: KeyKind, role: KeyRole | null, scopes: string[] = []) => ({ type: PrincipalType.API_KEY as const, kind, role, scopes });
const noMedia = { allow_publish_audio: false, allow_publish_video: false };

describe('effectiveScopes: built in from kind and role, plus the grant, sorted', () => {
  it.each([
    [key(KeyKind.PUBLISHABLE, null), ['public']],
    [key(KeyKind.SECRET, KeyRole.READ_ONLY), ['public', 'read']],
    [key(KeyKind.SECRET, KeyRole.READ_WRITE, ['z', 'a']), ['a', 'public', 'read', 'write', 'z']],
    [key(KeyKind.SECRET, KeyRole.ADMIN), ['admin', 'public', 'read', 'write']],
    [{ type: PrincipalType.ROOT as const }, []],
  ])('%o → %o', (holder, expected) => {
    expect(effectiveScopes(holder)).toEqual(expected);
  });
});

describe('matching and formatting', () => {
  it('missingScopes names what is lacking, sorted and once', () => {
    expect(missingScopes(['a', 'b'], ['c', 'a', 'c', 'b0'])).toEqual(['b0', 'c']);
    expect(missingScopes(['a'], [])).toEqual([]);
  });

  it('a claim or header is space-separated and sorted, and reads back the same', () => {
    expect(formatScopes(['write', 'orders:read', 'write'])).toBe('orders:read write');
    expect(parseScopes(' write  orders:read ')).toEqual(['orders:read', 'write']);
  });
});

describe('declaring and granting', () => {
  it('declared scopes come back sorted with empty descriptions as null', () => {
    expect(normalizeDeclaredScopes([{ name: 'b', description: ' ' }, { name: 'a', description: 'x' }])).toEqual([
      { name: 'a', description: 'x' },
      { name: 'b', description: null },
    ]);
  });

  it('a description holding key material is refused', () => {
    expect(() => normalizeDeclaredScopes([{ name: 'a', description: 'sk_live_abcdefghijklmnopqrstuvwxyz0123456789' }])).toThrow();
  });

  it('a grant names declared scopes only', () => {
    expect(normalizeGrantedScopes(['b', 'a', 'b'], [{ name: 'a', description: null }, { name: 'b', description: null }])).toEqual(['a', 'b']);
    expect(() => normalizeGrantedScopes(['c'], [{ name: 'a', description: null }])).toThrow('Scope "c" is not declared by this app');
  });
});

describe('token scopes', () => {
  it('by default the minter’s scopes, session and media grants; fewer on request; more refused', () => {
    expect(mintedScopeClaim(['public', 'read'], { allow_publish_audio: true, allow_publish_video: false }, null)).toBe('media:publish_audio public read session');
    expect(mintedScopeClaim(['public', 'read'], noMedia, ['read'])).toBe('read session');
    expect(() => mintedScopeClaim(['public'], noMedia, ['write'])).toThrow('the key lacks a required scope: write');
  });

  it('a live token loses what its key no longer holds; an old token without a claim has session and media only', () => {
    const claims = { services: { media: noMedia }, scope: 'a b public session' } as Parameters<typeof liveTokenScopes>[0];
    expect(liveTokenScopes(claims, ['a', 'public'])).toEqual(['a', 'public', 'session']);
    expect(liveTokenScopes({ ...claims, scope: undefined }, ['a'])).toEqual(['session']);
  });
});

describe('keygate apps scopes set: name[:description]', () => {
  it.each([
    ['orders:read', { name: 'orders:read', description: null }],
    ['orders:refund:Refund an order', { name: 'orders:refund', description: 'Refund an order' }],
    ['orders:refund:Refund: full or partial', { name: 'orders:refund', description: 'Refund: full or partial' }],
    ['reports:lets you export', { name: 'reports', description: 'lets you export' }],
  ])('%s', (entry, expected) => {
    expect(scopeEntry(entry)).toEqual(expected);
  });
});
