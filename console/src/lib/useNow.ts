import { useEffect, useState } from 'react';

/** Re-renders every 30 s so grace countdowns and "Expires soon" stay true while the page is open. */
export function useNow(): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 30_000);
    return () => clearInterval(timer);
  }, []);
  return now;
}
