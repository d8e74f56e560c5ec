import type { EntityManager, FilterQuery } from '@mikro-orm/core';
import type { Actor, Runtime } from '../../context';
import { AuthReason, BadInputError, ConflictError, ForbiddenError, NotFoundError } from '../../errors';
import { type Connection, type PageRequest, toConnection } from '../../shared/pagination';
import { notNull, refuseKeyMaterial, requireLabel } from '../../shared/validation';
import { App } from '../apps/app.entity';
import { keyTransaction } from '../auth/key-transaction';
import { recordAudit } from '../audit/audit.service';
import { normalizeOrigins } from '../auth/origins';
import { PrincipalType } from '../auth/principal';
import { assertAppVisible, assertModeAllowed, visibleTo, modeFilter } from '../auth/tenancy';
import { ApiKey, MAX_NAME_LENGTH } from './api-key.entity';
import type { CreateApiKeyInput, UpdateApiKeyInput } from './api-key.inputs';
import { endGrace } from '../rotations/end-grace';
import { assertFutureExpiry, issueKey } from './api-key.factory';
import { validRateLimit } from '../rate-limits/rate-limit.types';
import { KeyKind, type KeyMode, KeyStatus, ROLE_RANK } from './key-enums';
import { keyState } from './key-state';
import { validMeta, validOwnerId } from './key-attributes';
import { normalizeAllowedIps } from './ip-allow-list';
import { refuseOwnControls } from './own-controls';
import { grantScopes } from './scope-grants';
import { validCredits } from '../credits/credits.types';
import { changeBalance, openBalance } from '../credits/credit-balance.service';
import { emitEvent } from '../webhooks/emit-event';

export const MAX_REVOKE_REASON_LENGTH = 500;

export interface KeyListFilter {
  mode?: KeyMode | null;
  ownerId?: string | null;
  status?: KeyStatus[] | null;
  unusedSince?: Date | null;
}

export class ApiKeyService {
  constructor(
    private readonly em: EntityManager,
    private readonly actor: Actor,
    private readonly runtime: Runtime,
  ) {}

  /** A key the actor may see (own app and mode for app keys), or NOT_FOUND. */
  async get(id: string, em: EntityManager = this.em): Promise<ApiKey> {
    const key = await em.findOne(ApiKey, { id });
    if (!key || !visibleTo(this.actor.principal, key.appId, key.mode)) throw new NotFoundError('API key');
    return key;
  }

  async listForApp(appId: string, filter: KeyListFilter, page: PageRequest): Promise<Connection<ApiKey>> {
    assertAppVisible(this.actor.principal, appId);
    const mode = modeFilter(this.actor.principal, filter.mode);
    if (mode === 'none') return toConnection([], page, 0);
    const now = this.runtime.clock.now();
    const conditions: FilterQuery<ApiKey>[] = [{ appId }];
    if (mode) conditions.push({ mode });
    if (filter.ownerId !== undefined && filter.ownerId !== null) conditions.push({ ownerId: filter.ownerId });
    if (filter.status) {
      if (filter.status.length === 0) return toConnection([], page, 0);
      const keys = this.em.getRepository(ApiKey);
      conditions.push({ $or: [...new Set(filter.status)].map((s) => keys.statusAt(s, now)) });
    }
    if (filter.unusedSince) {
      await this.runtime.usage.flush(); // lastUsedAt of this process's recent uses first
      conditions.push({ $or: [{ lastUsedAt: null }, { lastUsedAt: { $lt: filter.unusedSince } }] });
    }
    const where: FilterQuery<ApiKey> = { $and: conditions };
    const [rows, total] = await Promise.all([
      this.em.find(ApiKey, page.afterId ? { $and: [...conditions, { id: { $lt: page.afterId } }] } : where, {
        orderBy: { id: 'desc' },
        limit: page.limit + 1,
      }),
      this.em.count(ApiKey, where),
    ]);
    return toConnection(rows, page, total);
  }

  async create(input: CreateApiKeyInput): Promise<{ apiKey: ApiKey; secret: string }> {
    const principal = this.actor.principal;
    const name = requireLabel(input.name, 'name', MAX_NAME_LENGTH);
    const role = input.role ?? null;
    if (input.kind === KeyKind.PUBLISHABLE && role !== null) {
      throw new BadInputError('Publishable keys have no role; omit role', 'role');
    }
    if (input.kind === KeyKind.SECRET && role === null) {
      throw new BadInputError('Secret keys need a role: READ_ONLY, READ_WRITE or ADMIN', 'role');
    }
    const origins = notNull(input.allowedOrigins, 'allowedOrigins');
    if (input.kind === KeyKind.SECRET && origins && origins.length > 0) {
      throw new BadInputError('Secret keys have no allowedOrigins: they are refused from browsers', 'allowedOrigins');
    }
    const rateLimit = validRateLimit(input.rateLimit ?? null);
    const controls = {
      ownerId: input.ownerId === undefined || input.ownerId === null ? null : validOwnerId(input.ownerId),
      meta: input.meta === undefined || input.meta === null ? null : validMeta(input.meta),
      allowedIps: normalizeAllowedIps(notNull(input.allowedIps, 'allowedIps') ?? []),
    };
    const credits = validCredits(input.credits ?? null);
    const now = this.runtime.clock.now();
    const expiresAt = input.expiresAt ?? null;
    if (expiresAt) assertFutureExpiry(expiresAt, now);
    assertAppVisible(principal, input.appId);
    assertModeAllowed(principal, input.mode);
    if (principal.type === PrincipalType.API_KEY && role && (!principal.role || ROLE_RANK[role] > ROLE_RANK[principal.role])) {
      throw new ForbiddenError(AuthReason.INSUFFICIENT_ROLE, 'A key cannot create a key with a higher role than its own');
    }

    return this.em.transactional(async (tem) => {
      const app = await tem.findOne(App, { id: input.appId, deletedAt: null });
      if (!app) throw new NotFoundError('App');
      const { scopes } = await grantScopes(tem, principal, app.id, notNull(input.scopes, 'scopes') ?? [], []);
      const { key, value } = issueKey(
        {
          appId: app.id,
          name,
          kind: input.kind,
          mode: input.mode,
          role,
          allowedOrigins: input.kind === KeyKind.PUBLISHABLE ? normalizeOrigins(origins ?? app.allowedOrigins) : [],
          expiresAt,
          rateLimit,
          ...controls,
          scopes,
          enabled: true,
          creditBalanceId: credits ? openBalance(tem, app.id, credits, now).id : null,
          createdBy: principal.id,
          createdAt: now,
        },
        this.runtime,
      );
      tem.persist(key);
      await recordAudit(
        tem,
        this.actor,
        {
          action: 'key.create',
          appId: app.id,
          mode: key.mode,
          targetId: key.id,
          // Names and limits only: meta is the product's data, not the audit trail's.
          details: { name, kind: key.kind, role, expiresAt, rateLimit, ownerId: controls.ownerId, allowedIps: controls.allowedIps, credits, scopes },
        },
        now,
      );
      await emitEvent(tem, { type: 'key.created', appId: app.id, mode: key.mode, data: { key_id: key.id, kind: key.kind, role, expires_at: expiresAt } }, now);
      return { apiKey: key, secret: value };
    });
  }

  async update(id: string, input: UpdateApiKeyInput): Promise<ApiKey> {
    return keyTransaction(this.em, this.runtime, async (tem, keyChanged) => {
      const key = await this.get(id, tem);
      await refuseOwnControls(tem, this.actor.principal, key.id, input);
      const now = this.runtime.clock.now();
      if (keyState(key, now).status === KeyStatus.REVOKED) throw new ConflictError('The API key is revoked and can no longer be changed');
      const changed: string[] = [];
      const name = notNull(input.name, 'name');
      if (name !== undefined) {
        key.name = requireLabel(name, 'name', MAX_NAME_LENGTH);
        changed.push('name');
      }
      const origins = notNull(input.allowedOrigins, 'allowedOrigins');
      if (origins !== undefined) {
        if (key.kind === KeyKind.SECRET && origins.length > 0) {
          throw new BadInputError('Secret keys have no allowedOrigins: they are refused from browsers', 'allowedOrigins');
        }
        key.allowedOrigins = normalizeOrigins(origins);
        changed.push('allowedOrigins');
      }
      if (input.rateLimit !== undefined) {
        key.rateLimit = validRateLimit(input.rateLimit);
        changed.push('rateLimit');
      }
      if (input.ownerId !== undefined) {
        key.ownerId = input.ownerId === null ? null : validOwnerId(input.ownerId);
        changed.push('ownerId');
      }
      if (input.meta !== undefined) {
        key.meta = input.meta === null ? null : validMeta(input.meta);
        changed.push('meta');
      }
      const ips = notNull(input.allowedIps, 'allowedIps');
      if (ips !== undefined) {
        key.allowedIps = normalizeAllowedIps(ips);
        changed.push('allowedIps');
      }
      const requestedScopes = notNull(input.scopes, 'scopes');
      const grant = requestedScopes === undefined ? undefined : await grantScopes(tem, this.actor.principal, key.appId, requestedScopes, key.scopes);
      if (grant) {
        key.scopes = grant.scopes;
        changed.push('scopes');
      }
      const credits = input.credits === undefined ? undefined : validCredits(input.credits);
      const enabled = notNull(input.enabled, 'enabled');
      // Every field above is part of what verification returns or enforces: all of the
      // key's cached copies, in every process, must forget it.
      keyChanged({ keyIds: [key.id] });
      if (credits !== undefined) {
        keyChanged({ keyIds: await changeBalance(tem, key, credits, now) });
        changed.push('credits');
      }
      const switched = enabled !== undefined && enabled !== key.enabled;
      if (enabled !== undefined) key.enabled = enabled;
      // Write (and lock) the key row before the audit chain head, as every key mutation does.
      await tem.flush();
      const target = { appId: key.appId, mode: key.mode, targetId: key.id };
      const event = { appId: key.appId, mode: key.mode, data: { key_id: key.id } };
      if (changed.length > 0 || !switched) {
        const scopes = grant ? { scopes: { added: grant.added, removed: grant.removed } } : {};
        await recordAudit(tem, this.actor, { action: 'key.update', ...target, details: { changed, ...scopes } }, now);
        await emitEvent(tem, { type: 'key.updated', ...event, data: { ...event.data, changed } }, now);
      }
      if (switched) {
        await recordAudit(tem, this.actor, { action: key.enabled ? 'key.enable' : 'key.disable', ...target, details: {} }, now);
        await emitEvent(tem, { type: key.enabled ? 'key.enabled' : 'key.disabled', ...event }, now);
      }
      return key;
    });
  }

  /** Instant and final: the key stops authenticating at once. */
  async revoke(id: string, reason: string | null | undefined): Promise<ApiKey> {
    const why = reason === null || reason === undefined ? null : reason.trim();
    if (why !== null && why.length > MAX_REVOKE_REASON_LENGTH) {
      throw new BadInputError(`reason must be at most ${MAX_REVOKE_REASON_LENGTH} characters`, 'reason');
    }
    if (why !== null) refuseKeyMaterial(why, 'reason');
    return keyTransaction(this.em, this.runtime, async (tem, changed) => {
      const key = await this.get(id, tem);
      const now = this.runtime.clock.now();
      const state = keyState(key, now);
      if (state.status === KeyStatus.REVOKED) throw new ConflictError('The API key is already revoked');
      if (state.status === KeyStatus.EXPIRED) throw new ConflictError('The API key has already expired');
      const revokedReason = why || 'revoked';
      // In a rotation's grace (a disabled key may be too): that rotation ends here.
      const inGrace = key.revokedAt !== null;
      // Conditional update first: it locks the key row before anything else (the same
      // order as rotation, so the two cannot deadlock), and of two racing changes to
      // the key exactly one wins.
      const claimed = await tem.nativeUpdate(
        ApiKey,
        // A key in grace is claimed by the exact grace end read here: "still in the future"
        // would also match for a racing transaction that read an earlier now.
        { $and: [tem.getRepository(ApiKey).workingAt(now), { id: key.id, revokedAt: inGrace ? key.revokedAt : null }] },
        { revokedAt: now, revokedReason },
      );
      if (claimed !== 1) throw new ConflictError('The API key changed while it was being revoked; read it again');
      Object.assign(key, { revokedAt: now, revokedReason });
      changed({ keyIds: [key.id] });
      if (inGrace) await endGrace(tem, { oldKeyId: key.id }, now);
      await recordAudit(
        tem,
        this.actor,
        { action: 'key.revoke', appId: key.appId, mode: key.mode, targetId: key.id, details: { reason: key.revokedReason, previousStatus: state.status } },
        now,
      );
      await emitEvent(tem, { type: 'key.revoked', appId: key.appId, mode: key.mode, data: { key_id: key.id, reason: key.revokedReason } }, now);
      return key;
    });
  }
}
