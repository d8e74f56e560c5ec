import type { GatewayPageQuery } from '../../gql/graphql';
import { formatDate } from '../../lib/format';
import { type DetailRow, DetailsList } from '../DetailsList';

/** The upstream card: whether the schema is loaded, where operations go (origin and path only, as the API shows them) and where the schema came from. */
export function UpstreamDetails({ gateway }: { gateway: GatewayPageQuery['gateway'] }) {
  const rows: DetailRow[] = [
    ['State', gateway.ready ? <span className="status ok">Ready</span> : <span className="status warn">Waiting for the upstream’s schema</span>],
    ['Upstream', <span className="mono wrap">{gateway.upstream ?? '—'}</span>],
    ['Test upstream', gateway.testUpstream === gateway.upstream ? 'Same as the upstream' : <span className="mono wrap">{gateway.testUpstream ?? '—'}</span>],
    ['Schema source', gateway.schemaSource === 'SDL_FILE' ? 'SDL file (KEYGATE_GATEWAY_SCHEMA)' : 'Introspection of the upstream (no directives: only the read and write defaults apply)'],
    ['Schema loaded at', gateway.schemaLoadedAt ? formatDate(gateway.schemaLoadedAt) : 'Not yet'],
  ];
  return (
    <section>
      <h2>Upstream</h2>
      <DetailsList rows={rows} />
    </section>
  );
}
