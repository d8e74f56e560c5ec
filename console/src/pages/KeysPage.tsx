import { useDeferredValue, useEffect, useMemo, useState } from 'react';
import { useQuery } from 'urql';
import { FormError } from '../components/Field';
import { Pager, usePager } from '../components/Pager';
import { CreateKeyDialog } from '../components/keys/CreateKeyDialog';
import { useKeyActions } from '../components/keys/KeyActionDialogs';
import { KeyTableRow } from '../components/keys/KeyTableRow';
import { AppKeysDocument, type KeyKind, type KeyStatus } from '../gql/graphql';
import { describeError } from '../lib/errors';
import { useNow } from '../lib/useNow';
import { useSession } from '../lib/session';
import { useAppId } from '../lib/useAppId';
import { TableWrap } from '../components/TableWrap';

export function KeysPage() {
  const appId = useAppId();
  const { mode, can } = useSession();
  const pager = usePager();
  const [status, setStatus] = useState<KeyStatus | ''>('');
  const [kind, setKind] = useState<KeyKind | ''>('');
  const [owner, setOwner] = useState('');
  const ownerId = useDeferredValue(owner.trim());
  const [creating, setCreating] = useState(false);
  const now = useNow();
  const { reset } = pager;
  useEffect(() => reset(), [mode, status, ownerId, reset]);
  const variables = useMemo(
    () => ({ appId, mode, status: status ? [status] : undefined, ownerId: ownerId || undefined, first: 20, after: pager.after }),
    [appId, mode, status, ownerId, pager.after],
  );
  const [{ data, error }, refetch] = useQuery({ query: AppKeysDocument, variables });
  const app = data?.app;
  // The API filters by status; kind is filtered here, within the page.
  const keys = app?.apiKeys.nodes.filter((k) => !kind || k.kind === kind) ?? [];
  const actions = useKeyActions(() => refetch({ requestPolicy: 'network-only' }));
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
        <label>
          Owner filter <input type="search" value={owner} onChange={(e) => setOwner(e.target.value)} />
        </label>
      </div>
      {error && <FormError message={describeError(error).message} />}
      <FormError message={actions.error} />
      {data && !app && <p>No such app.</p>}
      {app && (
        <>
          <TableWrap label={mode === 'TEST' ? 'Test keys' : 'Live keys'}>
            <table className="keys">
              <caption className="visually-hidden">{mode === 'TEST' ? 'Test keys' : 'Live keys'}</caption>
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col" className="kind">
                    Kind
                  </th>
                  <th scope="col">Status</th>
                  <th scope="col" className="when">
                    Last used
                  </th>
                  <th scope="col" className="spark">
                    Use (30 days)
                  </th>
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {keys.map((key) => (
                  <KeyTableRow key={key.id} apiKey={key} appId={appId} now={now} onAction={(kind) => actions.start(kind, key)} />
                ))}
              </tbody>
            </table>
          </TableWrap>
          {keys.length === 0 && <p>No {mode === 'TEST' ? 'test' : 'live'} keys here.</p>}
          <Pager pager={pager} pageInfo={app.apiKeys.pageInfo} total={app.apiKeys.totalCount} />
        </>
      )}
      {creating && <CreateKeyDialog appId={appId} onClose={() => setCreating(false)} onCreated={() => refetch({ requestPolicy: 'network-only' })} />}
      {actions.dialog}
    </section>
  );
}
