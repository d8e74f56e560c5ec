import type { CombinedError } from 'urql';

/** The message of an API error for a person, and the input field it concerns (extensions.field). */
export function describeError(error: CombinedError): { message: string; field: string | null } {
  if (error.networkError && error.graphQLErrors.length === 0) {
    return { message: 'The server cannot be reached. Check your connection and try again.', field: null };
  }
  const first = error.graphQLErrors[0];
  const field = typeof first?.extensions?.field === 'string' ? first.extensions.field : null;
  return { message: first?.message ?? error.message, field };
}

/** The session ended (signed out elsewhere, idle, its key revoked): the console offers to sign in again. */
export function isSessionEnded(error: CombinedError | undefined): boolean {
  return Boolean(error?.graphQLErrors.some((e) => e.extensions?.code === 'UNAUTHENTICATED') || error?.response?.status === 401);
}
