import { describe, expect, it } from 'vitest';
import { RefillInterval } from '../../src/modules/credits/credit-balance.entity';
import { balanceAt, periodStartAt } from '../../src/modules/credits/credit-period';

const utc = (s: string) => new Date(`${s}Z`);
const monthly = (dayOfMonth: number) => ({ interval: RefillInterval.MONTHLY, dayOfMonth });

describe('periodStartAt', () => {
  it('starts a daily period at UTC midnight, the instant itself included', () => {
    expect(periodStartAt({ interval: RefillInterval.DAILY, dayOfMonth: null }, utc('2026-03-10T23:59:59.999'))).toEqual(utc('2026-03-10T00:00:00'));
    expect(periodStartAt({ interval: RefillInterval.DAILY, dayOfMonth: null }, utc('2026-03-11T00:00:00'))).toEqual(utc('2026-03-11T00:00:00'));
  });

  it('starts a monthly period on dayOfMonth, in the previous month before that day', () => {
    expect(periodStartAt(monthly(15), utc('2026-03-15T00:00:00'))).toEqual(utc('2026-03-15T00:00:00'));
    expect(periodStartAt(monthly(15), utc('2026-03-14T23:59:59'))).toEqual(utc('2026-02-15T00:00:00'));
    expect(periodStartAt(monthly(15), utc('2026-01-02T00:00:00'))).toEqual(utc('2025-12-15T00:00:00'));
  });

  it('clamps dayOfMonth to the last day of short months (leap years too)', () => {
    expect(periodStartAt(monthly(31), utc('2026-02-28T00:00:00'))).toEqual(utc('2026-02-28T00:00:00'));
    expect(periodStartAt(monthly(31), utc('2026-02-27T12:00:00'))).toEqual(utc('2026-01-31T00:00:00'));
    expect(periodStartAt(monthly(30), utc('2028-02-29T01:00:00'))).toEqual(utc('2028-02-29T00:00:00'));
    expect(periodStartAt(monthly(31), utc('2026-04-30T00:00:00'))).toEqual(utc('2026-04-30T00:00:00'));
    expect(periodStartAt(monthly(31), utc('2026-05-30T00:00:00'))).toEqual(utc('2026-04-30T00:00:00'));
  });
});

describe('balanceAt', () => {
  const balance = { remaining: 3, refill: { interval: RefillInterval.DAILY, amount: 100, dayOfMonth: null }, periodStart: utc('2026-03-10T09:00:00'), lastRefillAt: null };

  it('reads the stored balance within its period', () => {
    expect(balanceAt(balance, utc('2026-03-10T23:59:59'))).toEqual({ remaining: 3, lastRefillAt: null });
  });

  it('reads a refill that is due as done, though nothing was written yet', () => {
    expect(balanceAt(balance, utc('2026-03-11T00:00:00'))).toEqual({ remaining: 100, lastRefillAt: utc('2026-03-11T00:00:00') });
  });

  it('never refills a balance without a refill rule', () => {
    expect(balanceAt({ ...balance, refill: null }, utc('2027-01-01T00:00:00')).remaining).toBe(3);
  });
});
