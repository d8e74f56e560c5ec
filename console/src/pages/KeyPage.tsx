import { useMemo } from 'react';
import { Link, useParams } from 'react-router';
import { useQuery } from 'urql';
import { type AuditNames, AuditTable } from '../components/AuditTable';
import { FormError } from '../components/Field';
import { KeyDetails } from '../components/keys/KeyDetails';
import { KeyOperations } from '../components/keys/KeyOperations';
import { allowedKeyActions, useKeyActions } from '../components/keys/KeyActionDialogs';
import { UsageFigure } from '../components/UsageChart';
import { KeyPageDocument } from '../gql/graphql';
import { describeError } from '../lib/errors';
import { keyStatusLabel } from '../lib/format';
import { useNow } from '../lib/useNow';
import { useSession } from '../lib/session';
import { useAppId } from '../lib/useAppId';

/** One key: its details and controls, its actions, its usage, its gateway operations and the audit events about it. */
export function KeyPage() {
  const appId = useAppId();
  const { keyId = '' } = useParams();
  const { can, link } = useSession();
  const now = useNow();
  const [{ data, error, fetching }, refetch] = useQuery({ query: KeyPageDocument, variables: { id: keyId, appId }, requestPolicy: 'cache-and-network' });
  const actions = useKeyActions(() => refetch({ requestPolicy: 'network-only' }));
  const key = data?.apiKey;
  const names = useMemo<AuditNames>(() => ({ appId, appName: key?.app.name ?? appId, keys: new Map(key ? [[key.id, key.name]] : []) }), [appId, key]);

  if (error) return <FormError message={describeError(error).message} />;
  if (!key) return fetching ? <p className="loading">Loading…</p> : <p>No such key.</p>;
  const state = keyStatusLabel(key, now);
  return (
    <section className="key-page">
      <p className="crumbs">
        <Link to={link(`/apps/${appId}/keys`)}>Keys of {key.app.name}</Link>
      </p>
      <div className="page-head">
        <h1>{key.name}</h1>
        <span className={`status ${state.tone}`}>{state.label}</span>
      </div>
      <FormError message={actions.error} />
      <div className="actions key-actions">
        {allowedKeyActions(key, can).map((a) => (
          <button key={a.kind} type="button" className={a.kind === 'revoke' ? 'danger' : undefined} onClick={() => actions.start(a.kind, key)}>
            {a.label}
          </button>
        ))}
      </div>
      <KeyDetails apiKey={key} />
      <UsageFigure buckets={key.usage} description="daily, last 30 days" />
      <KeyOperations keyId={key.id} keyName={key.name} />
      <h2>Audit events</h2>
      {data.auditEvents.totalCount === 0 ? (
        <p>No events about this key yet.</p>
      ) : (
        <>
          <AuditTable events={data.auditEvents.nodes} names={names} caption={`Audit events of ${key.name}, newest first`} />
          {data.auditEvents.totalCount > data.auditEvents.nodes.length && (
            <p>
              The newest {data.auditEvents.nodes.length} of {data.auditEvents.totalCount}.{' '}
              <Link to={link(`/apps/${appId}/audit`)}>All in the audit log</Link>
            </p>
          )}
        </>
      )}
      {actions.dialog}
    </section>
  );
}
