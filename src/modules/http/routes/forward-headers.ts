/**
 * Every identity header /auth/forward answers with, always all of them (empty where one
 * does not apply): a proxy recipe that copies each of them onto the upstream request then
 * overwrites (or, being empty, drops) any a client forged. The nginx and Traefik recipes of
 * docs/guide.md list exactly these; the nginx test runs the guide's block and forges each one.
 */
export const IDENTITY_HEADERS = [
  'x-keygate-app-id',
  'x-keygate-key-id',
  'x-keygate-mode',
  'x-keygate-kind',
  'x-keygate-role',
  'x-keygate-principal',
  'x-keygate-user-id',
  'x-keygate-token-id',
  'x-keygate-owner-id',
  'x-keygate-scopes',
] as const;

export type IdentityHeader = (typeof IDENTITY_HEADERS)[number];

/** The complete set of identity headers for a response: the given values, the rest empty. */
export function identityHeaders(values: Partial<Record<IdentityHeader, string | null>>): Record<IdentityHeader, string> {
  return Object.fromEntries(IDENTITY_HEADERS.map((name) => [name, values[name] ?? ''])) as Record<IdentityHeader, string>;
}
