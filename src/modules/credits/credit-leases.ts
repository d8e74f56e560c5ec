import type { EntityManager as SqlEntityManager } from '@mikro-orm/knex';
import type { Orm } from '../../database/orm';
import type { CreditAccount } from './credit-ledger';
import { type Taken, returnCredits } from './credit-statements';

export interface LeasePolicy {
  /** Most uses one lease holds, at the cost of the use that takes it (0: no leases, every batch of uses is written). */
  maxUses: number;
  /** A lease never holds more than 1/share of the balance it is taken from. */
  share: number;
  /** A lease unused this long is given back (checked every half of it). */
  idleMs: number;
}

/** This process's share of one balance, spent in memory. */
export interface Lease {
  /** The row's generation it was taken under: void in any other. */
  generation: number;
  /** The refill period it was taken in (ms since the epoch), null for a balance that never refills. */
  period: number | null;
  left: number;
  /** The row's balance (what no lease holds) when this process last wrote it. */
  row: number;
  /** What it held when last filled: a top-up starts when half of it is spent. */
  size: number;
  /** False once a top-up found nothing to add: the balance is near its end. */
  topUps: boolean;
}

interface Holding {
  lease: Lease | null;
  /** This process asked the others for their leases and has taken none since. */
  exact: boolean;
  usedAt: number;
}

/**
 * The leases of one process, at most one per balance, and the order of its statements on
 * each balance (one at a time per balance, so a lease is never taken, topped up and given
 * back at once). A lease goes back to the row when it is idle, when another process asks
 * for it (the balance ran low there), and on close; a crash loses its unspent part.
 */
export class LeaseBook {
  private readonly holdings = new Map<string, Holding>();
  /** The last task queued per balance: the next one waits for it. */
  private readonly tails = new Map<string, Promise<void>>();
  private sweeper: NodeJS.Timeout | undefined;
  private closing = false;

  constructor(
    private readonly orm: Orm,
    readonly policy: LeasePolicy,
    private readonly now: () => number,
  ) {}

  /** The lease usable for `account` now; a void one (admin set, new refill period) is dropped unreturned. */
  live(account: CreditAccount, periodStart: Date | null): Lease | null {
    const holding = this.holdings.get(account.balanceId);
    const lease = holding?.lease;
    if (!holding || !lease) return null;
    if (lease.generation < account.generation || lease.period !== (periodStart?.getTime() ?? null)) {
      holding.lease = null;
      return null;
    }
    return lease;
  }

  /** Credits a new lease may hold for uses of `cost`. */
  capFor(cost: number): number {
    return this.closing ? 0 : this.policy.maxUses * cost;
  }

  /** What this process holds of a balance in `generation`, for reading it (0 when none). */
  held(balanceId: string, generation: number): number {
    const lease = this.holdings.get(balanceId)?.lease;
    return lease && lease.generation === generation ? lease.left : 0;
  }

  touch(balanceId: string): void {
    const holding = this.holdings.get(balanceId);
    if (holding) holding.usedAt = this.now();
  }

  busy(balanceId: string): boolean {
    return this.tails.has(balanceId);
  }

  /** Runs `task` after every task queued before on this balance. */
  enqueue(balanceId: string, task: () => Promise<void>): void {
    const tail = (this.tails.get(balanceId) ?? Promise.resolve()).then(task);
    this.tails.set(balanceId, tail);
    void tail.finally(() => {
      if (this.tails.get(balanceId) === tail) this.tails.delete(balanceId);
    });
  }

  /** Takes the lease out of memory for a statement that gives it back to the row. */
  detach(balanceId: string): Lease | null {
    const holding = this.holdings.get(balanceId);
    const lease = holding?.lease ?? null;
    if (holding) holding.lease = null;
    return lease;
  }

  /** The statement did not take it back (refused or failed): it is still this process's. */
  reattach(balanceId: string, lease: Lease): void {
    this.holding(balanceId).lease ??= lease;
  }

  hold(balanceId: string, lease: Pick<Lease, 'generation' | 'period' | 'left' | 'row'>): void {
    const holding = this.holding(balanceId);
    holding.lease = { ...lease, size: lease.left, topUps: true };
    holding.usedAt = this.now();
  }

  /** A top-up's result: added to the lease if the row is still the same balance, else a lease of its own. */
  toppedUp(balanceId: string, lease: Lease, taken: Taken | null, periodStart: Date | null): void {
    if (!taken || taken.leased === 0) {
      lease.topUps = false;
      if (taken && taken.generation === lease.generation) lease.row = taken.remaining;
      return;
    }
    const holding = this.holding(balanceId);
    if (holding.lease === lease && taken.generation === lease.generation) {
      Object.assign(lease, { left: lease.left + taken.leased, row: taken.remaining });
      lease.size = lease.left;
      return;
    }
    this.hold(balanceId, { generation: taken.generation, period: periodStart?.getTime() ?? null, left: taken.leased, row: taken.remaining });
  }

  /** True when this process just started writing every use of the balance (ask the others once). */
  enterExact(balanceId: string): boolean {
    const holding = this.holding(balanceId);
    if (holding.exact) return false;
    holding.exact = true;
    return true;
  }

  leaveExact(balanceId: string): void {
    this.holding(balanceId).exact = false;
  }

  /** Gives the lease of a balance back to its row (another process needs it, it is idle, or we stop). */
  handBack(balanceId: string): void {
    // Queued even when no lease is in memory now: a statement in flight may be taking one.
    if (!this.holdings.has(balanceId) && !this.busy(balanceId)) return;
    this.enqueue(balanceId, async () => {
      const carried = this.detach(balanceId);
      if (!carried || carried.left === 0) return;
      try {
        await returnCredits(this.orm.em.fork() as SqlEntityManager, balanceId, carried.generation, carried.left);
      } catch {
        // Not given back (the database is unreachable): kept, and offered again when idle or on close.
        this.reattach(balanceId, carried);
      }
    });
  }

  /** Gives every lease back and takes no new ones: the last step before the database closes. */
  async close(): Promise<void> {
    this.closing = true;
    if (this.sweeper) clearInterval(this.sweeper);
    for (const balanceId of this.holdings.keys()) this.handBack(balanceId);
    while (this.tails.size > 0) await Promise.allSettled([...this.tails.values()]);
  }

  private holding(balanceId: string): Holding {
    let holding = this.holdings.get(balanceId);
    if (!holding) {
      this.holdings.set(balanceId, (holding = { lease: null, exact: false, usedAt: this.now() }));
      this.startSweeper();
    }
    return holding;
  }

  private startSweeper(): void {
    if (this.sweeper || this.closing) return;
    this.sweeper = setInterval(() => this.sweep(), Math.max(1, Math.floor(this.policy.idleMs / 2)));
    // Idle leases must not keep a stopping process alive.
    this.sweeper.unref();
  }

  private sweep(): void {
    const idleSince = this.now() - this.policy.idleMs;
    for (const [balanceId, holding] of this.holdings) {
      if (holding.usedAt > idleSince || this.busy(balanceId)) continue;
      if (holding.lease) this.handBack(balanceId);
      else this.holdings.delete(balanceId);
    }
    if (this.holdings.size === 0 && this.sweeper) {
      clearInterval(this.sweeper);
      this.sweeper = undefined;
    }
  }
}
