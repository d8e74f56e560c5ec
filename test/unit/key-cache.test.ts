import { describe, expect, it } from 'vitest';
import { KeyCache, type KeyCacheOptions, type KeyRecord } from '../../src/modules/auth/key-cache';
import { KeyKind, KeyMode, KeyRole } from '../../src/modules/keys/key-enums';

function cacheWithClock(options: Partial<KeyCacheOptions> = {}) {
  let t = 0;
  const cache = new KeyCache({ maxEntries: 3, ttlMs: 1_000, negativeMaxEntries: 2, negativeTtlMs: 100, degradedTtlMs: 50, now: () => t, ...options });
  return { cache, advance: (ms: number) => (t += ms) };
}

const record = (id: string, appId = 'app_1'): KeyRecord => ({
  type: 'api',
  id,
  appId,
  kind: KeyKind.SECRET,
  mode: KeyMode.TEST,
  role: KeyRole.READ_ONLY,
  expiresAt: null,
  revokedAt: null,
  allowedOrigins: [],
  rateLimit: null,
  ownerId: null,
  scopes: [],
  meta: null,
  ipAllowList: null,
  credits: null,
});

describe('KeyCache', () => {
  it('returns a stored record until its TTL passes, then asks again (undefined)', () => {
    const { cache, advance } = cacheWithClock();
    cache.store('h1', record('key_1'), cache.ticket());
    advance(999);
    expect(cache.get('h1')).toMatchObject({ id: 'key_1' });
    advance(1);
    expect(cache.get('h1')).toBeUndefined();
  });

  it('remembers unknown hashes (null) only for the short negative TTL', () => {
    const { cache, advance } = cacheWithClock();
    cache.store('nope', null, cache.ticket());
    expect(cache.get('nope')).toBeNull();
    advance(100);
    expect(cache.get('nope')).toBeUndefined();
  });

  it('is bounded: the least recently used entry goes first', () => {
    const { cache } = cacheWithClock();
    for (const n of [1, 2, 3]) cache.store(`h${n}`, record(`key_${n}`), cache.ticket());
    cache.get('h1'); // h2 is now the least recently used
    cache.store('h4', record('key_4'), cache.ticket());
    expect(cache.get('h2')).toBeUndefined();
    expect(cache.get('h1')).toMatchObject({ id: 'key_1' });
    expect(cache.size.entries).toBe(3);
  });

  it('keeps a key that is in use through a flood of keys used once (second chance)', () => {
    const { cache } = cacheWithClock();
    cache.store('hot', record('key_hot'), cache.ticket());
    // Each cold key is loaded once and never read again; the hot one is read between them.
    for (let n = 0; n < 20; n++) {
      expect(cache.get('hot')).toMatchObject({ id: 'key_hot' });
      cache.store(`cold${n}`, record(`key_cold${n}`), cache.ticket());
    }
    expect(cache.size.entries).toBe(3);
    expect(cache.get('cold19')).toMatchObject({ id: 'key_cold19' }); // the key just stored is never the one dropped
    expect(cache.get('cold18')).toMatchObject({ id: 'key_cold18' });
    expect(cache.get('cold17')).toBeUndefined();
  });

  it('drops the oldest stored when every key was read since', () => {
    const { cache } = cacheWithClock();
    for (const n of [1, 2, 3]) cache.store(`h${n}`, record(`key_${n}`), cache.ticket());
    for (const n of [3, 2, 1]) cache.get(`h${n}`);
    cache.store('h4', record('key_4'), cache.ticket());
    expect(cache.get('h1')).toBeUndefined();
    for (const n of [2, 3, 4]) expect(cache.get(`h${n}`)).toMatchObject({ id: `key_${n}` });
  });

  it('bounds the negative cache separately', () => {
    const { cache } = cacheWithClock();
    for (const n of [1, 2, 3]) cache.store(`u${n}`, null, cache.ticket());
    expect(cache.size.negatives).toBe(2);
    expect(cache.get('u1')).toBeUndefined();
  });

  it('invalidates by key id and by app', () => {
    const { cache } = cacheWithClock();
    cache.store('h1', record('key_1', 'app_1'), cache.ticket());
    cache.store('h2', record('key_2', 'app_2'), cache.ticket());
    cache.store('h3', record('key_3', 'app_2'), cache.ticket());
    cache.invalidate({ keyIds: ['key_1'] });
    expect(cache.get('h1')).toBeUndefined();
    cache.invalidate({ appId: 'app_2' });
    expect(cache.get('h2')).toBeUndefined();
    expect(cache.get('h3')).toBeUndefined();
  });

  it('never stores a load that started before an invalidation (the revocation race)', () => {
    const { cache } = cacheWithClock();
    const ticket = cache.ticket(); // a request starts reading the row…
    cache.invalidate({ keyIds: ['key_1'] }); // …a revocation commits meanwhile…
    cache.store('h1', record('key_1'), ticket); // …and the stale row arrives
    expect(cache.get('h1')).toBeUndefined();
  });

  it('trusts entries only for the degraded TTL while notifications may be missed', () => {
    const { cache, advance } = cacheWithClock();
    cache.store('h1', record('key_1'), cache.ticket());
    cache.setDegraded(true);
    advance(50);
    expect(cache.get('h1')).toBeUndefined();
    cache.setDegraded(false);
    cache.store('h1', record('key_1'), cache.ticket());
    advance(500);
    expect(cache.get('h1')).toMatchObject({ id: 'key_1' });
  });

  it('with size 0 caches nothing', () => {
    const { cache } = cacheWithClock({ maxEntries: 0 });
    cache.store('h1', record('key_1'), cache.ticket());
    cache.store('u1', null, cache.ticket());
    expect(cache.get('h1')).toBeUndefined();
    expect(cache.get('u1')).toBeUndefined();
  });
});
