import { Client, cacheExchange, fetchExchange, mapExchange } from 'urql';
import { isSessionEnded } from './errors';

/**
 * The one GraphQL client. The session travels only in the HttpOnly cookie; the CSRF
 * header is what the server demands before it accepts that cookie. POST always, so the
 * browser sends an Origin header the server can check.
 */
export function createClient(onSessionEnded: () => void): Client {
  return new Client({
    url: '/graphql',
    exchanges: [
      cacheExchange,
      mapExchange({
        onError(error) {
          if (isSessionEnded(error)) onSessionEnded();
        },
      }),
      fetchExchange,
    ],
    preferGetMethod: false,
    requestPolicy: 'cache-and-network',
    fetchOptions: () => ({ credentials: 'same-origin', headers: { 'apollo-require-preflight': 'true' } }),
  });
}

export class SignInError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

/** Opens a session: the key goes to the server once, in a request body, and is forgotten here. */
export async function signIn(key: string): Promise<void> {
  let response: Response;
  try {
    response = await fetch('/console/session', {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ key }),
    });
  } catch {
    throw new SignInError('The server cannot be reached. Check your connection and try again.', 0);
  }
  if (response.ok) return;
  const body = (await response.json().catch(() => null)) as { error?: { message?: string; details?: string } } | null;
  const message = [body?.error?.message, body?.error?.details].filter(Boolean).join(': ');
  throw new SignInError(message || `Sign-in failed (HTTP ${response.status})`, response.status);
}

export async function signOut(): Promise<void> {
  await fetch('/console/session', { method: 'DELETE', credentials: 'same-origin' }).catch(() => undefined);
}
