import { Link } from 'react-router';
import type { AuditRowFragment } from '../gql/graphql';
import { formatDate } from '../lib/format';
import { useSession } from '../lib/session';
import { TableWrap } from './TableWrap';

/** Ids the page knows a name for: the app's and its keys'. */
export interface AuditNames {
  appId: string;
  appName: string;
  keys: ReadonlyMap<string, string>;
}

/** An id as a person reads it: a key's or the app's name, linked to its page; other ids shortened. */
function Named({ id, names }: { id: string | null | undefined; names: AuditNames }) {
  const { link } = useSession();
  if (!id) return <>—</>;
  const keyName = names.keys.get(id);
  if (keyName) return <Link to={link(`/apps/${names.appId}/keys/${id}`)}>{keyName}</Link>;
  if (id === names.appId) return <Link to={link(`/apps/${names.appId}/keys`)}>{names.appName}</Link>;
  return (
    <span className="mono truncate" title={id}>
      {id}
    </span>
  );
}

function Actor({ event, names }: { event: AuditRowFragment; names: AuditNames }) {
  switch (event.actorType) {
    case 'ROOT':
      return <>Root key</>;
    case 'API_KEY':
      return <Named id={event.actorId} names={names} />;
    case 'SYSTEM':
      return <>{event.actorId ?? 'Keygate'}</>;
    default: {
      const unreachable: never = event.actorType;
      return <>{String(unreachable)}</>;
    }
  }
}

/** "reason: rotated out · graceSeconds: 3600" rather than raw JSON. */
function formatDetails(details: unknown): string {
  if (!details || typeof details !== 'object') return details === null || details === undefined ? '' : String(details);
  return Object.entries(details as Record<string, unknown>)
    .map(([name, value]) => `${name}: ${typeof value === 'object' && value !== null ? JSON.stringify(value) : String(value)}`)
    .join(' · ');
}

/** Audit events, newest first, with names (linked) instead of bare ids; app-level events are marked as such. */
export function AuditTable({ events, names, caption }: { events: readonly AuditRowFragment[]; names: AuditNames; caption: string }) {
  return (
    <TableWrap label={caption}>
      <table className="audit">
        <caption className="visually-hidden">{caption}</caption>
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
          {events.map((e) => (
            <tr key={e.id} data-event-id={e.id}>
              <td className="when">{formatDate(e.at)}</td>
              <td className="mono">
                {e.action}
                {e.mode === null && <span className="badge">app</span>}
              </td>
              <td>
                <Actor event={e} names={names} />
              </td>
              <td>
                <Named id={e.targetId} names={names} />
              </td>
              <td>{e.ip ?? '—'}</td>
              <td className="details">{formatDetails(e.details)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </TableWrap>
  );
}
