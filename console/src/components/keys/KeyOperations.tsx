import { useId, useMemo, useState } from 'react';
import { useQuery } from 'urql';
import { KeyGatewayOperationsDocument } from '../../gql/graphql';
import { describeError } from '../../lib/errors';
import { FormError } from '../Field';
import { TableWrap } from '../TableWrap';

/** The periods one may look back over; the first is the default (the API's own, 24 hours). */
const PERIODS = [
  { hours: 24, label: '24 hours' },
  { hours: 7 * 24, label: '7 days' },
  { hours: 30 * 24, label: '30 days' },
] as const;

const counts = new Intl.NumberFormat();
const credits = new Intl.NumberFormat(undefined, { maximumFractionDigits: 2 });

/**
 * The key's gateway traffic per operation name (DESIGN.md "Gateway", usage): requests, errors
 * and cost, busiest first, over a chosen period. Its own query, so choosing a period does not
 * reload the rest of the key's page.
 */
export function KeyOperations({ keyId, keyName }: { keyId: string; keyName: string }) {
  const periodId = useId();
  const [hours, setHours] = useState<number>(PERIODS[0].hours);
  // Fixed when the period is chosen: a re-render of the page must not ask again with a new moment.
  const since = useMemo(() => new Date(Date.now() - hours * 3_600_000).toISOString(), [hours]);
  const [{ data, error }] = useQuery({ query: KeyGatewayOperationsDocument, variables: { id: keyId, since }, requestPolicy: 'cache-and-network' });
  const period = PERIODS.find((p) => p.hours === hours)?.label ?? PERIODS[0].label;
  const operations = data?.apiKey?.operations;

  return (
    <section className="key-operations">
      <div className="section-head">
        <h2>Operations</h2>
        <label htmlFor={periodId}>
          Period
          <select id={periodId} value={hours} onChange={(e) => setHours(Number(e.target.value))}>
            {PERIODS.map((p) => (
              <option key={p.hours} value={p.hours}>
                Last {p.label}
              </option>
            ))}
          </select>
        </label>
      </div>
      {error ? (
        <FormError message={describeError(error).message} />
      ) : !operations ? (
        <p>Loading operations…</p>
      ) : operations.length === 0 ? (
        <p>No gateway operations in the last {period}.</p>
      ) : (
        <TableWrap label="Operations">
          <table className="operations">
            <caption className="visually-hidden">
              Gateway operations of {keyName} in the last {period}, busiest first
            </caption>
            <thead>
              <tr>
                <th scope="col">Operation</th>
                <th scope="col" className="num">Requests</th>
                <th scope="col" className="num">Errors</th>
                <th scope="col" className="num">Cost (credits)</th>
              </tr>
            </thead>
            <tbody>
              {operations.map((op) => (
                <tr key={op.operationName ?? ''}>
                  <th scope="row">{op.operationName ?? <em>Anonymous</em>}</th>
                  <td className="num">{counts.format(op.requests)}</td>
                  <td className="num">{counts.format(op.errors)}</td>
                  <td className="num">{credits.format(op.cost)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      )}
    </section>
  );
}
