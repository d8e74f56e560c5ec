import { type FormEvent, useState } from 'react';
import { type CombinedError, useClient, useQuery } from 'urql';
import { FormError } from '../components/Field';
import { Pager, usePager } from '../components/Pager';
import { AuditEventsDocument, type AuditEventsQuery, type AuditEventsQueryVariables, VerifyAuditChainDocument } from '../gql/graphql';
import { toCsv } from '../lib/csv';
import { describeError } from '../lib/errors';
import { formatDate } from '../lib/format';
import { useSession } from '../lib/session';
import { useAppId } from '../lib/useAppId';

const ACTIONS = ['app.create', 'app.update', 'app.delete', 'key.create', 'key.update', 'key.revoke', 'key.rotate', 'rotation.complete', 'auth.failure', 'console.sign_in', 'console.sign_out'];
/** The export pages through the filtered list up to this many events. */
const EXPORT_LIMIT = 10_000;

interface Filters {
  action: string;
  actorId: string;
  targetId: string;
  from: string;
  to: string;
}

const EMPTY: Filters = { action: '', actorId: '', targetId: '', from: '', to: '' };

function variablesOf(appId: string, mode: AuditEventsQueryVariables['mode'], f: Filters): AuditEventsQueryVariables {
  return {
    appId,
    mode,
    action: f.action || undefined,
    actorId: f.actorId.trim() || undefined,
    targetId: f.targetId.trim() || undefined,
    from: f.from ? new Date(f.from).toISOString() : undefined,
    to: f.to ? new Date(f.to).toISOString() : undefined,
  };
}

export function AuditPage() {
  const appId = useAppId();
  const { mode } = useSession();
  const client = useClient();
  const pager = usePager();
  const [draft, setDraft] = useState<Filters>(EMPTY);
  const [filters, setFilters] = useState<Filters>(EMPTY);
  const [exportError, setExportError] = useState<string | null>(null);
  const base = variablesOf(appId, mode, filters);
  const [{ data, error }] = useQuery({ query: AuditEventsDocument, variables: { ...base, first: 50, after: pager.after }, requestPolicy: 'network-only' });
  const [chain] = useQuery({ query: VerifyAuditChainDocument, variables: { appId, mode }, requestPolicy: 'network-only' });
  const events = data?.auditEvents;

  const apply = (event: FormEvent) => {
    event.preventDefault();
    pager.reset();
    setFilters(draft);
  };

  const exportCsv = async () => {
    setExportError(null);
    const rows: unknown[][] = [];
    let after: string | null | undefined = null;
    do {
      const result: { data?: AuditEventsQuery; error?: CombinedError } = await client.query(AuditEventsDocument, { ...base, first: 100, after }, { requestPolicy: 'network-only' }).toPromise();
      if (result.error || !result.data) return setExportError(result.error ? describeError(result.error).message : 'Export failed');
      const page: AuditEventsQuery['auditEvents'] = result.data.auditEvents;
      for (const e of page.nodes) rows.push([e.at, e.action, e.mode, e.actorType, e.actorId, e.targetId, e.ip, e.details]);
      after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
    } while (after && rows.length < EXPORT_LIMIT);
    const blob = new Blob([toCsv(['at', 'action', 'mode', 'actor_type', 'actor_id', 'target_id', 'ip', 'details'], rows)], { type: 'text/csv' });
    const link = document.createElement('a');
    link.href = URL.createObjectURL(blob);
    link.download = `keygate-audit-${appId}-${mode.toLowerCase()}.csv`;
    link.click();
    setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
  };

  const set = (name: keyof Filters) => (e: { target: { value: string } }) => setDraft({ ...draft, [name]: e.target.value });

  return (
    <section>
      <div className="page-head">
        <h1>Audit log</h1>
        {chain.data && (
          <span className={chain.data.verifyAuditChain.ok ? 'badge ok' : 'badge bad'} role="status">
            {chain.data.verifyAuditChain.ok
              ? `Chain verified: ${chain.data.verifyAuditChain.checked} events intact`
              : `Chain broken at ${chain.data.verifyAuditChain.firstBrokenEventId ?? 'an event'}`}
          </span>
        )}
      </div>
      <form className="filters" onSubmit={apply}>
        <label>
          Action{' '}
          <select value={draft.action} onChange={set('action')}>
            <option value="">Any</option>
            {ACTIONS.map((a) => (
              <option key={a}>{a}</option>
            ))}
          </select>
        </label>
        <label>
          Actor <input value={draft.actorId} onChange={set('actorId')} placeholder="key_… or root_…" />
        </label>
        <label>
          Target <input value={draft.targetId} onChange={set('targetId')} placeholder="key_…, rot_…" />
        </label>
        <label>
          From <input type="datetime-local" value={draft.from} onChange={set('from')} />
        </label>
        <label>
          To <input type="datetime-local" value={draft.to} onChange={set('to')} />
        </label>
        <button type="submit">Apply filters</button>
        <button type="button" onClick={() => void exportCsv()}>
          Export CSV
        </button>
      </form>
      <FormError message={exportError ?? (error ? describeError(error).message : null)} />
      {events && (
        <>
          <table>
            <caption className="visually-hidden">Audit events, newest first</caption>
            <thead>
              <tr>
                <th scope="col">Time</th>
                <th scope="col">Action</th>
                <th scope="col">Actor</th>
                <th scope="col">Target</th>
                <th scope="col">IP</th>
                <th scope="col">Details</th>
              </tr>
            </thead>
            <tbody>
              {events.nodes.map((e) => (
                <tr key={e.id}>
                  <td>{formatDate(e.at)}</td>
                  <td className="mono">{e.action}</td>
                  <td className="mono">{e.actorType === 'ROOT' ? `root ${e.actorId ?? ''}` : (e.actorId ?? '—')}</td>
                  <td className="mono">{e.targetId ?? '—'}</td>
                  <td>{e.ip ?? '—'}</td>
                  <td className="mono details">{e.details ? JSON.stringify(e.details) : ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <Pager pager={pager} pageInfo={events.pageInfo} total={events.totalCount} />
        </>
      )}
    </section>
  );
}
