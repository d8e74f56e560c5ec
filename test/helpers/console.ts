import { parseSetCookie } from 'cookie';
import { documentedFetch } from './openapi';

export const CONSOLE_COOKIE = 'keygate_console';

/** POST /console/session as the console page does; the raw response. */
export function postSession(baseUrl: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return documentedFetch(baseUrl, '/console/session', {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: baseUrl, ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

/** Signs in and returns the `name=value` pair a browser would send back. */
export async function signInCookie(baseUrl: string, key: string, headers: Record<string, string> = {}): Promise<string> {
  const response = await postSession(baseUrl, { key }, headers);
  if (response.status !== 204) throw new Error(`sign-in failed: ${response.status} ${await response.text()}`);
  const cookie = parseSetCookie(response.headers.get('set-cookie') ?? '');
  return `${cookie.name}=${cookie.value}`;
}

/** A GraphQL request carrying only the console cookie, from the console's own origin with Apollo's CSRF header unless told otherwise. */
export async function cookieGraphql(baseUrl: string, cookie: string, query: string, headers: Record<string, string> = {}, variables: Record<string, unknown> = {}) {
  const response = await fetch(`${baseUrl}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', cookie, origin: baseUrl, 'apollo-require-preflight': 'true', ...headers },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data?: Record<string, unknown> | null; errors?: { message: string; extensions?: Record<string, unknown> }[] };
  return { status: response.status, body };
}

export const VIEWER = '{ viewer { type keyId mode role } }';
