import type { KeyObject } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/core';
import type { Actor, Runtime } from '../../context';
import { AuthReason, BadInputError, ForbiddenError, NotFoundError, RefusalError } from '../../errors';
import { newId } from '../../shared/ids';
import { requireName } from '../../shared/validation';
import { MIN_TOKEN_LIFETIME } from '../apps/app.service';
import { type Principal, PrincipalType } from '../auth/principal';
import { type EntityManagerSource, keyRefOf } from '../auth/key-records';
import { RootKey } from '../auth/root-key.entity';
import { assertModeAllowed } from '../auth/tenancy';
import { ApiKey } from '../keys/api-key.entity';
import { KeyKind, type KeyMode, KeyStatus } from '../keys/key-enums';
import { keyState } from '../keys/key-state';
import { effectiveScopes } from '../keys/key-scopes';
import { type SessionClaims, type TokenFailure, signToken, verifyToken } from './token';
import { liveTokenScopes, mintedScopeClaim } from './token-scopes';

export const MAX_USER_ID_LENGTH = 256;
export const REFRESH_FRACTION = 0.8;

/** A token request, shared by GraphQL `sessionAccess` and REST `POST /session_access`. */
export interface SessionRequest {
  appId?: string | null;
  mode?: KeyMode | null;
  userId: string;
  channelId?: string | null;
  tokenLifetime?: number | null;
  media?: { allowPublishAudio?: boolean | null; allowPublishVideo?: boolean | null } | null;
  /** Fewer scopes than the minting key's effective ones; null/undefined: all of them. */
  scopes?: string[] | null;
}

export interface MintedToken {
  token: string;
  tokenId: string;
  expiresAt: Date;
  refreshAt: Date;
}

export interface Introspection {
  active: boolean;
  tokenId?: string;
  appId?: string;
  keyId?: string;
  userId?: string;
  channelId?: string | null;
  mode?: KeyMode;
  services?: unknown;
  scopes?: string[];
  issuedAt?: Date;
  expiresAt?: Date;
}

const INACTIVE: Introspection = { active: false };

/** Which app and mode a request mints for: root names them; app keys use (or repeat) their own. */
function target(principal: Principal, request: SessionRequest): { appId: string; mode: KeyMode } {
  if (principal.type === PrincipalType.ROOT) {
    if (!request.appId) throw new BadInputError('A root key must name appId', 'appId');
    if (!request.mode) throw new BadInputError('A root key must name mode', 'mode');
    return { appId: request.appId, mode: request.mode };
  }
  if (request.appId && request.appId !== principal.appId) throw new NotFoundError('App');
  if (request.mode) assertModeAllowed(principal, request.mode);
  return { appId: principal.appId, mode: principal.mode };
}

export class SessionService {
  /** `em` may be a function: a mint whose app settings and signing key are cached needs no EntityManager. */
  constructor(
    private readonly emSource: EntityManagerSource,
    private readonly actor: Actor,
    private readonly runtime: Runtime,
  ) {}

  private get em(): EntityManager {
    return typeof this.emSource === 'function' ? this.emSource() : this.emSource;
  }

  async mint(request: SessionRequest): Promise<MintedToken> {
    const principal = this.actor.principal;
    const { appId, mode } = target(principal, request);
    const userId = requireName(request.userId, 'userId', MAX_USER_ID_LENGTH);
    const channelId = request.channelId === undefined || request.channelId === null ? undefined : requireName(request.channelId, 'channelId', MAX_USER_ID_LENGTH);
    const app = await this.runtime.appSettings.get(() => this.em, appId);
    if (!app) throw new NotFoundError('App');

    const publishable = principal.type === PrincipalType.API_KEY && principal.kind === KeyKind.PUBLISHABLE;
    const lifetime = request.tokenLifetime ?? app.defaultTokenLifetime;
    const ceiling = publishable ? app.defaultTokenLifetime : app.maxTokenLifetime;
    if (!Number.isInteger(lifetime) || lifetime < MIN_TOKEN_LIFETIME || lifetime > ceiling) {
      throw new BadInputError(`tokenLifetime must be between ${MIN_TOKEN_LIFETIME} and ${ceiling} seconds for this key`, 'tokenLifetime');
    }
    const media = { allow_publish_audio: request.media?.allowPublishAudio === true, allow_publish_video: request.media?.allowPublishVideo === true };
    if (publishable && !app.publishableCanPublish && (media.allow_publish_audio || media.allow_publish_video)) {
      throw new ForbiddenError(AuthReason.INSUFFICIENT_ROLE, 'Publishable keys may not grant publishing in this app (publishableCanPublish is off)');
    }
    const scope = mintedScopeClaim(effectiveScopes(principal), media, request.scopes ?? null);

    // Each mint is one use of the key: it costs 1 credit, spent only once the request is valid.
    const spent = await this.runtime.authenticator.meter(principal, 1, this.actor);
    if (spent && !spent.ok) throw new RefusalError({ reason: AuthReason.USAGE_EXCEEDED });
    const iat = Math.floor(this.runtime.clock.now().getTime() / 1000);
    const claims: SessionClaims = {
      iss: this.runtime.issuer,
      aud: app.id,
      sub: userId,
      ...(channelId !== undefined ? { channel_id: channelId } : {}),
      services: { media },
      scope,
      mode,
      akid: principal.id,
      jti: newId('tok'),
      iat,
      nbf: iat,
      exp: iat + lifetime,
    };
    const token = await signToken(claims, await this.runtime.signingKeys.signingKey(app.tokenAlgorithm));
    this.runtime.metrics.tokensMinted.inc({ mode });
    const minter = keyRefOf(principal);
    if (minter) this.runtime.usage.record(minter, 'token');
    return {
      token,
      tokenId: claims.jti,
      expiresAt: new Date(claims.exp * 1000),
      refreshAt: new Date((iat + Math.floor(lifetime * REFRESH_FRACTION)) * 1000),
    };
  }

  /**
   * Active only if the token verifies and the key that minted it still works now
   * (revocation or an ended grace deactivates its tokens at once). Tokens of another
   * app or mode read as inactive to an app key.
   */
  async introspect(token: string): Promise<Introspection> {
    const checked = await checkActiveToken(this.em, this.runtime, token);
    if (!checked.active) return INACTIVE;
    const c = checked.claims;
    const p = this.actor.principal;
    if (p.type === PrincipalType.API_KEY && (c.aud !== p.appId || c.mode !== p.mode)) return INACTIVE;
    return {
      active: true,
      tokenId: c.jti,
      appId: c.aud,
      keyId: c.akid,
      userId: c.sub,
      channelId: c.channel_id ?? null,
      mode: c.mode,
      services: c.services,
      scopes: checked.scopes,
      issuedAt: new Date(c.iat * 1000),
      expiresAt: new Date(c.exp * 1000),
    };
  }

}

export type ActiveTokenCheck = { active: true; claims: SessionClaims; scopes: string[]; /** the minting key's kind; null for a root key */ minterKind: KeyKind | null } | { active: false; reason: TokenFailure | 'MINTER_INACTIVE' };

/**
 * Whether a token is active now, with its claims and the scopes it carries now, or why
 * not: it verifies (signature, iss, typ, exp, nbf), the key that minted it still works and
 * its app still exists, so revoking a key, ending a rotation's grace or deleting the app
 * deactivates its tokens at once (a root key's tokens outlive no app either). Its scopes
 * lose any the minting key no longer holds (token-scopes.ts). No tenancy: callers apply
 * it. `keyFor` may refuse a lookup (the caller's throttle).
 */
export async function checkActiveToken(
  em: EntityManager,
  runtime: Runtime,
  token: string,
  keyFor: (kid: string) => Promise<KeyObject | null> = (kid) => runtime.signingKeys.publicKey(kid),
): Promise<ActiveTokenCheck> {
  const now = runtime.clock.now();
  const verified = await verifyToken(token, runtime.issuer, now, keyFor);
  if (!verified.valid) return { active: false, reason: verified.reason };
  const minter = await minterOf(em, verified.claims, now);
  if (!minter) return { active: false, reason: 'MINTER_INACTIVE' };
  // Cached per process and forgotten on every app change, in every process (key-change-bus.ts).
  if (!(await runtime.appSettings.get(em, verified.claims.aud))) return { active: false, reason: 'MINTER_INACTIVE' };
  return { active: true, claims: verified.claims, scopes: liveTokenScopes(verified.claims, minter.scopes), minterKind: minter.kind };
}

/** The kind and effective scopes of the key that minted the token, if it still works; null if not. */
async function minterOf(em: EntityManager, claims: SessionClaims, now: Date): Promise<{ kind: KeyKind | null; scopes: string[] } | null> {
  if (claims.akid.startsWith('root_')) {
    const root = await em.findOne(RootKey, { id: claims.akid });
    return root !== null && root.revokedAt === null ? { kind: null, scopes: effectiveScopes({ type: PrincipalType.ROOT }) } : null;
  }
  const key = await em.findOne(ApiKey, { id: claims.akid });
  if (!key || key.appId !== claims.aud || key.mode !== claims.mode) return null;
  const status = keyState(key, now).status;
  if (status !== KeyStatus.ACTIVE && status !== KeyStatus.ROTATING) return null;
  return { kind: key.kind, scopes: effectiveScopes({ type: PrincipalType.API_KEY, kind: key.kind, role: key.role, scopes: key.scopes }) };
}
