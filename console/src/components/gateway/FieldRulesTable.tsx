import { useId, useState } from 'react';
import type { GatewayPageQuery } from '../../gql/graphql';
import { TableWrap } from '../TableWrap';

type Rule = GatewayPageQuery['gateway']['fieldRules'][number];

/** "admin, or ops and read": what a credential must hold, in words. */
function describeScopes(rule: Rule): string {
  if (rule.requiresScopes.length === 0) return 'Any credential';
  return rule.requiresScopes.map((all) => all.join(' and ')).join(', or ');
}

const SOURCES: Record<Rule['requirement'], string> = {
  AUTHENTICATED: '@authenticated',
  REQUIRES_SCOPES: '@requiresScopes',
  ROOT_DEFAULT: 'Built-in default',
};

/** The field-rule matrix, filtered as one types: a type, a field or a scope. */
export function FieldRulesTable({ rules, ready }: { rules: Rule[]; ready: boolean }) {
  const [filter, setFilter] = useState('');
  const filterId = useId();
  const words = filter.trim().toLowerCase();
  const shown = words ? rules.filter((r) => `${r.typeName}.${r.fieldName} ${r.requiresScopes.flat().join(' ')}`.toLowerCase().includes(words)) : rules;
  return (
    <section>
      <h2>Field rules</h2>
      {!ready ? (
        <p>The rules appear once the upstream’s schema is loaded.</p>
      ) : (
        <>
          <div className="filters">
            <label htmlFor={filterId}>
              Filter rules
              <input id={filterId} type="search" value={filter} onChange={(e) => setFilter(e.target.value)} placeholder="Type, field or scope" autoComplete="off" />
            </label>
          </div>
          <p role="status">{words ? `${shown.length} of ${rules.length} fields` : `${rules.length} fields`}</p>
          {shown.length > 0 && (
            <TableWrap label="Field rules">
              <table className="field-rules">
                <caption className="visually-hidden">Field rules: which scopes each field needs</caption>
                <thead>
                  <tr>
                    <th scope="col">Field</th>
                    <th scope="col">Needs</th>
                    <th scope="col">Rule</th>
                    <th scope="col">Cost weight</th>
                  </tr>
                </thead>
                <tbody>
                  {shown.map((r) => (
                    <tr key={`${r.typeName}.${r.fieldName}`}>
                      <th scope="row" className="mono">
                        {r.typeName}.{r.fieldName}
                      </th>
                      <td className="mono">{describeScopes(r)}</td>
                      <td>{SOURCES[r.requirement]}</td>
                      <td>{r.costWeight}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </TableWrap>
          )}
        </>
      )}
    </section>
  );
}
