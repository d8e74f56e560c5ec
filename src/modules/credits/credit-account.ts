import type { EntityManager } from '@mikro-orm/core';
import { CreditBalance } from './credit-balance.entity';
import type { CreditAccount } from './credit-ledger';

/**
 * What the verification hot path keeps about a key's balance: which row to spend from,
 * its generation (a lease from an older one is void) and its refill rule (to compute the
 * period start). The balance itself is never cached: it is in the row and in leases.
 */
export async function creditAccountOf(em: EntityManager, balanceId: string): Promise<CreditAccount | null> {
  const balance = await em.findOne(CreditBalance, { id: balanceId }, { disableIdentityMap: true });
  if (!balance) return null;
  const refill = balance.refill ? { interval: balance.refill.interval, amount: balance.refill.amount, dayOfMonth: balance.refill.dayOfMonth } : null;
  return { balanceId: balance.id, generation: balance.generation, refill };
}
