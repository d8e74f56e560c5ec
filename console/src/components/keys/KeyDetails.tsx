import type { KeyRowFragment } from '../../gql/graphql';
import { formatCredits, formatDate, humanize } from '../../lib/format';
import { type DetailRow, DetailsList } from '../DetailsList';

/** A key's facts and controls as a description list; long values truncate or wrap inside the page width. */
export function KeyDetails({ apiKey: key }: { apiKey: KeyRowFragment }) {
  const rows: DetailRow[] = [
    ['Id', <span className="mono">{key.id}</span>],
    ['Kind', `${humanize(key.kind)}${key.role ? ` · ${humanize(key.role)}` : ''} · ${key.mode === 'TEST' ? 'test' : 'live'} mode`],
    [key.publishableKey ? 'Publishable key' : 'Start', <span className="mono wrap">{key.publishableKey ?? `${key.start}…`}</span>],
    [
      'Scopes',
      <>
        {key.scopes.length > 0 ? <span className="mono wrap">{key.scopes.join(', ')}</span> : 'None granted'}
        <span className="sub">plus the built-in ones of its kind and role</span>
      </>,
    ],
    ['Owner', key.ownerId ?? '—'],
    ['Metadata', key.meta ? <pre className="mono">{JSON.stringify(key.meta, null, 2)}</pre> : '—'],
    ['Allowed IPs', key.allowedIps.length > 0 ? <span className="mono wrap">{key.allowedIps.join(', ')}</span> : 'Any address'],
    ['Credits', formatCredits(key.credits)],
    ['Rate limit', key.rateLimit ? `${key.rateLimit.limit} per ${key.rateLimit.windowSeconds} s` : 'None'],
    ['Created', formatDate(key.createdAt)],
    ['Last used', key.lastUsedAt ? formatDate(key.lastUsedAt) : 'Never'],
    ['Expires', key.expiresAt ? formatDate(key.expiresAt) : 'Never'],
  ];
  // Browsers check a publishable key's Origin against these (an empty list checks nothing): why a call got ORIGIN_NOT_ALLOWED.
  if (key.kind === 'PUBLISHABLE') {
    rows.push(['Effective origins', key.allowedOrigins.length > 0 ? <span className="mono wrap">{key.allowedOrigins.join(', ')}</span> : 'Any origin (no Origin check)']);
  }
  if (key.revokedAt) rows.push(['Revoked', `${formatDate(key.revokedAt)}${key.revokedReason ? ` · ${key.revokedReason}` : ''}`]);
  return <DetailsList rows={rows} />;
}
