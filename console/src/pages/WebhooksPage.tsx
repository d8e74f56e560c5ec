import { useEffect, useState } from 'react';
import { useMutation, useQuery } from 'urql';
import { FormError } from '../components/Field';
import { Pager, usePager } from '../components/Pager';
import { CreateEndpointDialog } from '../components/webhooks/CreateEndpointDialog';
import { DeleteEndpointDialog } from '../components/webhooks/DeleteEndpointDialog';
import { Deliveries } from '../components/webhooks/Deliveries';
import { type EndpointRowFragment, SendTestWebhookDocument, UpdateWebhookEndpointDocument, WebhookEndpointsDocument } from '../gql/graphql';
import { describeError } from '../lib/errors';
import { formatDate } from '../lib/format';
import { useSession } from '../lib/session';
import { useAppId } from '../lib/useAppId';
import { TableWrap } from '../components/TableWrap';

/** An app's webhook endpoints for the mode shown, a page at a time, and the deliveries of the one selected. */
export function WebhooksPage() {
  const appId = useAppId();
  const { mode, can } = useSession();
  const pager = usePager();
  useEffect(() => pager.reset(), [appId, mode, pager.reset]);
  // A page holds the default cap of 16 endpoints per mode; a larger KEYGATE_WEBHOOK_MAX_ENDPOINTS pages.
  const [{ data, error }, refetch] = useQuery({ query: WebhookEndpointsDocument, variables: { appId, mode, first: 20, after: pager.after } });
  const [, update] = useMutation(UpdateWebhookEndpointDocument);
  const [, sendTest] = useMutation(SendTestWebhookDocument);
  const [creating, setCreating] = useState(false);
  const [deleting, setDeleting] = useState<EndpointRowFragment | null>(null);
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const [refresh, setRefresh] = useState(0);
  const [actionError, setActionError] = useState<string | null>(null);
  const [notice, setNotice] = useState('');
  const manage = can('webhooks:manage');
  const listed = data?.webhookEndpoints;
  // Each with the cursor it follows in the list, which is how Deliveries asks for it alone.
  const endpoints = listed?.edges.map((edge, i, edges) => ({ ...edge.node, listedAfter: i === 0 ? pager.after : edges[i - 1].cursor })) ?? [];
  const selected = endpoints.find((e) => e.id === selectedId) ?? null;
  const changed = () => refetch({ requestPolicy: 'network-only' });

  const run = async (work: () => Promise<{ error?: Parameters<typeof describeError>[0] }>, done: string) => {
    setActionError(null);
    setNotice('');
    const result = await work();
    if (result.error) return setActionError(describeError(result.error).message);
    setNotice(done);
    changed();
  };
  const toggle = (e: EndpointRowFragment) => run(() => update({ id: e.id, input: { enabled: !e.enabled } }), e.enabled ? 'Endpoint disabled.' : 'Endpoint enabled.');
  const test = async (e: EndpointRowFragment) => {
    await run(() => sendTest({ id: e.id }), 'Test event queued.');
    setSelectedId(e.id);
    setRefresh((n) => n + 1);
  };

  return (
    <section>
      <div className="page-head">
        <h1>Webhooks{data?.app ? ` of ${data.app.name}` : ''}</h1>
        {manage && data?.app && (
          <button type="button" className="primary" onClick={() => setCreating(true)}>
            Create endpoint
          </button>
        )}
      </div>
      <p className="hint">Signed events about this app's {mode === 'TEST' ? 'test' : 'live'} keys (Standard Webhooks).</p>
      {error && <FormError message={describeError(error).message} />}
      <FormError message={actionError} />
      <p role="status">{notice}</p>
      {data && !data.app && <p>No such app.</p>}
      {data?.app && (
        <TableWrap label={mode === 'TEST' ? 'Test endpoints' : 'Live endpoints'}>
        <table className="endpoints">
          <caption className="visually-hidden">{mode === 'TEST' ? 'Test endpoints' : 'Live endpoints'}</caption>
          <thead>
            <tr>
              <th scope="col">URL</th>
              <th scope="col">Events</th>
              <th scope="col">Status</th>
              <th scope="col">Created</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {endpoints.map((e) => (
              <tr key={e.id} data-endpoint-id={e.id}>
                <th scope="row" className="mono">
                  {e.url}
                </th>
                <td className="mono">{e.events.length === 0 ? 'All events' : e.events.join(', ')}</td>
                <td>
                  <span className={`status ${e.enabled ? 'ok' : 'warn'}`}>{e.enabled ? 'Enabled' : 'Disabled'}</span>
                </td>
                <td>{formatDate(e.createdAt)}</td>
                <td className="row-actions">
                  <button type="button" aria-pressed={selectedId === e.id} onClick={() => setSelectedId(selectedId === e.id ? null : e.id)}>
                    Deliveries
                  </button>
                  {manage && (
                    <>
                      <button type="button" disabled={!e.enabled} onClick={() => void test(e)}>
                        Send test event
                      </button>
                      <button type="button" onClick={() => void toggle(e)}>
                        {e.enabled ? 'Disable endpoint' : 'Enable endpoint'}
                      </button>
                      <button type="button" onClick={() => setDeleting(e)}>
                        Delete
                      </button>
                    </>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        </TableWrap>
      )}
      {data?.app && listed?.totalCount === 0 && <p>No {mode === 'TEST' ? 'test' : 'live'} endpoints yet.</p>}
      {listed && listed.totalCount > 0 && <Pager pager={pager} pageInfo={listed.pageInfo} total={listed.totalCount} />}
      {selected && <Deliveries key={selected.id} appId={appId} endpoint={selected} listedAfter={selected.listedAfter} refresh={refresh} />}
      {creating && <CreateEndpointDialog appId={appId} onClose={() => setCreating(false)} onCreated={changed} />}
      {deleting && (
        <DeleteEndpointDialog
          endpoint={deleting}
          onClose={() => setDeleting(null)}
          onDone={() => {
            if (selectedId === deleting.id) setSelectedId(null);
            changed();
          }}
        />
      )}
    </section>
  );
}
