import type { EntityManager as SqlEntityManager } from '@mikro-orm/knex';
import { performance } from 'node:perf_hooks';
import type { Orm } from '../../database/orm';
import type { MaybePromise } from '../../shared/maybe-promise';
import type { AuthChange } from '../auth/key-change-bus';
import type { KeyMode } from '../keys/key-enums';
import { emitEvent } from '../webhooks/emit-event';
import { type Lease, LeaseBook, type LeasePolicy } from './credit-leases';
import { periodStartAt, type RefillRule } from './credit-period';
import { type Take, type Taken, returnCredits, takeCredits } from './credit-statements';

/** Per use: 0 checks the key without spending. */
export const MAX_CREDITS_PER_USE = 1000;

export interface CreditAccount {
  /** The CreditBalance row every key of a rotation spends from. */
  balanceId: string;
  /** The row's generation when this account was read: a lease from an older one is void. */
  generation: number;
  refill: RefillRule | null;
}

/**
 * What one granted use took from a balance, for a refund: the balance as it was then (its
 * generation and refill period) and the cost. A refund to any other generation is void.
 */
export interface Charge {
  balanceId: string;
  generation: number;
  /** The refill period in force (ms since the epoch), null for a balance that never refills. */
  period: number | null;
  cost: number;
}

export type Spend = { ok: true; remaining: number; charge: Charge } | { ok: false };

/** The key a use is made with: named by key.credits_low if this use takes the balance low. */
export interface Spender {
  keyId: string;
  mode: KeyMode;
}

/** Where "give your leases of this balance back" is published to the other processes. */
export type LeaseAnnouncer = (em: SqlEntityManager, changes: AuthChange[]) => Promise<void>;

/** Uses waiting to be written together: same balance, same cost, same refill period. */
interface Batch {
  account: CreditAccount;
  spender: Spender;
  cost: number;
  periodStart: Date | null;
  waiters: { resolve: (spend: Spend) => void; reject: (error: unknown) => void }[];
}

/**
 * Spends credits exactly: every credit leaves the balance row in a conditional UPDATE
 * (credit-statements.ts), under the row's lock, so across processes no two uses spend the
 * same credit.
 *
 * A process takes a bounded share of a balance out of the row at a time, a lease
 * (credit-leases.ts), and spends it in memory: a use the lease covers is answered at once,
 * with no database work and no promise. Uses it does not cover wait, and go out together
 * in the next statement, which also takes the next lease; before a lease runs dry it is
 * topped up in the background. Near the end of a balance no lease is taken and every
 * batch of uses is written, and the other processes are asked to give theirs back, so no
 * credit is stranded.
 */
export class CreditLedger {
  /** Batches still open to new uses, by balance|cost|period. */
  private readonly open = new Map<string, Batch>();
  readonly leases: LeaseBook;

  constructor(
    private readonly orm: Orm,
    policy: LeasePolicy,
    /** PostgreSQL: several processes write one row, which each statement locks first. */
    private readonly lockRows: boolean,
    private readonly announce: LeaseAnnouncer,
    monotonicNow: () => number = () => performance.now(),
  ) {
    this.leases = new LeaseBook(orm, policy, monotonicNow);
  }

  spend(account: CreditAccount, cost: number, now: Date, spender: Spender): MaybePromise<Spend> {
    const periodStart = account.refill ? periodStartAt(account.refill, now) : null;
    const lease = this.leases.live(account, periodStart);
    if (lease && lease.left >= cost) return this.fromLease(account, lease, cost, periodStart, now, spender);
    return this.queue(account, cost, periodStart, now, spender);
  }

  /**
   * Gives back what a granted use spent, for a use that provably never happened (the
   * gateway's upstream refused the connection): into the row, in order with this process's
   * statements on the balance, and only if the row is still the balance it was spent from.
   * False (void) when the balance was set or refilled since, like a lease of the old
   * balance: its credits went with it. A lease held here may already be void without this
   * process knowing, so a refund never goes into one. The row's key.credits_low state is
   * left as it is: a balance that falls below the line again does not announce it twice.
   */
  refund(charge: Charge): Promise<boolean> {
    if (charge.cost === 0) return Promise.resolve(true);
    return new Promise((resolve, reject) => {
      this.leases.enqueue(charge.balanceId, async () => {
        try {
          resolve(await returnCredits(this.orm.em.fork() as SqlEntityManager, charge.balanceId, charge.generation, charge.cost));
        } catch (error) {
          // Not given back (the database is unreachable): the use stays charged.
          reject(error);
        }
      });
    });
  }

  /** Gives every lease back (a graceful stop, before the database closes). */
  close(): Promise<void> {
    return this.leases.close();
  }

  private fromLease(account: CreditAccount, lease: Lease, cost: number, periodStart: Date | null, now: Date, spender: Spender): Spend {
    lease.left -= cost;
    this.leases.touch(account.balanceId);
    // Half spent: fetch the next share now, so uses rarely wait for a statement.
    if (cost > 0 && lease.topUps && lease.left < lease.size / 2 && !this.leases.busy(account.balanceId)) {
      this.leases.enqueue(account.balanceId, () => this.topUp(account, cost, periodStart, now, spender));
    }
    return { ok: true, remaining: lease.row + lease.left, charge: { balanceId: account.balanceId, generation: lease.generation, period: lease.period, cost } };
  }

  private queue(account: CreditAccount, cost: number, periodStart: Date | null, now: Date, spender: Spender): Promise<Spend> {
    const id = `${account.balanceId}|${cost}|${periodStart?.getTime() ?? ''}`;
    return new Promise<Spend>((resolve, reject) => {
      const joined = this.open.get(id);
      if (joined) return void joined.waiters.push({ resolve, reject });
      const batch: Batch = { account, spender, cost, periodStart, waiters: [{ resolve, reject }] };
      this.open.set(id, batch);
      this.leases.enqueue(account.balanceId, async () => {
        this.open.delete(id); // closed: later uses start the next batch
        await this.write(batch, now);
      });
    });
  }

  private async write(batch: Batch, now: Date): Promise<void> {
    const { account, cost, periodStart } = batch;
    // A lease topped up while these uses waited may cover them without a statement.
    const waiters = batch.waiters.filter((w) => {
      const lease = this.leases.live(account, periodStart);
      if (!lease || lease.left < cost) return true;
      w.resolve(this.fromLease(account, lease, cost, periodStart, now, batch.spender));
      return false;
    });
    if (waiters.length === 0) return;
    // The lease this process holds goes back into the row with this statement, so its
    // credits and the row's count together (a use may cost more than either alone).
    const carried = this.leases.detach(account.balanceId);
    try {
      const take: Take = { ...this.takeOf(batch, now, waiters.length), carried: carried ?? { generation: -1, left: 0 }, keep: 0 };
      const taken = await this.orm.em.fork().transactional(async (tem) => this.takeIn(tem as SqlEntityManager, take, batch.spender));
      if (!taken) {
        if (carried) this.leases.reattach(account.balanceId, carried);
        for (const w of waiters) w.resolve({ ok: false });
        return;
      }
      if (taken.leased > 0) this.leases.hold(account.balanceId, { generation: taken.generation, period: periodStart?.getTime() ?? null, left: taken.leased, row: taken.remaining });
      // Granted in arrival order; each use sees the balance as it was right after its own spend.
      const after = taken.remaining + taken.leased;
      const charge: Charge = { balanceId: account.balanceId, generation: taken.generation, period: periodStart?.getTime() ?? null, cost };
      waiters.forEach((w, i) => w.resolve(i < taken.granted ? { ok: true, remaining: after + (taken.granted - 1 - i) * cost, charge } : { ok: false }));
    } catch (error) {
      if (carried) this.leases.reattach(account.balanceId, carried);
      for (const w of waiters) w.reject(error);
    }
  }

  /** Adds to a lease being spent, without taking back what it holds. */
  private async topUp(account: CreditAccount, cost: number, periodStart: Date | null, now: Date, spender: Spender): Promise<void> {
    const lease = this.leases.live(account, periodStart);
    if (!lease || lease.left >= lease.size / 2) return;
    const take: Take = { ...this.takeOf({ account, cost, periodStart }, now, 0), carried: { generation: -1, left: 0 }, keep: lease.left };
    try {
      const taken = await this.orm.em.fork().transactional(async (tem) => this.takeIn(tem as SqlEntityManager, take, spender));
      this.leases.toppedUp(account.balanceId, lease, taken, periodStart);
    } catch {
      // The lease goes on until it runs dry; the uses that then wait write the balance themselves.
      lease.topUps = false;
    }
  }

  private takeOf({ account, cost, periodStart }: Pick<Batch, 'account' | 'cost' | 'periodStart'>, now: Date, uses: number): Omit<Take, 'carried' | 'keep'> {
    return { balanceId: account.balanceId, periodStart, now, cost, uses, leaseCap: this.leases.capFor(cost), share: this.leases.policy.share, lock: this.lockRows };
  }

  /** The statement, its key.credits_low event and, entering the exact end, the hand-back call: one transaction. */
  private async takeIn(em: SqlEntityManager, take: Take, spender: Spender): Promise<Taken | null> {
    const taken = await takeCredits(em, take);
    if (taken?.crossedLow) {
      const data = { key_id: spender.keyId, remaining: taken.remaining, low_below: taken.crossedLow.lowBelow };
      await emitEvent(em, { type: 'key.credits_low', appId: taken.crossedLow.appId, mode: spender.mode, data }, take.now);
    }
    // No lease for a use that costs something: the balance is near its end, and what other
    // processes hold may be all that is left. Asked once per stretch of exact writing.
    const exact = take.cost > 0 && take.leaseCap > 0 && take.keep === 0 && (taken === null || taken.leased === 0);
    if (exact && this.leases.enterExact(take.balanceId)) await this.announce(em, [{ creditLeases: take.balanceId }]);
    if (taken && taken.leased > 0) this.leases.leaveExact(take.balanceId);
    return taken;
  }
}

/** A request's cost (`?cost=`): undefined when none was given (default 1), null when it is not 0 … MAX_CREDITS_PER_USE. */
export function parseCost(raw: string | null | undefined): number | null | undefined {
  if (raw === null || raw === undefined) return undefined;
  if (!/^\d{1,4}$/.test(raw.trim())) return null;
  const cost = Number(raw.trim());
  return cost <= MAX_CREDITS_PER_USE ? cost : null;
}

/** Spends from a key's balance; null for keys without credits (no database work at all). */
export function spendKeyCredits(ledger: Pick<CreditLedger, 'spend'>, key: { id: string; mode: KeyMode; credits: CreditAccount | null }, cost: number, now: Date): MaybePromise<Spend> | null {
  return key.credits ? ledger.spend(key.credits, cost, now, { keyId: key.id, mode: key.mode }) : null;
}
