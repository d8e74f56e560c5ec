import type { EntityManager } from '@mikro-orm/core';
import type { EntityManager as SqlEntityManager } from '@mikro-orm/knex';
import { periodStartAt, type RefillRule } from './credit-period';

/** Per use: 0 checks the key without spending. */
export const MAX_COST = 1000;

export interface CreditAccount {
  /** The CreditBalance row every key of a rotation spends from. */
  balanceId: string;
  refill: RefillRule | null;
}

export type Spend = { ok: true; remaining: number } | { ok: false };

/**
 * Spends `cost` from a balance in ONE conditional UPDATE: the row is changed only if
 * the balance (after a refill that is due now) covers the cost. The database's row lock
 * serialises concurrent spends, and PostgreSQL re-checks the condition against the
 * committed row after waiting for the lock, so no two requests can spend the same
 * credit, across processes too. A due refill (period start later than the balance's)
 * is applied by the same statement, so no job has to run.
 */
export async function spend(em: EntityManager, account: CreditAccount, cost: number, now: Date): Promise<Spend> {
  const sem = em as SqlEntityManager;
  const date = (d: Date) => sem.getPlatform().processDateProperty(d);
  // null when the balance never refills: `period_start < null` is never true.
  const periodStart = account.refill ? date(periodStartAt(account.refill, now)) : null;
  const due = 'refill_interval is not null and period_start < ?';
  const balance = `(case when ${due} then refill_amount else remaining end)`;
  const rows = await sem.execute<{ remaining: number }[]>(
    `update credit_balances set
       remaining = ${balance} - ?,
       last_refill_at = case when ${due} then ? else last_refill_at end,
       period_start = case when ${due} then ? else period_start end
     where id = ? and ${balance} >= ?
     returning remaining`,
    [periodStart, cost, periodStart, periodStart, periodStart, periodStart, account.balanceId, periodStart, cost],
    'all',
  );
  return rows.length === 1 ? { ok: true, remaining: Number(rows[0].remaining) } : { ok: false };
}

/** A request's cost (`?cost=` or `X-Keygate-Cost`): undefined when none was given (default 1), null when it is not 0 … MAX_COST. */
export function parseCost(raw: string | null | undefined): number | null | undefined {
  if (raw === null || raw === undefined) return undefined;
  if (!/^\d{1,4}$/.test(raw.trim())) return null;
  const cost = Number(raw.trim());
  return cost <= MAX_COST ? cost : null;
}
