import type { EntityManager } from '@mikro-orm/core';
import { KeyCache, type KeyRecord } from '../../../src/modules/auth/key-cache';
import { generateKey } from '../../../src/modules/auth/key-format';
import { KeyHasher } from '../../../src/modules/auth/key-hash';
import type { PipelineParts } from '../../../src/modules/auth/auth-pipeline';
import { ipAllowListOf } from '../../../src/modules/keys/ip-allow-list';
import { KeyKind, KeyMode, KeyRole } from '../../../src/modules/keys/key-enums';
import { ManualClock } from '../../../src/shared/clock';

/** An EntityManager that fails the test if anything touches it. */
export const untouchable = new Proxy({} as EntityManager, {
  get(_t, prop) {
    throw new Error(`database touched: em.${String(prop)}`);
  },
});

/** What the parts were asked, in order. */
export type Call = 'ipThrottled' | 'consumeKey' | 'spend' | 'refund';

/** Pipeline parts over a real cache and hasher, with budgets the test sets and a log of what was asked. */
export function pipelineParts(budgets: { ipWait?: number | null; rateLimited?: number | null; creditsLeft?: number } = {}) {
  const calls: Call[] = [];
  const clock = new ManualClock(new Date('2026-12-01T12:00:00Z'));
  const parts: PipelineParts = {
    hasher: new KeyHasher(Buffer.alloc(32, 7)),
    clock,
    keyPrefix: undefined,
    cache: new KeyCache({ maxEntries: 100, ttlMs: 60_000, negativeMaxEntries: 100, negativeTtlMs: 60_000, degradedTtlMs: 1_000 }),
    config: { env: 'production' },
    consoleOrigins: ['https://console.example.com'],
    rateLimits: {
      ipThrottled: async () => (calls.push('ipThrottled'), budgets.ipWait ?? null),
      consumeKey: async (_id, limit) => {
        calls.push('consumeKey');
        if (!limit) return null;
        return { limit: limit.limit, remaining: 0, resetAt: new Date(0), retryAfterSeconds: budgets.rateLimited ?? null };
      },
    },
    credits: {
      spend: async (account, cost) => {
        calls.push('spend');
        const left = budgets.creditsLeft ?? 0;
        return left >= cost ? { ok: true, remaining: left - cost, charge: { balanceId: account.balanceId, generation: account.generation, period: null, cost } } : { ok: false };
      },
      refund: async () => (calls.push('refund'), true),
    },
  };
  return { parts, calls, clock };
}

/** A live secret key's value and the record the database would hold for it, with `overrides`. */
export function secretKey(overrides: Partial<Extract<KeyRecord, { type: 'api' }>> & { allowedIps?: string[] } = {}) {
  const { value } = generateKey({ type: 'app', kind: 'sk', mode: 'live' }, undefined);
  const { allowedIps, ...rest } = overrides;
  const record: KeyRecord = {
    type: 'api',
    id: 'key_1',
    appId: 'app_1',
    kind: KeyKind.SECRET,
    mode: KeyMode.LIVE,
    role: KeyRole.READ_ONLY,
    expiresAt: null,
    revokedAt: null,
    enabled: true,
    ownerId: null,
    scopes: [],
    meta: null,
    rateLimit: null,
    allowedOrigins: [],
    ipAllowList: allowedIps ? ipAllowListOf(allowedIps) : null,
    credits: null,
    ...rest,
  };
  return { value, record };
}

/** Puts a key's record in the cache, as a verification that read the database would. */
export function cacheKey(parts: PipelineParts, value: string, record: KeyRecord): void {
  parts.cache.store(parts.hasher.hash(value), record, parts.cache.ticket());
}
