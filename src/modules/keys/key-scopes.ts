import { AuthReason, BadInputError, ForbiddenError } from '../../errors';
import { refuseKeyMaterial } from '../../shared/validation';
import { type Principal, PrincipalType } from '../auth/principal';
import { KeyKind, KeyRole } from './key-enums';

/**
 * Scopes: permission strings of the product's own API (DESIGN.md, Scopes). The one place
 * that says what a scope name is, what a credential's effective scopes are, and whether
 * a set of scopes covers what is required.
 */

export const SCOPE_NAME = /^[a-z][a-z0-9_.:-]{0,63}$/;
export const MAX_APP_SCOPES = 100;
export const MAX_SCOPE_DESCRIPTION_LENGTH = 500;

/** Implied by a key's kind and role; an app cannot declare them. */
export const BUILT_IN_SCOPES = ['public', 'read', 'write', 'admin'] as const;

const BY_ROLE: Record<KeyRole, readonly string[]> = {
  [KeyRole.READ_ONLY]: ['public', 'read'],
  [KeyRole.READ_WRITE]: ['public', 'read', 'write'],
  [KeyRole.ADMIN]: ['public', 'read', 'write', 'admin'],
};
const PUBLISHABLE: readonly string[] = ['public'];

export interface DeclaredScope {
  name: string;
  description: string | null;
}

/** What a credential has that decides its scopes: a key's kind, role and granted custom scopes. */
export type ScopeHolder = Pick<Extract<Principal, { type: PrincipalType.API_KEY }>, 'type' | 'kind' | 'role' | 'scopes'> | { type: PrincipalType.ROOT };

/** The built-in scopes of a kind and role (publishable → public; secret → by role). */
export function builtInScopes(kind: KeyKind, role: KeyRole | null): readonly string[] {
  if (kind === KeyKind.PUBLISHABLE) return PUBLISHABLE;
  return role ? BY_ROLE[role] : [];
}

/**
 * A principal's effective scopes, sorted: the built-in ones of its kind and role plus the
 * custom ones granted to it. Root keys have none: they are operator credentials, not
 * credentials of the product's API. The GraphQL gateway and every edge ask this.
 */
export function effectiveScopes(holder: ScopeHolder): string[] {
  if (holder.type === PrincipalType.ROOT) return [];
  return sortedUnique([...builtInScopes(holder.kind, holder.role), ...holder.scopes]);
}

/** The required scopes `held` lacks (empty: every one is held). */
export function missingScopes(held: readonly string[], required: readonly string[]): string[] {
  const have = new Set(held);
  return sortedUnique(required.filter((scope) => !have.has(scope)));
}

/** The refusal of a use that requires scopes the holder lacks, naming them; null when it holds them all. */
export function scopeRefusal(holder: ScopeHolder, required: readonly string[]): { reason: AuthReason.INSUFFICIENT_SCOPE; message: string } | null {
  return lackingScopesRefusal(effectiveScopes(holder), required);
}

/** As scopeRefusal, for a credential whose scopes are already known (a session token's). */
export function lackingScopesRefusal(held: readonly string[], required: readonly string[]): { reason: AuthReason.INSUFFICIENT_SCOPE; message: string } | null {
  const lacking = missingScopes(held, required);
  if (lacking.length === 0) return null;
  return { reason: AuthReason.INSUFFICIENT_SCOPE, message: `The credential lacks a required scope: ${lacking.join(', ')}` };
}

/** Scopes as a claim or header value: space-separated, sorted (RFC 8693 `scope`). */
export function formatScopes(scopes: readonly string[]): string {
  return sortedUnique(scopes).join(' ');
}

/** A `scope` claim or header value as a list. */
export function parseScopes(value: string): string[] {
  return sortedUnique(value.split(' ').filter((scope) => scope.length > 0));
}

/** Validates an app's declared scopes (replaced as a whole); names sorted, descriptions trimmed. */
export function normalizeDeclaredScopes(entries: readonly { name: string; description?: string | null }[]): DeclaredScope[] {
  if (entries.length > MAX_APP_SCOPES) throw new BadInputError(`An app may declare at most ${MAX_APP_SCOPES} scopes`, 'scopes');
  const seen = new Set<string>();
  const declared = entries.map(({ name, description }) => {
    assertScopeName(name);
    if ((BUILT_IN_SCOPES as readonly string[]).includes(name)) {
      throw new BadInputError(`Scope "${name}" is built in (public, read, write, admin come from a key's kind and role): choose another name`, 'scopes');
    }
    if (seen.has(name)) throw new BadInputError(`Scope "${name}" is declared twice`, 'scopes');
    seen.add(name);
    const text = description?.trim() ?? '';
    if (text.length > MAX_SCOPE_DESCRIPTION_LENGTH) {
      throw new BadInputError(`The description of scope "${name}" must be at most ${MAX_SCOPE_DESCRIPTION_LENGTH} characters`, 'scopes');
    }
    if (text.length > 0) refuseKeyMaterial(text, 'scopes');
    return { name, description: text.length > 0 ? text : null };
  });
  return declared.sort((a, b) => compare(a.name, b.name));
}

/** Validates scopes granted to a key: each declared by its app. Sorted, without duplicates. */
export function normalizeGrantedScopes(names: readonly string[], declared: readonly DeclaredScope[]): string[] {
  const known = new Set(declared.map((scope) => scope.name));
  for (const name of names) {
    if (!known.has(name)) {
      const hint = SCOPE_NAME.test(name) ? 'declare it on the app first (updateApp scopes)' : 'not a valid scope name';
      throw new BadInputError(`Scope "${String(name).slice(0, 80)}" is not declared by this app: ${hint}`, 'scopes');
    }
  }
  return sortedUnique(names);
}

/**
 * A key grants only custom scopes it holds itself (root: any declared one). `granting`
 * are the scopes being added; keeping what a key already has is not granting.
 */
export function assertMayGrant(granter: ScopeHolder, granting: readonly string[]): void {
  if (granter.type === PrincipalType.ROOT || granting.length === 0) return;
  const lacking = missingScopes(granter.scopes, granting);
  if (lacking.length > 0) {
    throw new ForbiddenError(AuthReason.INSUFFICIENT_SCOPE, `A key can only grant scopes it holds itself; this key lacks ${lacking.join(', ')}`);
  }
}

/** `after` minus `before`, sorted. */
export function addedScopes(before: readonly string[], after: readonly string[]): string[] {
  return missingScopes(before, after);
}

function assertScopeName(name: string): void {
  if (typeof name !== 'string' || !SCOPE_NAME.test(name)) {
    const shown = typeof name === 'string' ? `"${name.slice(0, 80)}"` : 'a scope';
    throw new BadInputError(
      `Scope name ${shown} is not valid: 1–64 characters, lowercase letters, digits and _ . : -, starting with a letter`,
      'scopes',
    );
  }
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function sortedUnique(values: readonly string[]): string[] {
  return [...new Set(values)].sort(compare);
}
