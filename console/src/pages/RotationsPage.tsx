import { useEffect, useState } from 'react';
import { useQuery } from 'urql';
import { FormError } from '../components/Field';
import { Pager, usePager } from '../components/Pager';
import { CompleteRotationDialog } from '../components/keys/KeyActions';
import { RotationUse } from '../components/keys/RotationUse';
import { RotationsDocument, type RotationsQuery, type RotationStatus } from '../gql/graphql';
import { formatDate, humanize } from '../lib/format';
import { useSession } from '../lib/session';
import { useAppId } from '../lib/useAppId';

type RotationNode = RotationsQuery['rotations']['nodes'][number];

export function RotationsPage() {
  const appId = useAppId();
  const { mode, can } = useSession();
  const [status, setStatus] = useState<RotationStatus | ''>('IN_GRACE');
  const pager = usePager();
  useEffect(() => pager.reset(), [appId, mode, status, pager.reset]);
  const [{ data, error }, refetch] = useQuery({ query: RotationsDocument, variables: { appId, mode, status: status || undefined, first: 20, after: pager.after } });
  const rotations = data?.rotations;
  const [completing, setCompleting] = useState<RotationNode | null>(null);

  return (
    <section>
      <h1>Rotations</h1>
      <div className="filters">
        <label>
          Rotation status{' '}
          <select value={status} onChange={(e) => setStatus(e.target.value as RotationStatus | '')}>
            <option value="IN_GRACE">In grace</option>
            <option value="COMPLETED">Completed</option>
            <option value="">All</option>
          </select>
        </label>
      </div>
      {error && <FormError message={error.message} />}
      {rotations?.totalCount === 0 && <p>No rotations {status === 'IN_GRACE' ? 'in grace' : 'here'}.</p>}
      <ul className="rotations">
        {rotations?.nodes.map((r) => (
          <li key={r.id} className="panel">
            <h2>
              {r.oldKey.name} <span className="mono">{r.oldKey.start}…</span> → <span className="mono">{r.newKey.start}…</span>
            </h2>
            <p>
              {humanize(r.status)} · started {formatDate(r.startedAt)}
              {r.completedAt ? ` · ended ${formatDate(r.completedAt)}` : ''}
            </p>
            {r.status === 'IN_GRACE' && (
              <>
                <RotationUse oldKeyId={r.oldKey.id} startedAt={r.startedAt} graceEndsAt={r.graceEndsAt} />
                {can('rotations:complete') && (
                  <button type="button" onClick={() => setCompleting(r)}>
                    Complete rotation
                  </button>
                )}
              </>
            )}
          </li>
        ))}
      </ul>
      {rotations && rotations.totalCount > 0 && <Pager pager={pager} pageInfo={rotations.pageInfo} total={rotations.totalCount} />}
      {completing && (
        <CompleteRotationDialog rotation={completing} oldKeyId={completing.oldKey.id} onClose={() => setCompleting(null)} onDone={() => refetch({ requestPolicy: 'network-only' })} />
      )}
    </section>
  );
}
