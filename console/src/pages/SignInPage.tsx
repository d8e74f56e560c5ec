import { type FormEvent, useId, useState } from 'react';
import { SignInError, signIn } from '../lib/client';

/** The key is typed, sent once in the body of POST /console/session, and dropped from memory. */
export function SignInPage({ ended, onSignedIn }: { ended: boolean; onSignedIn(): void }) {
  const id = useId();
  const [key, setKey] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await signIn(key.trim());
      setKey('');
      onSignedIn();
    } catch (e) {
      setError(e instanceof SignInError ? e.message : 'Sign-in failed');
    } finally {
      setBusy(false);
    }
  };

  return (
    <main className="signin">
      <h1>Keygate Console</h1>
      {ended && (
        <p role="status" className="warning">
          Your session has ended (signed out, idle for 30 minutes, or its key stopped working). Sign in again.
        </p>
      )}
      <form onSubmit={(e) => void submit(e)}>
        <label htmlFor={id}>API key</label>
        <input
          id={id}
          type="password"
          autoComplete="off"
          spellCheck={false}
          value={key}
          onChange={(e) => setKey(e.target.value)}
          aria-describedby={`${id}-hint${error ? ` ${id}-error` : ''}`}
          aria-invalid={Boolean(error)}
          required
        />
        <small id={`${id}-hint`} className="hint">
          A root key (rk_…) or a secret app key (sk_…). Publishable keys cannot sign in.
        </small>
        {error && (
          <p id={`${id}-error`} role="alert" className="field-error">
            {error}
          </p>
        )}
        <button type="submit" className="primary" disabled={busy}>
          Sign in
        </button>
      </form>
    </main>
  );
}
