import { useQuery } from 'urql';
import { OldKeyUseDocument } from '../../gql/graphql';
import { formatDate, formatSpan } from '../../lib/format';

/** Is the old key still in use? Its verifications since the rotation started, from the usage API. */
export function RotationUse({ oldKeyId, startedAt, graceEndsAt }: { oldKeyId: string; startedAt: string; graceEndsAt: string }) {
  // Usage is kept per hour: count from the start of the hour the rotation began in.
  const from = new Date(startedAt);
  from.setUTCMinutes(0, 0, 0);
  const [{ data }] = useQuery({ query: OldKeyUseDocument, variables: { id: oldKeyId, from: from.toISOString() }, requestPolicy: 'network-only' });
  const uses = data?.apiKey?.usage.reduce((n, b) => n + b.verifications, 0);
  const left = new Date(graceEndsAt).getTime() - Date.now();
  return (
    <div className="panel" role="status">
      <p>
        Grace ends {formatDate(graceEndsAt)}
        {left > 0 ? ` (in ${formatSpan(left)})` : ''}.
      </p>
      {uses === undefined ? (
        <p>Checking whether the old key is still used…</p>
      ) : uses > 0 ? (
        <p className="warning">
          The old key is still in use: {uses} verification{uses === 1 ? '' : 's'} since the rotation started. Deploy the new key everywhere before completing.
        </p>
      ) : (
        <p>The old key has not been used since the rotation started.</p>
      )}
    </div>
  );
}
