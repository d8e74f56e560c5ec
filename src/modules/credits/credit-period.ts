import { RefillInterval } from './credit-balance.entity';

export interface RefillRule {
  interval: RefillInterval;
  amount: number;
  dayOfMonth: number | null;
}

/** Midnight UTC of `day` in the given month, clamped to the month's last day (Date.UTC normalises month -1 and 12). */
function refillDay(year: number, month: number, day: number): Date {
  const lastDay = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  return new Date(Date.UTC(year, month, Math.min(day, lastDay)));
}

/** The start of the refill period that contains `now`. */
export function periodStartAt(rule: Pick<RefillRule, 'interval' | 'dayOfMonth'>, now: Date): Date {
  const year = now.getUTCFullYear();
  const month = now.getUTCMonth();
  switch (rule.interval) {
    case RefillInterval.DAILY:
      return new Date(Date.UTC(year, month, now.getUTCDate()));
    case RefillInterval.MONTHLY: {
      const day = rule.dayOfMonth ?? 1;
      const thisMonth = refillDay(year, month, day);
      return thisMonth.getTime() <= now.getTime() ? thisMonth : refillDay(year, month - 1, day);
    }
    default: {
      const unreachable: never = rule.interval;
      return unreachable;
    }
  }
}

/** What a balance reads as at `now`: a due refill counts although no write has happened yet. */
export function balanceAt(balance: { remaining: number; refill: RefillRule | null; periodStart: Date; lastRefillAt: Date | null }, now: Date) {
  if (balance.refill) {
    const start = periodStartAt(balance.refill, now);
    if (start.getTime() > balance.periodStart.getTime()) return { remaining: balance.refill.amount, lastRefillAt: start };
  }
  return { remaining: balance.remaining, lastRefillAt: balance.lastRefillAt };
}
