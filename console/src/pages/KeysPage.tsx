import { useEffect, useMemo, useState } from 'react';
import { useQuery } from 'urql';
import { FormError } from '../components/Field';
import { Pager, usePager } from '../components/Pager';
import { UsageChart } from '../components/UsageChart';
import { CreateKeyDialog } from '../components/keys/CreateKeyDialog';
import { CompleteRotationDialog, RevokeDialog, RotateDialog } from '../components/keys/KeyActions';
import { AppKeysDocument, type AppKeysQuery, type KeyKind, type KeyStatus } from '../gql/graphql';
import { formatDate, keyStatusLabel, titleCase } from '../lib/format';
import { useSession } from '../lib/session';
import { useAppId } from '../lib/useAppId';

type KeyNode = NonNullable<AppKeysQuery['app']>['apiKeys']['nodes'][number];
type Action = { kind: 'revoke' | 'rotate' | 'complete'; key: KeyNode } | null;

/** Re-renders every 30 s so grace countdowns and "Expires soon" stay true while the page is open. */
function useNow(): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 30_000);
    return () => clearInterval(timer);
  }, []);
  return now;
}

export function KeysPage() {
  const appId = useAppId();
  const { mode, can } = useSession();
  const pager = usePager();
  const [status, setStatus] = useState<KeyStatus | ''>('');
  const [kind, setKind] = useState<KeyKind | ''>('');
  const [creating, setCreating] = useState(false);
  const [action, setAction] = useState<Action>(null);
  const now = useNow();
  const { reset } = pager;
  useEffect(() => reset(), [mode, status, reset]);
  const variables = useMemo(() => ({ appId, mode, status: status ? [status] : undefined, first: 20, after: pager.after }), [appId, mode, status, pager.after]);
  const [{ data, error }, refetch] = useQuery({ query: AppKeysDocument, variables });
  const app = data?.app;
  // The API filters by status; kind is filtered here, within the page.
  const keys = app?.apiKeys.nodes.filter((k) => !kind || k.kind === kind) ?? [];
  const changed = () => refetch({ requestPolicy: 'network-only' });
  const canCreate = can('keys:create_publishable') || can('keys:create_secret');

  return (
    <section>
      <div className="page-head">
        <h1>Keys{app ? ` of ${app.name}` : ''}</h1>
        {canCreate && app && (
          <button type="button" className="primary" onClick={() => setCreating(true)}>
            Create key
          </button>
        )}
      </div>
      <div className="filters">
        <label>
          Status filter{' '}
          <select value={status} onChange={(e) => setStatus(e.target.value as KeyStatus | '')}>
            <option value="">All</option>
            <option value="ACTIVE">Active</option>
            <option value="ROTATING">Rotating</option>
            <option value="EXPIRED">Expired</option>
            <option value="REVOKED">Revoked</option>
            <option value="DISABLED">Disabled</option>
          </select>
        </label>
        <label>
          Kind filter{' '}
          <select value={kind} onChange={(e) => setKind(e.target.value as KeyKind | '')}>
            <option value="">All</option>
            <option value="SECRET">Secret</option>
            <option value="PUBLISHABLE">Publishable</option>
          </select>
        </label>
      </div>
      {error && <FormError message={error.message} />}
      {data && !app && <p>No such app.</p>}
      {app && (
        <>
          <table className="keys">
            <caption className="visually-hidden">{mode === 'TEST' ? 'Test keys' : 'Live keys'}</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Kind</th>
                <th scope="col">Role</th>
                <th scope="col">Start</th>
                <th scope="col">Status</th>
                <th scope="col">Created</th>
                <th scope="col">Last used</th>
                <th scope="col">Expiry</th>
                <th scope="col">Use (30 days)</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {keys.map((key) => {
                const state = keyStatusLabel(key, now);
                const working = key.status === 'ACTIVE' || key.status === 'ROTATING';
                return (
                  <tr key={key.id} data-key-id={key.id}>
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
                    <td>{formatDate(key.createdAt)}</td>
                    <td>{formatDate(key.lastUsedAt)}</td>
                    <td>{key.expiresAt ? formatDate(key.expiresAt) : 'Never'}</td>
                    <td>
                      <UsageChart buckets={key.usage} series={['verifications']} width={100} height={28} compact />
                      <span className="visually-hidden">{key.usage.reduce((n, b) => n + b.verifications, 0)} verifications</span>
                    </td>
                    <td className="row-actions">
                      {working && can('keys:revoke') && (
                        <button type="button" onClick={() => setAction({ kind: 'revoke', key })}>
                          Revoke
                        </button>
                      )}
                      {key.status === 'ACTIVE' && can('keys:rotate') && (
                        <button type="button" onClick={() => setAction({ kind: 'rotate', key })}>
                          Rotate
                        </button>
                      )}
                      {key.status === 'ROTATING' && key.rotatedTo && can('rotations:complete') && (
                        <button type="button" onClick={() => setAction({ kind: 'complete', key })}>
                          Complete rotation
                        </button>
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
          {keys.length === 0 && <p>No {mode === 'TEST' ? 'test' : 'live'} keys here.</p>}
          <Pager pager={pager} pageInfo={app.apiKeys.pageInfo} total={app.apiKeys.totalCount} />
        </>
      )}
      {creating && <CreateKeyDialog appId={appId} onClose={() => setCreating(false)} onCreated={changed} />}
      {action?.kind === 'revoke' && <RevokeDialog apiKey={action.key} onClose={() => setAction(null)} onDone={changed} />}
      {action?.kind === 'rotate' && <RotateDialog apiKey={action.key} onClose={() => setAction(null)} onDone={changed} />}
      {action?.kind === 'complete' && action.key.rotatedTo && (
        <CompleteRotationDialog rotation={action.key.rotatedTo} oldKeyId={action.key.id} onClose={() => setAction(null)} onDone={changed} />
      )}
    </section>
  );
}
