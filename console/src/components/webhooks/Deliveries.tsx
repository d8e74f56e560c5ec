import { useEffect, useMemo, useState } from 'react';
import { useMutation, useQuery } from 'urql';
import { type DeliveryStatus, EndpointDeliveriesDocument, RetryWebhookDeliveryDocument } from '../../gql/graphql';
import { describeError } from '../../lib/errors';
import { formatDate } from '../../lib/format';
import { useSession } from '../../lib/session';
import { FormError } from '../Field';
import { Pager, usePager } from '../Pager';
import { TableWrap } from '../TableWrap';

const STATUS: Record<DeliveryStatus, { label: string; tone: 'ok' | 'warn' | 'bad' }> = {
  PENDING: { label: 'Pending', tone: 'warn' },
  SUCCEEDED: { label: 'Succeeded', tone: 'ok' },
  FAILED: { label: 'Failed', tone: 'bad' },
};
/** While a delivery is pending the list asks again this often, so its outcome shows up without a reload. */
const PENDING_POLL_MS = 2_000;

interface Props {
  appId: string;
  endpoint: { id: string; url: string };
  /** The cursor of the endpoint listed just before this one (null: listed first), to fetch this one alone. */
  listedAfter: string | null;
  /** Changes when the page knows a new delivery exists (a test event was sent). */
  refresh: number;
}

/** An endpoint's deliveries, newest first, paged through the connection; failed ones can be retried. */
export function Deliveries({ appId, endpoint, listedAfter, refresh }: Props) {
  const { mode, can } = useSession();
  const pager = usePager();
  const [status, setStatus] = useState<DeliveryStatus | ''>('');
  const { reset } = pager;
  useEffect(() => reset(), [status, endpoint.id, reset]);
  const variables = useMemo(
    () => ({ appId, mode, listedAfter, status: status || undefined, first: 20, after: pager.after }),
    [appId, mode, listedAfter, status, pager.after],
  );
  const [{ data, error }, refetch] = useQuery({ query: EndpointDeliveriesDocument, variables });
  const [, retry] = useMutation(RetryWebhookDeliveryDocument);
  const [retryError, setRetryError] = useState<string | null>(null);
  const deliveries = data?.webhookEndpoints.nodes.find((e) => e.id === endpoint.id)?.deliveries;
  const pending = deliveries?.nodes.some((d) => d.status === 'PENDING') ?? false;

  useEffect(() => {
    if (refresh > 0) refetch({ requestPolicy: 'network-only' });
  }, [refresh, refetch]);
  useEffect(() => {
    if (!pending) return;
    const timer = setTimeout(() => refetch({ requestPolicy: 'network-only' }), PENDING_POLL_MS);
    return () => clearTimeout(timer);
  }, [pending, data, refetch]);

  const retryDelivery = async (id: string) => {
    setRetryError(null);
    const result = await retry({ id });
    if (result.error) setRetryError(describeError(result.error).message);
    else refetch({ requestPolicy: 'network-only' });
  };

  return (
    <section className="panel" aria-labelledby={`deliveries-${endpoint.id}`}>
      <h2 id={`deliveries-${endpoint.id}`}>
        Deliveries to <span className="mono">{endpoint.url}</span>
      </h2>
      <div className="filters">
        <label>
          Delivery status filter{' '}
          <select value={status} onChange={(e) => setStatus(e.target.value as DeliveryStatus | '')}>
            <option value="">All</option>
            <option value="PENDING">Pending</option>
            <option value="SUCCEEDED">Succeeded</option>
            <option value="FAILED">Failed</option>
          </select>
        </label>
        <button type="button" onClick={() => refetch({ requestPolicy: 'network-only' })}>
          Refresh deliveries
        </button>
      </div>
      {error && <FormError message={describeError(error).message} />}
      <FormError message={retryError} />
      {deliveries && (
        <>
          <TableWrap label="Deliveries">
          <table className="deliveries">
            <caption className="visually-hidden">Deliveries</caption>
            <thead>
              <tr>
                <th scope="col">Event</th>
                <th scope="col">Status</th>
                <th scope="col">Attempts</th>
                <th scope="col">Last response</th>
                <th scope="col">Last attempt</th>
                <th scope="col">Next attempt</th>
                <th scope="col">Created</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {deliveries.nodes.map((d) => (
                <tr key={d.id} data-delivery-id={d.id}>
                  <th scope="row" className="mono">
                    {d.eventType}
                  </th>
                  <td>
                    <span className={`status ${STATUS[d.status].tone}`}>{STATUS[d.status].label}</span>
                  </td>
                  <td>{d.attempts}</td>
                  <td>{d.responseStatus === null || d.responseStatus === undefined ? (d.attempts > 0 ? 'No response' : '—') : `HTTP ${d.responseStatus}`}</td>
                  <td>{formatDate(d.lastAttemptAt)}</td>
                  <td>{formatDate(d.nextAttemptAt)}</td>
                  <td>{formatDate(d.createdAt)}</td>
                  <td>
                    {d.status === 'FAILED' && can('webhooks:manage') && (
                      <button type="button" onClick={() => void retryDelivery(d.id)}>
                        Retry
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          </TableWrap>
          {deliveries.nodes.length === 0 && <p>No deliveries{status ? ` with this status` : ''} yet.</p>}
          <Pager pager={pager} pageInfo={deliveries.pageInfo} total={deliveries.totalCount} />
        </>
      )}
    </section>
  );
}
