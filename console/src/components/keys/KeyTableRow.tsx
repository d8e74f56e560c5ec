import { Link } from 'react-router';
import type { AppKeysQuery } from '../../gql/graphql';
import { formatDate, keyStatusLabel, plural, humanize } from '../../lib/format';
import { useSession } from '../../lib/session';
import { ActionsMenu } from '../ActionsMenu';
import { UsageChart } from '../UsageChart';
import { allowedKeyActions, type KeyActionKind } from './KeyActionDialogs';

export type KeyNode = NonNullable<AppKeysQuery['app']>['apiKeys']['nodes'][number];

/** One key, compact: its name (a link to its page), kind, status, last use, a sparkline and its actions in a menu. */
export function KeyTableRow({ apiKey: key, appId, now, onAction }: { apiKey: KeyNode; appId: string; now: number; onAction(action: KeyActionKind): void }) {
  const { can, link } = useSession();
  const state = keyStatusLabel(key, now);
  const uses = key.usage.reduce((n, b) => n + b.verifications, 0);
  const actions = allowedKeyActions(key, can).map((a) => ({ label: a.label, tone: a.kind === 'revoke' ? ('danger' as const) : undefined, onSelect: () => onAction(a.kind) }));
  return (
    <tr data-key-id={key.id}>
      <th scope="row">
        <Link to={link(`/apps/${appId}/keys/${key.id}`)}>{key.name}</Link>
      </th>
      <td className="kind">
        {humanize(key.kind)}
        {key.role && ` · ${humanize(key.role)}`}
        <span className="mono truncate sub" title={key.publishableKey ?? undefined}>
          {key.publishableKey ?? `${key.start}…`}
        </span>
        {key.scopes.length > 0 && (
          <span className="mono truncate sub" title={key.scopes.join(' ')}>
            <span className="visually-hidden">Scopes: </span>
            {key.scopes.join(' ')}
          </span>
        )}
      </td>
      <td>
        <span className={`status ${state.tone}`}>{state.label}</span>
      </td>
      <td className="when">{key.lastUsedAt ? formatDate(key.lastUsedAt) : 'Never'}</td>
      <td className="spark">
        <UsageChart buckets={key.usage} series={['verifications']} width={96} height={28} compact />
        <span className="visually-hidden">{plural(uses, 'verification')} in 30 days</span>
      </td>
      <td className="menu-cell">
        <ActionsMenu label={`Actions for ${key.name}`} actions={actions} />
      </td>
    </tr>
  );
}
