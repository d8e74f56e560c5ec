import { describe, expect, it } from 'vitest';
import { toCsv } from '../../console/src/lib/csv';
import { formatCredits, formatSpan, keyStatusLabel } from '../../console/src/lib/format';
import { parseMeta } from '../../console/src/lib/useForm';
import type { KeyRowFragment } from '../../console/src/gql/graphql';

const NOW = Date.parse('2026-06-01T12:00:00Z');
const key = (over: Partial<KeyRowFragment>): KeyRowFragment =>
  ({ id: 'key_1', name: 'k', kind: 'SECRET', mode: 'LIVE', role: 'ADMIN', status: 'ACTIVE', start: 'sk_live_abcd', allowedOrigins: [], createdAt: '2026-01-01T00:00:00Z', rotatedTo: null, ...over }) as KeyRowFragment;

describe('the status a key shows in the console', () => {
  it('is Active for a working key without a near expiry', () => {
    expect(keyStatusLabel(key({ expiresAt: '2026-06-03T12:00:00Z' }), NOW)).toEqual({ label: 'Active', tone: 'ok' });
    expect(keyStatusLabel(key({ expiresAt: null }), NOW)).toEqual({ label: 'Active', tone: 'ok' });
  });

  it('is "Expires soon" with the time left under 24 hours', () => {
    expect(keyStatusLabel(key({ expiresAt: '2026-06-02T11:00:00Z' }), NOW)).toEqual({ label: 'Expires soon (23 h 0 min)', tone: 'warn' });
  });

  it('counts down the grace period of a rotating key', () => {
    const rotatedTo = { id: 'rot_1', status: 'IN_GRACE' as const, startedAt: '2026-06-01T11:00:00Z', graceEndsAt: '2026-06-01T12:15:00Z' };
    expect(keyStatusLabel(key({ status: 'ROTATING', rotatedTo }), NOW)).toEqual({ label: 'Rotating · 15 min left', tone: 'warn' });
  });

  it('is Expired or Revoked once the key stopped working', () => {
    expect(keyStatusLabel(key({ status: 'EXPIRED' }), NOW).label).toBe('Expired');
    expect(keyStatusLabel(key({ status: 'REVOKED' }), NOW).label).toBe('Revoked');
  });
});

describe('formatSpan', () => {
  it('reads minutes, hours and days', () => {
    expect(formatSpan(59 * 60_000)).toBe('59 min');
    expect(formatSpan(61 * 60_000)).toBe('1 h 1 min');
    expect(formatSpan(50 * 3_600_000)).toBe('2 d 2 h');
    expect(formatSpan(-5)).toBe('0 min');
  });
});

describe('the audit CSV export', () => {
  it('quotes commas, quotes and line breaks (RFC 4180) and writes JSON details', () => {
    expect(toCsv(['a', 'b'], [['x,y', 'say "hi"'], ['line\nbreak', { reason: 'leaked' }]])).toBe('a,b\r\n"x,y","say ""hi"""\r\n"line\nbreak","{""reason"":""leaked""}"\r\n');
  });

  it('defuses cells a spreadsheet would run as formulas', () => {
    expect(toCsv(['name'], [['=HYPERLINK("x")'], ['+1'], ['-1'], ['@SUM(A1)']])).toBe('name\r\n"\'=HYPERLINK(""x"")"\r\n\'+1\r\n\'-1\r\n\'@SUM(A1)\r\n');
  });
});

describe('the credits a key shows in the console', () => {
  it('reads the balance, and the refill with its period', () => {
    expect(formatCredits(null)).toBe('Unlimited');
    const lastRefillAt = null;
    expect(formatCredits({ remaining: 7, lastRefillAt, refill: null })).toBe('7 left');
    expect(formatCredits({ remaining: 40, lastRefillAt, refill: { interval: 'DAILY', amount: 100, dayOfMonth: null } })).toBe('40 left · refills 100 daily');
    expect(formatCredits({ remaining: 0, lastRefillAt, refill: { interval: 'MONTHLY', amount: 5000, dayOfMonth: 15 } })).toBe('0 left · refills 5000 monthly on day 15');
  });
});

describe('the Metadata field', () => {
  it('takes a JSON object, or nothing', () => {
    expect(parseMeta('{"plan": "pro", "seats": 3}')).toEqual({ value: { plan: 'pro', seats: 3 } });
    expect(parseMeta('  ')).toEqual({ value: null });
  });

  it('refuses what is not JSON, and JSON that is not an object', () => {
    expect(parseMeta('{plan: pro}')).toEqual({ error: expect.stringMatching(/^Metadata must be valid JSON/) });
    for (const text of ['[1, 2]', '"pro"', '42', 'null']) expect(parseMeta(text)).toEqual({ error: expect.stringMatching(/^Metadata must be a JSON object/) });
  });
});
