import type { ReactNode } from 'react';

/**
 * A table's own horizontal scroller (the page never scrolls sideways). Focusable and named,
 * so a keyboard can scroll it too when it is wider than a phone.
 */
export function TableWrap({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="table-wrap" role="region" aria-label={label} tabIndex={0}>
      {children}
    </div>
  );
}
