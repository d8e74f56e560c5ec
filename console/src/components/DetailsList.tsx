import type { ReactNode } from 'react';

/** One fact: its term and its value (text or markup). */
export type DetailRow = [term: string, value: ReactNode];

/** Facts as a description list (`.details-list`: terms beside their values, wrapping inside the page width). */
export function DetailsList({ rows }: { rows: readonly DetailRow[] }) {
  return (
    <dl className="details-list">
      {rows.map(([term, value]) => (
        <div key={term}>
          <dt>{term}</dt>
          <dd>{value}</dd>
        </div>
      ))}
    </dl>
  );
}
