import type { KeyRowFragment } from '../gql/graphql';

export function formatDate(iso: string | null | undefined): string {
  if (!iso) return '—';
  return new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

/** "2 h 5 min" for a positive span of milliseconds. */
export function formatSpan(ms: number): string {
  const minutes = Math.max(0, Math.round(ms / 60_000));
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} h ${minutes % 60} min`;
  return `${Math.floor(hours / 24)} d ${hours % 24} h`;
}

const DAY_MS = 86_400_000;

/** The status a person needs: the API's status, plus the grace countdown and "Expires soon" (< 24 h). */
export function keyStatusLabel(key: KeyRowFragment, now: number): { label: string; tone: 'ok' | 'warn' | 'bad' } {
  switch (key.status) {
    case 'ACTIVE': {
      const left = key.expiresAt ? new Date(key.expiresAt).getTime() - now : Infinity;
      return left < DAY_MS ? { label: `Expires soon (${formatSpan(left)})`, tone: 'warn' } : { label: 'Active', tone: 'ok' };
    }
    case 'ROTATING': {
      const ends = key.rotatedTo ? new Date(key.rotatedTo.graceEndsAt).getTime() - now : 0;
      return { label: `Rotating · ${formatSpan(ends)} left`, tone: 'warn' };
    }
    case 'EXPIRED':
      return { label: 'Expired', tone: 'bad' };
    case 'REVOKED':
      return { label: 'Revoked', tone: 'bad' };
    case 'DISABLED':
      return { label: 'Disabled', tone: 'warn' };
    default: {
      const unreachable: never = key.status;
      return { label: String(unreachable), tone: 'bad' };
    }
  }
}

/** "1 verification", "2 verifications". */
export function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

/** An enum value in the console's wording: "IN_GRACE" → "In grace" (sentence case everywhere). */
export function humanize(value: string | null | undefined): string {
  if (!value) return '—';
  const words = value.toLowerCase().replace(/_/g, ' ');
  return words[0].toUpperCase() + words.slice(1);
}

/** "40 left · refills 100 daily" for a key's credits; "Unlimited" without. */
export function formatCredits(credits: KeyRowFragment['credits']): string {
  if (!credits) return 'Unlimited';
  const { refill } = credits;
  if (!refill) return `${credits.remaining} left`;
  const when = refill.interval === 'DAILY' ? 'daily' : `monthly on day ${refill.dayOfMonth ?? 1}`;
  return `${credits.remaining} left · refills ${refill.amount} ${when}`;
}
