import { type LoaderHost, requestLoader, rowsById } from '../../shared/request-loaders';
import { type EntityManager, raw } from '@mikro-orm/core';
import { ApiKey } from '../keys/api-key.entity';
import { CreditRefill, CreditBalance } from './credit-balance.entity';
import { balanceAt } from './credit-period';
import type { CreditsSpec, KeyCredits } from './credits.types';

/** Where key.credits_low fires: below 10 % of the refill amount, or of the starting balance. */
function lowBelowOf(spec: CreditsSpec): number | null {
  const low = Math.floor((spec.refill?.amount ?? spec.remaining) / 10);
  return low > 0 ? low : null;
}

/** A new balance for a key of `appId`, counted from `now`. */
export function openBalance(em: EntityManager, appId: string, spec: CreditsSpec, now: Date): CreditBalance {
  const balance = Object.assign(new CreditBalance(), { appId, remaining: spec.remaining, refill: spec.refill, periodStart: now, lastRefillAt: null, lowBelow: lowBelowOf(spec) });
  em.persist(balance);
  return balance;
}

/**
 * Sets or removes (spec null) a key's balance. A balance shared by a rotation's keys is
 * one account: setting it sets it for both, removing it unlinks both. Returns the ids
 * of every key whose verification changed (their cached records are stale).
 */
export async function changeBalance(em: EntityManager, key: ApiKey, spec: CreditsSpec | null, now: Date): Promise<string[]> {
  if (!key.creditBalanceId) {
    if (spec) key.creditBalanceId = openBalance(em, key.appId, spec, now).id;
    return [key.id];
  }
  const balanceId = key.creditBalanceId;
  const sharing = (await em.find(ApiKey, { creditBalanceId: balanceId }, { fields: ['id'] })).map((k) => k.id);
  if (spec) {
    // A new generation, counted by the row itself (a refill may bump it at the same time):
    // leases taken from the old balance are void in every process.
    await em.nativeUpdate(
      CreditBalance,
      { id: balanceId },
      { remaining: spec.remaining, refill: spec.refill, periodStart: now, lastRefillAt: null, lowBelow: lowBelowOf(spec), generation: raw('generation + 1'), lowSent: 0 },
    );
  } else {
    await em.nativeUpdate(ApiKey, { creditBalanceId: balanceId }, { creditBalanceId: null });
    await em.nativeDelete(CreditBalance, { id: balanceId });
    key.creditBalanceId = null;
  }
  return [...new Set([key.id, ...sharing])];
}

/**
 * A key's credits as they read at `now`, or null for a key without a balance: the row's
 * balance plus what this process holds of it in a lease (other processes' leases count as
 * spent until they give them back).
 */
export async function creditsOf(ctx: LoaderHost, key: Pick<ApiKey, 'creditBalanceId'>, now: Date, held: (balanceId: string, generation: number) => number): Promise<KeyCredits | null> {
  if (!key.creditBalanceId) return null;
  // Batched per request: a page of keys reads its balances in one query.
  const balance = await requestLoader(ctx, 'credits.balanceById', rowsById(CreditBalance)).load(key.creditBalanceId);
  if (!balance) return null;
  const refill = balance.refill ? Object.assign(new CreditRefill(), balance.refill) : null;
  const read = balanceAt(balance, now);
  // A refill due now voids every lease of the ending period.
  const refilled = read.lastRefillAt !== balance.lastRefillAt;
  return { ...read, remaining: read.remaining + (refilled ? 0 : held(balance.id, balance.generation)), refill };
}
