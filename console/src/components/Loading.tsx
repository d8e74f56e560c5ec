import { useEffect, useState } from 'react';

/** How long a load may take before it is announced: a faster one shows nothing rather than a flash of "Loading…". */
const QUIET_MS = 300;

/**
 * The fallback while code or data loads. The status region is there from the start, empty, and
 * says "Loading…" only if the wait outlasts QUIET_MS (a live region announces a change, not its
 * first content).
 */
export function Loading() {
  const [slow, setSlow] = useState(false);
  useEffect(() => {
    const timer = setTimeout(() => setSlow(true), QUIET_MS);
    return () => clearTimeout(timer);
  }, []);
  return (
    <p className={slow ? 'loading' : undefined} role="status">
      {slow ? 'Loading…' : ''}
    </p>
  );
}
