import type { AppKeysQuery } from '../../gql/graphql';
import { formatCredits, formatDate, keyStatusLabel, titleCase } from '../../lib/format';
import { useSession } from '../../lib/session';
import { UsageChart } from '../UsageChart';

export type KeyNode = NonNullable<AppKeysQuery['app']>['apiKeys']['nodes'][number];
export type KeyAction = 'revoke' | 'rotate' | 'complete' | 'edit' | 'disable' | 'enable';

/** One key: its facts, its controls (owner, credits, IPs) and the actions the viewer's role allows. */
export function KeyTableRow({ apiKey: key, now, onAction }: { apiKey: KeyNode; now: number; onAction(action: KeyAction): void }) {
  const { can } = useSession();
  const state = keyStatusLabel(key, now);
  const working = key.status === 'ACTIVE' || key.status === 'ROTATING';
  const action = (name: KeyAction, label: string, allowed: boolean) =>
    allowed && (
      <button type="button" onClick={() => onAction(name)}>
        {label}
      </button>
    );
  return (
    <tr data-key-id={key.id}>
      <th scope="row">{key.name}</th>
      <td>
        {titleCase(key.kind)}
        {key.mode === 'TEST' && <span className="badge test">test</span>}
      </td>
      <td>{titleCase(key.role)}</td>
      <td className="mono">{key.publishableKey ?? `${key.start}…`}</td>
      <td>
        <span className={`status ${state.tone}`}>{state.label}</span>
      </td>
      <td>{key.ownerId ?? '—'}</td>
      <td>{formatCredits(key.credits)}</td>
      <td className="mono wrap">{key.allowedIps.length > 0 ? key.allowedIps.join(', ') : 'Any'}</td>
      <td>{formatDate(key.createdAt)}</td>
      <td>{formatDate(key.lastUsedAt)}</td>
      <td>{key.expiresAt ? formatDate(key.expiresAt) : 'Never'}</td>
      <td>
        <UsageChart buckets={key.usage} series={['verifications']} width={100} height={28} compact />
        <span className="visually-hidden">{key.usage.reduce((n, b) => n + b.verifications, 0)} verifications</span>
      </td>
      <td className="row-actions">
        {action('revoke', 'Revoke', working && can('keys:revoke'))}
        {action('rotate', 'Rotate', key.status === 'ACTIVE' && can('keys:rotate'))}
        {action('complete', 'Complete rotation', key.status === 'ROTATING' && Boolean(key.rotatedTo) && can('rotations:complete'))}
        {action('edit', 'Edit', (working || key.status === 'DISABLED') && can('keys:update'))}
        {action('disable', 'Disable key', working && key.enabled && can('keys:update'))}
        {action('enable', 'Enable key', key.status === 'DISABLED' && can('keys:update'))}
      </td>
    </tr>
  );
}
