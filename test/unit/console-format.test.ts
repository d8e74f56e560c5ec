import { describe, expect, it } from 'vitest';
import { toCsv } from '../../console/src/lib/csv';
import { formatSpan, keyStatusLabel } from '../../console/src/lib/format';
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
