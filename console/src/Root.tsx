import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { BrowserRouter } from 'react-router';
import { Provider, useQuery } from 'urql';
import { Layout } from './components/Layout';
import { ViewerDocument, type KeyMode } from './gql/graphql';
import { createClient, signOut } from './lib/client';
import { isSessionEnded } from './lib/errors';
import { type Session, SessionContext } from './lib/session';
import { SignInPage } from './pages/SignInPage';

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
      <BrowserRouter basename="/console">
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
  const [chosenMode, setMode] = useState<KeyMode>('LIVE');
  const viewer = data?.viewer;
  const session = useMemo<Session | null>(
    () =>
      viewer
        ? {
            viewer,
            mode: viewer.mode ?? chosenMode,
            setMode,
            can: (permission) => viewer.permissions.includes(permission),
            signOut: async () => {
              await signOut();
              restart(false);
            },
          }
        : null,
    [viewer, chosenMode, restart],
  );
  useEffect(() => {
    signedIn.current = session !== null;
  }, [session, signedIn]);

  if (fetching && !data) return <p className="loading">Loading…</p>;
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
      <Layout />
    </SessionContext.Provider>
  );
}
