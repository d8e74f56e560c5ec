import { useMemo, useState } from 'react';
import { useQuery } from 'urql';
import { FormError } from '../components/Field';
import { UsageFigure } from '../components/UsageChart';
import { AppKeysDocument, AppUsageDocument, KeyUsageDocument, type UsageGranularity } from '../gql/graphql';
import { formatDate } from '../lib/format';
import { useSession } from '../lib/session';
import { useAppId } from '../lib/useAppId';
import { TableWrap } from '../components/TableWrap';

const PERIOD: Record<UsageGranularity, string> = { HOUR: 'hourly, last 24 hours', DAY: 'daily, last 30 days' };

export function UsagePage() {
  const appId = useAppId();
  const { mode } = useSession();
  const [granularity, setGranularity] = useState<UsageGranularity>('HOUR');
  const [keyId, setKeyId] = useState('');
  const [{ data, error }] = useQuery({ query: AppUsageDocument, variables: { appId, mode, granularity }, requestPolicy: 'network-only' });
  // Fixed at first render: "no use in 30 days" does not need to move while the page is open.
  const unusedSince = useMemo(() => new Date(Date.now() - 30 * 86_400_000).toISOString(), []);
  const [keys] = useQuery({ query: AppKeysDocument, variables: { appId, mode, status: ['ACTIVE'], first: 100 } });
  const [unused] = useQuery({ query: AppKeysDocument, variables: { appId, mode, status: ['ACTIVE'], first: 100, unusedSince } });
  const [keyUsage] = useQuery({ query: KeyUsageDocument, variables: { id: keyId, granularity }, pause: !keyId, requestPolicy: 'network-only' });

  return (
    <section>
      <h1>Usage</h1>
      <fieldset className="filters radios">
        <legend>Period</legend>
        {(['HOUR', 'DAY'] as const).map((g) => (
          <label key={g}>
            <input type="radio" name="granularity" checked={granularity === g} onChange={() => setGranularity(g)} /> {g === 'HOUR' ? 'Hourly (24 hours)' : 'Daily (30 days)'}
          </label>
        ))}
      </fieldset>
      {error && <FormError message={error.message} />}
      {data?.app && <UsageFigure buckets={data.app.usage} description={`all ${mode === 'TEST' ? 'test' : 'live'} keys of the app, ${PERIOD[granularity]}`} />}
      <h2>Per key</h2>
      <label>
        Key{' '}
        <select value={keyId} onChange={(e) => setKeyId(e.target.value)}>
          <option value="">Choose a key</option>
          {keys.data?.app?.apiKeys.nodes.map((k) => (
            <option key={k.id} value={k.id}>
              {k.name} ({k.start}…)
            </option>
          ))}
        </select>
      </label>
      {keyUsage.data?.apiKey && <UsageFigure buckets={keyUsage.data.apiKey.usage} description={`${keyUsage.data.apiKey.name}, ${PERIOD[granularity]}`} />}
      <h2>Unused keys</h2>
      <p>Working keys with no use in 30 days: candidates to revoke.</p>
      {unused.data?.app && (
        <TableWrap label="Unused keys">
        <table>
          <caption className="visually-hidden">Unused keys</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Start</th>
              <th scope="col">Created</th>
              <th scope="col">Last used</th>
            </tr>
          </thead>
          <tbody>
            {unused.data.app.apiKeys.nodes.map((k) => (
              <tr key={k.id}>
                <th scope="row">{k.name}</th>
                <td className="mono">{k.start}…</td>
                <td>{formatDate(k.createdAt)}</td>
                <td>{k.lastUsedAt ? formatDate(k.lastUsedAt) : 'Never'}</td>
              </tr>
            ))}
          </tbody>
        </table>
        </TableWrap>
      )}
    </section>
  );
}
