import { useState } from 'react';
import { useMutation, useQuery } from 'urql';
import { Dialog } from '../components/Dialog';
import { FormError } from '../components/Field';
import { RotateSigningKeyDocument, SigningKeysDocument } from '../gql/graphql';
import { describeError } from '../lib/errors';
import { formatDate } from '../lib/format';
import { useSession } from '../lib/session';
import { TableWrap } from '../components/TableWrap';

/** Root's settings: the Ed25519 keys that sign session tokens. */
export function SettingsPage() {
  const { can } = useSession();
  const [{ data, error }, refetch] = useQuery({ query: SigningKeysDocument, pause: !can('signing_keys:read') });
  const [{ fetching }, rotate] = useMutation(RotateSigningKeyDocument);
  const [confirming, setConfirming] = useState(false);
  const [rotateError, setRotateError] = useState<string | null>(null);

  if (!can('signing_keys:read')) return <p>Only the root key manages the server's settings.</p>;
  const submit = async () => {
    const result = await rotate({});
    if (result.error) return setRotateError(describeError(result.error).message);
    setConfirming(false);
    refetch({ requestPolicy: 'network-only' });
  };
  return (
    <section>
      <div className="page-head">
        <h1>Settings</h1>
      </div>
      <h2>Signing keys</h2>
      <p>Session tokens are signed with the current key; retired keys stay in the JWKS until every token they signed has expired.</p>
      {error && <FormError message={describeError(error).message} />}
      {data && (
        <TableWrap label="Signing keys">
        <table>
          <caption className="visually-hidden">Signing keys</caption>
          <thead>
            <tr>
              <th scope="col">Key id (kid)</th>
              <th scope="col">Algorithm</th>
              <th scope="col">Created</th>
              <th scope="col">State</th>
            </tr>
          </thead>
          <tbody>
            {data.signingKeys.map((k) => (
              <tr key={k.kid}>
                <td className="mono">{k.kid}</td>
                <td>{k.algorithm}</td>
                <td>{formatDate(k.createdAt)}</td>
                <td>{k.retiredAt ? `Retired ${formatDate(k.retiredAt)}` : 'Current'}</td>
              </tr>
            ))}
          </tbody>
        </table>
        </TableWrap>
      )}
      {data?.signingKeys.length === 0 && <p>No signing key yet: one is made when the first token is minted.</p>}
      {can('signing_keys:rotate') && (
        <button type="button" onClick={() => setConfirming(true)}>
          Rotate signing key
        </button>
      )}
      {confirming && (
        <Dialog title="Rotate signing key" onClose={() => setConfirming(false)}>
          <p>New tokens will be signed with a new key. Tokens already issued stay valid until they expire.</p>
          <FormError message={rotateError} />
          <div className="actions">
            <button type="button" className="primary" disabled={fetching} onClick={() => void submit()}>
              Rotate signing key
            </button>
            <button type="button" onClick={() => setConfirming(false)}>
              Cancel
            </button>
          </div>
        </Dialog>
      )}
    </section>
  );
}
