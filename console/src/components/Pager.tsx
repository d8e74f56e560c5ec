import { useCallback, useState } from 'react';

/** Relay paging forwards, with the cursors seen so far kept to go back. */
export function usePager() {
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const next = useCallback((cursor: string) => setCursors((c) => [...c, cursor]), []);
  const previous = useCallback(() => setCursors((c) => (c.length > 1 ? c.slice(0, -1) : c)), []);
  // Stable, so a page can reset on a filter change from an effect.
  const reset = useCallback(() => setCursors((c) => (c.length === 1 ? c : [null])), []);
  return { after: cursors[cursors.length - 1], page: cursors.length, next, previous, reset };
}

type Pager = ReturnType<typeof usePager>;

export function Pager({ pager, pageInfo, total }: { pager: Pager; pageInfo: { hasNextPage: boolean; endCursor?: string | null }; total: number }) {
  return (
    <div className="pager">
      <span>
        {total} in all · page {pager.page}
      </span>
      <button type="button" disabled={pager.page === 1} onClick={pager.previous}>
        Previous page
      </button>
      <button type="button" disabled={!pageInfo.hasNextPage || !pageInfo.endCursor} onClick={() => pageInfo.endCursor && pager.next(pageInfo.endCursor)}>
        Next page
      </button>
    </div>
  );
}
