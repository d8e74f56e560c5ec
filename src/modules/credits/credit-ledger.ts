import type { EntityManager as SqlEntityManager } from '@mikro-orm/knex';
import type { Orm } from '../../database/orm';
import type { KeyMode } from '../keys/key-enums';
import { emitEvent } from '../webhooks/emit-event';
import { periodStartAt, type RefillRule } from './credit-period';

/** Per use: 0 checks the key without spending. */
export const MAX_COST = 1000;

export interface CreditAccount {
  /** The CreditBalance row every key of a rotation spends from. */
  balanceId: string;
  refill: RefillRule | null;
}

export type Spend = { ok: true; remaining: number } | { ok: false };

/** The key a use is made with: named by key.credits_low if this use takes the balance low. */
export interface Spender {
  keyId: string;
  mode: KeyMode;
}

/** Uses waiting to be written together: same balance, same cost, same refill period. */
interface Batch {
  account: CreditAccount;
  spender: Spender;
  cost: number;
  periodStart: Date | null;
  waiters: { resolve: (spend: Spend) => void; reject: (error: unknown) => void }[];
}

/**
 * Spends credits exactly, in conditional UPDATEs of the balance row.
 *
 * Each statement grants as many of its uses as the balance (after a refill that is
 * due now) covers, in arrival order, and subtracts exactly that: the database's row
 * lock serialises statements, and PostgreSQL re-checks the row after waiting for the
 * lock, so no two uses can spend the same credit, across processes too. A due refill
 * (period start later than the balance's) is applied by the same statement, so no job
 * has to run.
 *
 * Within a process, uses of one balance that arrive while its statement runs wait and
 * go out together in the next one: a hot key costs one durable write per batch, not
 * per request (one row can take only one commit at a time).
 */
export class CreditLedger {
  /** Batches still open to new uses, by balance|cost|period. */
  private readonly open = new Map<string, Batch>();
  /** The last statement queued per balance: the next one waits for it. */
  private readonly tails = new Map<string, Promise<void>>();

  constructor(private readonly orm: Orm) {}

  spend(account: CreditAccount, cost: number, now: Date, spender: Spender): Promise<Spend> {
    const periodStart = account.refill ? periodStartAt(account.refill, now) : null;
    const id = `${account.balanceId}|${cost}|${periodStart?.getTime() ?? ''}`;
    return new Promise<Spend>((resolve, reject) => {
      const joined = this.open.get(id);
      if (joined) return void joined.waiters.push({ resolve, reject });
      const batch: Batch = { account, spender, cost, periodStart, waiters: [{ resolve, reject }] };
      this.open.set(id, batch);
      const previous = this.tails.get(account.balanceId) ?? Promise.resolve();
      const tail = previous.then(async () => {
        this.open.delete(id); // closed: later uses start the next batch
        await this.write(batch, now);
      });
      this.tails.set(account.balanceId, tail);
      void tail.finally(() => {
        if (this.tails.get(account.balanceId) === tail) this.tails.delete(account.balanceId);
      });
    });
  }

  private async write(batch: Batch, now: Date): Promise<void> {
    const { cost, waiters } = batch;
    try {
      // One transaction: the spend and, when it takes the balance low, its key.credits_low
      // event commit together (the outbox never misses or invents one).
      const { remaining, granted } = await this.orm.em.fork().transactional(async (tem) => this.spendIn(tem as SqlEntityManager, batch, now));
      // Granted in arrival order; each use sees the balance as it was right after its own spend.
      waiters.forEach((w, i) => w.resolve(i < granted ? { ok: true, remaining: remaining + (granted - 1 - i) * cost } : { ok: false }));
    } catch (error) {
      for (const w of waiters) w.reject(error);
    }
  }

  /** The batch's conditional UPDATE (and its key.credits_low event, if any) inside `em`'s transaction. */
  private async spendIn(em: SqlEntityManager, { account, spender, cost, periodStart, waiters }: Batch, now: Date): Promise<{ remaining: number; granted: number }> {
    const date = (d: Date | null) => (d ? em.getPlatform().processDateProperty(d) : null);
    const start = date(periodStart); // null never refills: `period_start < null` is never true
    const due = 'refill_interval is not null and period_start < ?';
    const balance = `(case when ${due} then refill_amount else remaining end)`;
    // How many of the batch's uses fit, in SQL (integer division on both dialects).
    const grant = cost === 0 ? 'cast(? as integer)' : `(case when ${balance} / cast(? as integer) < cast(? as integer) then ${balance} / cast(? as integer) else cast(? as integer) end)`;
    const grantParams = cost === 0 ? [waiters.length] : [start, cost, waiters.length, start, cost, waiters.length];
    const rows = await em.execute<{ remaining: number; granted: number; low_below: number | null; app_id: string }[]>(
      `update credit_balances set
         granted = ${grant},
         remaining = ${balance} - cast(? as integer) * ${grant},
         last_refill_at = case when ${due} then ? else last_refill_at end,
         period_start = case when ${due} then ? else period_start end
       where id = ? and ${balance} >= cast(? as integer)
       returning remaining, granted, low_below, app_id`,
      [...grantParams, start, cost, ...grantParams, start, start, start, start, account.balanceId, start, cost],
      'all',
    );
    const remaining = rows.length === 1 ? Number(rows[0].remaining) : 0;
    const granted = rows.length === 1 ? Number(rows[0].granted) : 0;
    const lowBelow = rows.length === 1 && rows[0].low_below !== null ? Number(rows[0].low_below) : null;
    // Rows are locked by the UPDATE, so exactly one statement sees the balance cross the line.
    if (lowBelow !== null && remaining < lowBelow && remaining + granted * cost >= lowBelow) {
      await emitEvent(em, { type: 'key.credits_low', appId: rows[0].app_id, mode: spender.mode, data: { key_id: spender.keyId, remaining, low_below: lowBelow } }, now);
    }
    return { remaining, granted };
  }
}

/** A request's cost (`?cost=`): undefined when none was given (default 1), null when it is not 0 … MAX_COST. */
export function parseCost(raw: string | null | undefined): number | null | undefined {
  if (raw === null || raw === undefined) return undefined;
  if (!/^\d{1,4}$/.test(raw.trim())) return null;
  const cost = Number(raw.trim());
  return cost <= MAX_COST ? cost : null;
}

/** Spends from a key's balance; null for keys without credits (no database work at all). */
export function spendKeyCredits(ledger: Pick<CreditLedger, 'spend'>, key: { id: string; mode: KeyMode; credits: CreditAccount | null }, cost: number, now: Date): Promise<Spend> | null {
  return key.credits ? ledger.spend(key.credits, cost, now, { keyId: key.id, mode: key.mode }) : null;
}
