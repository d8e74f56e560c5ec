import { ForbiddenError } from '../../errors';
import { formatScopes, lackingScopesRefusal, parseScopes } from '../keys/key-scopes';
import type { MediaGrant, SessionClaims } from './token';

/**
 * What a session token's `scope` claim says: `session` and one `media:*` entry per media
 * grant (what tokens carried before scopes existed, derived from `services`), plus the
 * minting credential's effective scopes or the fewer it asked for.
 */
export function sessionScopes(media: MediaGrant): string[] {
  const grants = Object.entries(media).filter(([, granted]) => granted === true);
  return ['session', ...grants.map(([grant]) => `media:${grant.replace(/^allow_/, '')}`)];
}

/**
 * The `scope` claim of a new token. `requested` (null: all the minter holds) may only
 * narrow: a scope the minter lacks is refused, never silently dropped.
 */
export function mintedScopeClaim(held: readonly string[], media: MediaGrant, requested: readonly string[] | null): string {
  const own = sessionScopes(media);
  const asked = requested ?? held;
  const refusal = lackingScopesRefusal([...held, ...own], asked);
  if (refusal) throw new ForbiddenError(refusal.reason, `A token can carry only scopes its minting key holds; ${refusal.message.replace(/^The credential lacks/, 'the key lacks')}`);
  return formatScopes([...asked, ...own]);
}

/**
 * The scopes a token carries now: its claim (tokens minted before scopes existed: what
 * their services imply), less any scope its minting key no longer holds, so taking a
 * scope from a key (or from its app) takes it from the key's live tokens at once too.
 */
export function liveTokenScopes(claims: SessionClaims, minterHolds: readonly string[]): string[] {
  const own = sessionScopes(claims.services.media ?? { allow_publish_audio: false, allow_publish_video: false });
  if (typeof claims.scope !== 'string') return own;
  const still = new Set([...minterHolds, ...own]);
  return parseScopes(claims.scope).filter((scope) => still.has(scope));
}
