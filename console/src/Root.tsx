import { lazy, Suspense, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { BrowserRouter, useSearchParams } from 'react-router';
import { Provider, useQuery } from 'urql';
import { Loading } from './components/Loading';
import { ViewerDocument, type KeyMode } from './gql/graphql';
import { createClient, signOut } from './lib/client';
import { isSessionEnded } from './lib/errors';
import { type Session, SessionContext } from './lib/session';
import { SignInPage } from './pages/SignInPage';

// The signed-in console (its shell, then each page) loads after sign-in: the sign-in page is all a visitor downloads.
const Layout = lazy(() => import('./components/Layout').then((m) => ({ default: m.Layout })));

/**
 * A fresh GraphQL client (and so an empty cache) for every session: nothing one key
 * could read survives into the next sign-in.
 */
export function Root() {
  const [epoch, setEpoch] = useState(0);
  const [ended, setEnded] = useState(false);
  // Set while a viewer is signed in: a 401 then means the session ended under us.
  const signedIn = useRef(false);
  const restart = useCallback((sessionEnded: boolean) => {
    signedIn.current = false;
    setEnded(sessionEnded);
    setEpoch((e) => e + 1);
  }, []);
  const client = useMemo(() => createClient(() => signedIn.current && restart(true)), [epoch, restart]);
  return (
    <Provider value={client}>
      {/* Without transitions a click shows the new page's place at once (nav, then "Loading…" if its code is
          slow, see Layout), rather than leaving the old page up with no sign that anything is happening. */}
      <BrowserRouter basename="/console" useTransitions={false}>
        <Gate key={epoch} ended={ended} restart={restart} signedIn={signedIn} />
      </BrowserRouter>
    </Provider>
  );
}

interface GateProps {
  ended: boolean;
  restart(sessionEnded: boolean): void;
  signedIn: { current: boolean };
}

function Gate({ ended, restart, signedIn }: GateProps) {
  const [{ data, error, fetching }, refetch] = useQuery({ query: ViewerDocument, requestPolicy: 'network-only' });
  // Root's choice of mode lives in the URL (?mode=test), so a reload or a shared link keeps it.
  const [params, setParams] = useSearchParams();
  const chosenMode: KeyMode = params.get('mode') === 'test' ? 'TEST' : 'LIVE';
  const setMode = useCallback(
    (mode: KeyMode) =>
      setParams((current) => {
        const next = new URLSearchParams(current);
        if (mode === 'TEST') next.set('mode', 'test');
        else next.delete('mode');
        return next;
      }),
    [setParams],
  );
  const viewer = data?.viewer;
  const session = useMemo<Session | null>(
    () =>
      viewer
        ? {
            viewer,
            mode: viewer.mode ?? chosenMode,
            setMode,
            link: (path: string) => (!viewer.mode && chosenMode === 'TEST' ? `${path}${path.includes('?') ? '&' : '?'}mode=test` : path),
            can: (permission) => viewer.permissions.includes(permission),
            signOut: async () => {
              await signOut();
              restart(false);
            },
          }
        : null,
    [viewer, chosenMode, setMode, restart],
  );
  useEffect(() => {
    signedIn.current = session !== null;
  }, [session, signedIn]);

  if (fetching && !data) return <Loading />;
  if (!session) {
    if (error && !isSessionEnded(error)) {
      return (
        <main className="signin">
          <p role="alert">The server cannot be reached. Check your connection and try again.</p>
          <button type="button" onClick={() => refetch({ requestPolicy: 'network-only' })}>
            Try again
          </button>
        </main>
      );
    }
    return <SignInPage ended={ended} onSignedIn={() => restart(false)} />;
  }
  return (
    <SessionContext.Provider value={session}>
      <Suspense fallback={<Loading />}>
        <Layout />
      </Suspense>
    </SessionContext.Provider>
  );
}
