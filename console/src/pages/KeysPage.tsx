import { useDeferredValue, useEffect, useMemo, useState } from 'react';
import { useMutation, useQuery } from 'urql';
import { FormError } from '../components/Field';
import { Pager, usePager } from '../components/Pager';
import { CreateKeyDialog } from '../components/keys/CreateKeyDialog';
import { CompleteRotationDialog, RevokeDialog, RotateDialog } from '../components/keys/KeyActions';
import { DisableKeyDialog, EditKeyDialog } from '../components/keys/KeyEdit';
import { type KeyAction, type KeyNode, KeyTableRow } from '../components/keys/KeyTableRow';
import { AppKeysDocument, type KeyKind, type KeyStatus, UpdateApiKeyDocument } from '../gql/graphql';
import { describeError } from '../lib/errors';
import { useSession } from '../lib/session';
import { useAppId } from '../lib/useAppId';

type Action = { kind: Exclude<KeyAction, 'enable'>; key: KeyNode } | null;

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
  const [owner, setOwner] = useState('');
  const ownerId = useDeferredValue(owner.trim());
  const [creating, setCreating] = useState(false);
  const [action, setAction] = useState<Action>(null);
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
  const changed = () => refetch({ requestPolicy: 'network-only' });
  const [enableError, setEnableError] = useState<string | null>(null);
  const [, update] = useMutation(UpdateApiKeyDocument);
  // Enabling only gives a key back its use, so it needs no confirmation (disabling does).
  const enable = async (key: KeyNode) => {
    setEnableError(null);
    const result = await update({ id: key.id, input: { enabled: true } });
    if (result.error) setEnableError(describeError(result.error).message);
    else changed();
  };
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
      {error && <FormError message={error.message} />}
      <FormError message={enableError} />
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
                <th scope="col">Owner</th>
                <th scope="col">Credits</th>
                <th scope="col">Allowed IPs</th>
                <th scope="col">Created</th>
                <th scope="col">Last used</th>
                <th scope="col">Expiry</th>
                <th scope="col">Use (30 days)</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {keys.map((key) => (
                <KeyTableRow key={key.id} apiKey={key} now={now} onAction={(kind) => (kind === 'enable' ? void enable(key) : setAction({ kind, key }))} />
              ))}
            </tbody>
          </table>
          {keys.length === 0 && <p>No {mode === 'TEST' ? 'test' : 'live'} keys here.</p>}
          <Pager pager={pager} pageInfo={app.apiKeys.pageInfo} total={app.apiKeys.totalCount} />
        </>
      )}
      {creating && <CreateKeyDialog appId={appId} onClose={() => setCreating(false)} onCreated={changed} />}
      {action?.kind === 'revoke' && <RevokeDialog apiKey={action.key} onClose={() => setAction(null)} onDone={changed} />}
      {action?.kind === 'rotate' && <RotateDialog apiKey={action.key} onClose={() => setAction(null)} onDone={changed} />}
      {action?.kind === 'edit' && <EditKeyDialog apiKey={action.key} onClose={() => setAction(null)} onDone={changed} />}
      {action?.kind === 'disable' && <DisableKeyDialog apiKey={action.key} onClose={() => setAction(null)} onDone={changed} />}
      {action?.kind === 'complete' && action.key.rotatedTo && (
        <CompleteRotationDialog rotation={action.key.rotatedTo} oldKeyId={action.key.id} onClose={() => setAction(null)} onDone={changed} />
      )}
    </section>
  );
}
