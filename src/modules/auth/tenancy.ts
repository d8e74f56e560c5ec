import { AuthReason, ForbiddenError, NotFoundError } from '../../errors';
import type { KeyMode } from '../keys/key-enums';
import { type Principal, PrincipalType } from './principal';

/**
 * Tenancy: an app key sees only its own app and its own mode; everything else behaves
 * as if it did not exist. Root sees everything. Services call these; the permission
 * map (shield.ts) only checks roles.
 */

export function assertAppVisible(principal: Principal, appId: string, what = 'App'): void {
  if (principal.type === PrincipalType.API_KEY && principal.appId !== appId) throw new NotFoundError(what);
}

/** True when the principal may see an object of this app and mode. */
export function visibleTo(principal: Principal, appId: string, mode: KeyMode | null): boolean {
  if (principal.type === PrincipalType.ROOT) return true;
  return principal.appId === appId && (mode === null || principal.mode === mode);
}

/**
 * The mode a list is restricted to: the key's own mode; for root, the requested one
 * (null = all). 'none' when a key asks for the other mode: an empty result, not an error.
 */
export function modeFilter(principal: Principal, requested: KeyMode | null | undefined): KeyMode | null | 'none' {
  if (principal.type === PrincipalType.ROOT) return requested ?? null;
  if (requested && requested !== principal.mode) return 'none';
  return principal.mode;
}

/** A key can never create, rotate or mint in the other mode. */
export function assertModeAllowed(principal: Principal, mode: KeyMode): void {
  if (principal.type === PrincipalType.API_KEY && principal.mode !== mode) {
    throw new ForbiddenError(AuthReason.MODE_MISMATCH, `A ${principal.mode.toLowerCase()}-mode key cannot act on ${mode.toLowerCase()}-mode data`);
  }
}
