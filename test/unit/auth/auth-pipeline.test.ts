import { describe, expect, it } from 'vitest';
import { AuthReason } from '../../../src/errors';
import { type AuthOutcome, runPipeline } from '../../../src/modules/auth/auth-pipeline';
import { generateKey } from '../../../src/modules/auth/key-format';
import { KeyKind, KeyRole } from '../../../src/modules/keys/key-enums';
import { cacheKey, pipelineParts, secretKey, untouchable } from './pipeline-parts';

const keyRef = { id: 'key_1', appId: 'app_1', mode: 'LIVE' };
const credential = (key: string) => ({ ok: true as const, key });
const request = (key: string, extra: { origin?: string; ip?: string; cost?: number } = {}) => ({ credential: credential(key), origin: extra.origin, ip: extra.ip ?? '203.0.113.9', throttleIp: extra.ip ?? '203.0.113.9', cost: extra.cost });

describe('the authentication pipeline', () => {
  it('refuses a missing credential first, with nothing else asked', () => {
    const { parts, calls } = pipelineParts();
    expect(runPipeline(parts, untouchable, { credential: { ok: false, reason: AuthReason.KEY_MISSING }, origin: undefined, ip: null, throttleIp: null })).toEqual({
      ok: false,
      reason: AuthReason.KEY_MISSING,
      hint: undefined,
    });
    expect(calls).toEqual([]);
  });

  it.each([
    ['garbage', 'hello'],
    ['a bad checksum', generateKey({ type: 'app', kind: 'sk', mode: 'live' }, undefined).value.slice(0, -1) + 'Z'],
    ['a foreign brand', generateKey({ type: 'root' }, 'other').value],
  ])('refuses %s as KEY_MALFORMED, a guess, without touching the database', async (_label, value) => {
    const { parts } = pipelineParts();
    await expect(runPipeline(parts, untouchable, request(value))).resolves.toEqual({ ok: false, reason: AuthReason.KEY_MALFORMED, guess: true });
  });

  it('answers RATE_LIMITED instead, before any lookup, once the client IP spent its failure budget', async () => {
    const { parts } = pipelineParts({ ipWait: 42 });
    await expect(runPipeline(parts, untouchable, request('hello'))).resolves.toEqual({ ok: false, reason: AuthReason.RATE_LIMITED, retryAfterSeconds: 42 });
    const unknown = secretKey();
    await expect(runPipeline(parts, untouchable, request(unknown.value))).resolves.toEqual({ ok: false, reason: AuthReason.RATE_LIMITED, retryAfterSeconds: 42 });
  });

  it('answers a cached key synchronously, asking neither the database nor the failure budget, even from a throttled IP', () => {
    const { parts, calls } = pipelineParts({ ipWait: 42 });
    const { value, record } = secretKey();
    cacheKey(parts, value, record);
    const outcome = runPipeline(parts, untouchable, request(value)) as AuthOutcome;
    expect(outcome).not.toBeInstanceOf(Promise);
    expect(outcome).toMatchObject({ ok: true, principal: { type: 'API_KEY', id: 'key_1', role: KeyRole.READ_ONLY }, budgets: null });
    expect(calls).toEqual([]);
  });

  it('refuses a hash known not to exist as KEY_INVALID, a guess, without a query', async () => {
    const { parts } = pipelineParts();
    const { value } = secretKey();
    parts.cache.store(parts.hasher.hash(value), null, parts.cache.ticket());
    await expect(runPipeline(parts, untouchable, request(value))).resolves.toEqual({ ok: false, reason: AuthReason.KEY_INVALID, guess: true });
  });

  it.each([
    ['revoked', { revokedAt: new Date('2026-11-01T00:00:00Z') }, AuthReason.KEY_REVOKED],
    ['expired', { expiresAt: new Date('2026-11-30T00:00:00Z') }, AuthReason.KEY_EXPIRED],
    ['disabled', { enabled: false }, AuthReason.KEY_DISABLED],
  ])('judges the state now: a %s key is refused with its key named, not as a guess', (_label, overrides, reason) => {
    const { parts } = pipelineParts();
    const { value, record } = secretKey(overrides);
    cacheKey(parts, value, record);
    expect(runPipeline(parts, untouchable, request(value))).toEqual({ ok: false, reason, key: keyRef });
  });

  it('checks the origin after the state: a secret key from a web page is SECRET_KEY_IN_BROWSER', () => {
    const { parts } = pipelineParts();
    const { value, record } = secretKey();
    cacheKey(parts, value, record);
    expect(runPipeline(parts, untouchable, request(value, { origin: 'https://evil.example' }))).toEqual({ ok: false, reason: AuthReason.SECRET_KEY_IN_BROWSER, key: keyRef });
    expect(runPipeline(parts, untouchable, request(value, { origin: 'https://console.example.com' }))).toMatchObject({ ok: true });
  });

  it('refuses a publishable key from an origin off its list', () => {
    const { parts } = pipelineParts();
    const { record } = secretKey({ kind: KeyKind.PUBLISHABLE, role: null, allowedOrigins: ['https://app.example.com'] });
    const publishable = generateKey({ type: 'app', kind: 'pk', mode: 'live' }, undefined).value;
    cacheKey(parts, publishable, record);
    expect(runPipeline(parts, untouchable, request(publishable, { origin: 'https://other.example.com' }))).toEqual({ ok: false, reason: AuthReason.ORIGIN_NOT_ALLOWED, key: keyRef });
  });

  it('checks the IP allow-list before spending any rate limit or credits', () => {
    const { parts, calls } = pipelineParts({ creditsLeft: 10 });
    const { value, record } = secretKey({ allowedIps: ['10.0.0.0/8'], rateLimit: { limit: 5, windowSeconds: 60 }, credits: { balanceId: 'bal_1', generation: 0, refill: null } });
    cacheKey(parts, value, record);
    expect(runPipeline(parts, untouchable, request(value, { cost: 1 }))).toEqual({ ok: false, reason: AuthReason.IP_NOT_ALLOWED, key: keyRef });
    expect(calls).toEqual([]);
  });

  it('spends no credits when the rate limit refuses', async () => {
    const { parts, calls } = pipelineParts({ rateLimited: 7, creditsLeft: 10 });
    const { value, record } = secretKey({ rateLimit: { limit: 5, windowSeconds: 60 }, credits: { balanceId: 'bal_1', generation: 0, refill: null } });
    cacheKey(parts, value, record);
    await expect(runPipeline(parts, untouchable, request(value, { cost: 1 }))).resolves.toEqual({ ok: false, reason: AuthReason.RATE_LIMITED, retryAfterSeconds: 7, key: keyRef });
    expect(calls).toEqual(['consumeKey']);
  });

  it('spends credits last, and refuses USAGE_EXCEEDED when the balance is below the cost', async () => {
    const { parts, calls } = pipelineParts({ creditsLeft: 3 });
    const { value, record } = secretKey({ credits: { balanceId: 'bal_1', generation: 0, refill: null } });
    cacheKey(parts, value, record);
    await expect(runPipeline(parts, untouchable, request(value, { cost: 2 }))).resolves.toMatchObject({ ok: true, budgets: { credits: { remaining: 1 }, rateLimit: null } });
    await expect(runPipeline(parts, untouchable, request(value, { cost: 5 }))).resolves.toEqual({ ok: false, reason: AuthReason.USAGE_EXCEEDED, key: keyRef });
    // No rate limit: the per-key limiter is not asked.
    expect(calls).toEqual(['spend', 'spend']);
  });

  it('answers synchronously when the ledger does (a use its process lease covers): no promise on the hot path', () => {
    const { parts, calls } = pipelineParts();
    parts.credits = { ...parts.credits, spend: (account, cost) => (calls.push('spend'), { ok: true, remaining: 41, charge: { balanceId: account.balanceId, generation: account.generation, period: null, cost } }) };
    const { value, record } = secretKey({ credits: { balanceId: 'bal_1', generation: 0, refill: null } });
    cacheKey(parts, value, record);
    const outcome = runPipeline(parts, untouchable, request(value, { cost: 1 }));
    expect(outcome).not.toBeInstanceOf(Promise);
    expect(outcome).toMatchObject({ ok: true, budgets: { credits: { remaining: 41 }, rateLimit: null } });
    expect(calls).toEqual(['spend']);
  });

  it('spends nothing for uses without a cost (management calls), and stays synchronous for them', () => {
    const { parts, calls } = pipelineParts({ creditsLeft: 0 });
    const { value, record } = secretKey({ credits: { balanceId: 'bal_1', generation: 0, refill: null } });
    cacheKey(parts, value, record);
    expect(runPipeline(parts, untouchable, request(value))).toMatchObject({ ok: true, budgets: null });
    expect(calls).toEqual([]);
  });
});
