import { useEffect, useId, useState } from 'react';
import { useMutation, useQuery } from 'urql';
import { type TrustedDocumentsPolicy, SetDocumentsPolicyDocument, TrustedDocumentListDocument } from '../../gql/graphql';
import { describeError } from '../../lib/errors';
import { formatDate } from '../../lib/format';
import { useSession } from '../../lib/session';
import { FormError } from '../Field';
import { Pager, usePager } from '../Pager';
import { TableWrap } from '../TableWrap';
import { RegisterDocumentsDialog } from './RegisterDocumentsDialog';
import { RemoveDocumentDialog } from './RemoveDocumentDialog';

const POLICIES: Record<TrustedDocumentsPolicy, string> = {
  OFF: 'Off: any document runs',
  PUBLISHABLE: 'Publishable keys run only registered documents',
  ALL: 'Every credential runs only registered documents',
};

const PAGE_SIZE = 20;

interface Props {
  app: { id: string; name: string; trustedDocumentsPolicy: TrustedDocumentsPolicy };
  onPolicyChanged(): void;
}

/**
 * The app's trusted documents: the policy (changed by those who may update the app), the
 * registry a page at a time, and registering or removing documents (ADMIN and root). They are
 * app-level, like the app's settings, so a test-mode key may read but not change them.
 */
export function TrustedDocuments({ app, onPolicyChanged }: Props) {
  const { can, viewer } = useSession();
  const liveOrRoot = viewer.mode !== 'TEST';
  const manage = can('trusted_documents:manage') && liveOrRoot;
  const pager = usePager();
  useEffect(() => pager.reset(), [app.id, pager.reset]);
  const [{ data, error }, refetch] = useQuery({ query: TrustedDocumentListDocument, variables: { appId: app.id, first: PAGE_SIZE, after: pager.after } });
  const [registering, setRegistering] = useState(false);
  const [removing, setRemoving] = useState<{ id: string; operationName?: string | null } | null>(null);
  const [notice, setNotice] = useState('');
  const listed = data?.app?.trustedDocuments;
  const changed = (message: string) => {
    setNotice(message);
    refetch({ requestPolicy: 'network-only' });
  };

  return (
    <section>
      <div className="page-head">
        <h2>Trusted documents</h2>
        {manage && (
          <button type="button" className="primary" onClick={() => setRegistering(true)}>
            Register documents
          </button>
        )}
      </div>
      {can('apps:update') && liveOrRoot ? <PolicyForm app={app} onSaved={onPolicyChanged} /> : <p>Policy: {POLICIES[app.trustedDocumentsPolicy]}.</p>}
      {error && <FormError message={describeError(error).message} />}
      <p role="status">{notice}</p>
      {listed && listed.totalCount === 0 && <p>No documents registered yet.</p>}
      {listed && listed.totalCount > 0 && (
        <>
          <TableWrap label="Trusted documents">
            <table className="documents">
              <caption className="visually-hidden">Trusted documents, newest first</caption>
              <thead>
                <tr>
                  <th scope="col">Operation</th>
                  <th scope="col">Id</th>
                  <th scope="col">Registered</th>
                  {manage && <th scope="col">Actions</th>}
                </tr>
              </thead>
              <tbody>
                {listed.nodes.map((d) => (
                  <tr key={d.id}>
                    <th scope="row">{d.operationName ?? 'Anonymous operation'}</th>
                    <td className="mono wrap">{d.id}</td>
                    <td>{formatDate(d.createdAt)}</td>
                    {manage && (
                      <td className="row-actions">
                        <button type="button" onClick={() => setRemoving(d)}>
                          Remove
                        </button>
                      </td>
                    )}
                  </tr>
                ))}
              </tbody>
            </table>
          </TableWrap>
          <Pager pager={pager} pageInfo={listed.pageInfo} total={listed.totalCount} />
        </>
      )}
      {registering && <RegisterDocumentsDialog appId={app.id} onClose={() => setRegistering(false)} onRegistered={(message) => changed(message)} />}
      {removing && <RemoveDocumentDialog appId={app.id} document={removing} onClose={() => setRemoving(null)} onRemoved={() => changed('Document removed.')} />}
    </section>
  );
}

function PolicyForm({ app, onSaved }: { app: Props['app']; onSaved(): void }) {
  const [policy, setPolicy] = useState(app.trustedDocumentsPolicy);
  const [{ fetching }, save] = useMutation(SetDocumentsPolicyDocument);
  const [message, setMessage] = useState<{ error: string | null; saved: boolean }>({ error: null, saved: false });
  const id = useId();
  const submit = async () => {
    setMessage({ error: null, saved: false });
    const result = await save({ id: app.id, policy });
    if (result.error) return setMessage({ error: describeError(result.error).message, saved: false });
    setMessage({ error: null, saved: true });
    onSaved();
  };
  return (
    <form
      className="filters"
      onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}
    >
      <label htmlFor={id}>
        Policy
        <select id={id} value={policy} onChange={(e) => setPolicy(e.target.value as TrustedDocumentsPolicy)} aria-describedby={message.error ? `${id}-error` : undefined}>
          {Object.entries(POLICIES).map(([value, label]) => (
            <option key={value} value={value}>
              {label}
            </option>
          ))}
        </select>
      </label>
      <button type="submit" disabled={fetching || policy === app.trustedDocumentsPolicy}>
        Save policy
      </button>
      {message.error && (
        <small id={`${id}-error`} className="field-error" role="alert">
          {message.error}
        </small>
      )}
      <span role="status">{message.saved ? 'Policy saved.' : ''}</span>
    </form>
  );
}
