import { useMemo, useState } from 'react';
import { AUDIT_ACTIONS } from '../../../src/modules/audit/audit-actions';
import { type CombinedError, useClient, useQuery } from 'urql';
import { type AuditNames, AuditTable } from '../components/AuditTable';
import { FormError } from '../components/Field';
import { Pager, usePager } from '../components/Pager';
import { AuditEventsDocument, type AuditEventsQuery, type AuditEventsQueryVariables, AuditNamesDocument, VerifyAuditChainDocument } from '../gql/graphql';
import { toCsv } from '../lib/csv';
import { describeError } from '../lib/errors';
import { useSession } from '../lib/session';
import { useAppId } from '../lib/useAppId';

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
  // Filters apply as they are chosen: each change is a new query from the first page.
  const [filters, setFilters] = useState<Filters>(EMPTY);
  const [exportError, setExportError] = useState<string | null>(null);
  const base = variablesOf(appId, mode, filters);
  const [{ data, error }] = useQuery({ query: AuditEventsDocument, variables: { ...base, first: 50, after: pager.after }, requestPolicy: 'network-only' });
  const [chain] = useQuery({ query: VerifyAuditChainDocument, variables: { appId, mode }, requestPolicy: 'network-only' });
  const [namesResult] = useQuery({ query: AuditNamesDocument, variables: { appId, mode } });
  const events = data?.auditEvents;
  const app = namesResult.data?.app;
  const names = useMemo<AuditNames>(
    () => ({ appId, appName: app?.name ?? appId, keys: new Map(app?.apiKeys.nodes.map((k) => [k.id, k.name]) ?? []) }),
    [appId, app],
  );

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

  const set = (name: keyof Filters) => (e: { target: { value: string } }) => {
    pager.reset();
    setFilters({ ...filters, [name]: e.target.value });
  };
  const keyOptions = app?.apiKeys.nodes.map((k) => (
    <option key={k.id} value={k.id}>
      {k.name}
    </option>
  ));

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
      <div className="filters">
        <label>
          Action{' '}
          <select value={filters.action} onChange={set('action')}>
            <option value="">Any</option>
            {AUDIT_ACTIONS.map((a) => (
              <option key={a}>{a}</option>
            ))}
          </select>
        </label>
        <label>
          Actor{' '}
          <select value={filters.actorId} onChange={set('actorId')}>
            <option value="">Anyone</option>
            {keyOptions}
          </select>
        </label>
        <label>
          Target{' '}
          <select value={filters.targetId} onChange={set('targetId')}>
            <option value="">Anything</option>
            {app && <option value={app.id}>{app.name} (the app)</option>}
            {keyOptions}
          </select>
        </label>
        <label>
          From <input type="datetime-local" value={filters.from} onChange={set('from')} />
        </label>
        <label>
          To <input type="datetime-local" value={filters.to} onChange={set('to')} />
        </label>
        <button type="button" onClick={() => void exportCsv()}>
          Export CSV
        </button>
      </div>
      <FormError message={exportError ?? (error ? describeError(error).message : null)} />
      {events && (
        <>
          <AuditTable events={events.nodes} names={names} caption="Audit events, newest first" />
          <Pager pager={pager} pageInfo={events.pageInfo} total={events.totalCount} />
        </>
      )}
    </section>
  );
}
