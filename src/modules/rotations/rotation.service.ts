import type { EntityManager, FilterQuery } from '@mikro-orm/core';
import type { Actor, Runtime } from '../../context';
import { BadInputError, ConflictError, NotFoundError } from '../../errors';
import { type Connection, type PageRequest, toConnection } from '../../shared/pagination';
import { recordAudit } from '../audit/audit.service';
import { keyTransaction } from '../auth/key-transaction';
import { assertAppVisible, visibleTo, modeFilter } from '../auth/tenancy';
import { ApiKey } from '../keys/api-key.entity';
import { assertFutureExpiry, issueKey } from '../keys/api-key.factory';
import type { KeyMode } from '../keys/key-enums';
import { ApiKeyService } from '../keys/api-key.service';
import { Rotation, RotationStatus } from './rotation.entity';
import { emitEvent } from '../webhooks/emit-event';

export const DEFAULT_GRACE_SECONDS = 24 * 3600;
export const MAX_GRACE_SECONDS = 30 * 24 * 3600;
export const ROTATED_REASON = 'rotated';

export interface RotationListFilter {
  mode?: KeyMode | null;
  status?: RotationStatus | null;
}

/** SQL for "the rotation's status is S at now". */
function rotationStatusWhere(status: RotationStatus, now: Date): { $gt: Date } | { $lte: Date } {
  switch (status) {
    case RotationStatus.IN_GRACE:
      return { $gt: now };
    case RotationStatus.COMPLETED:
      return { $lte: now };
    default: {
      const unreachable: never = status;
      return unreachable;
    }
  }
}

export class RotationService {
  constructor(
    private readonly em: EntityManager,
    private readonly actor: Actor,
    private readonly runtime: Runtime,
  ) {}

  async get(id: string, em: EntityManager = this.em): Promise<Rotation> {
    const rotation = await em.findOne(Rotation, { id });
    if (!rotation || !visibleTo(this.actor.principal, rotation.appId, rotation.mode)) throw new NotFoundError('Rotation');
    return rotation;
  }

  /** An app's rotations, newest first, one page at a time. */
  async list(appId: string, filter: RotationListFilter, page: PageRequest): Promise<Connection<Rotation>> {
    assertAppVisible(this.actor.principal, appId);
    const scopedMode = modeFilter(this.actor.principal, filter.mode);
    if (scopedMode === 'none') return toConnection([], page, 0);
    const now = this.runtime.clock.now();
    const where: FilterQuery<Rotation> = { appId };
    if (scopedMode) where.mode = scopedMode;
    if (filter.status) where.graceEndsAt = rotationStatusWhere(filter.status, now);
    const [rows, total] = await Promise.all([
      this.em.find(Rotation, page.afterId ? { $and: [where, { id: { $lt: page.afterId } }] } : where, { orderBy: { id: 'desc' }, limit: page.limit + 1 }),
      this.em.count(Rotation, where),
    ]);
    return toConnection(rows, page, total);
  }

  /**
   * Issues a replacement for an ACTIVE key. The old key's end is set with a conditional
   * update (only if it is still untouched), so of two concurrent rotations exactly one
   * wins and the other gets CONFLICT, on SQLite and PostgreSQL alike.
   * A grace past the old key's own expiry is capped at that expiry.
   */
  async rotate(keyId: string, gracePeriodSeconds: number | null | undefined, expiresAt?: Date | null): Promise<{ rotation: Rotation; secret: string }> {
    const grace = gracePeriodSeconds ?? DEFAULT_GRACE_SECONDS;
    if (!Number.isInteger(grace) || grace < 0 || grace > MAX_GRACE_SECONDS) {
      throw new BadInputError(`gracePeriodSeconds must be between 0 and ${MAX_GRACE_SECONDS} (30 days)`, 'gracePeriodSeconds');
    }
    if (expiresAt) assertFutureExpiry(expiresAt, this.runtime.clock.now());
    return keyTransaction(this.em, this.runtime, async (tem, changed) => {
      const old = await new ApiKeyService(tem, this.actor, this.runtime).get(keyId, tem);
      const now = this.runtime.clock.now();
      const requestedEnd = new Date(now.getTime() + grace * 1000);
      const graceEndsAt = old.expiresAt && old.expiresAt < requestedEnd ? old.expiresAt : requestedEnd;
      const claimed = await tem.nativeUpdate(
        ApiKey,
        { $and: [tem.getRepository(ApiKey).workingAt(now), { id: old.id, revokedAt: null }] },
        { revokedAt: graceEndsAt, revokedReason: ROTATED_REASON },
      );
      if (claimed !== 1) throw new ConflictError('Only an ACTIVE key can be rotated (this one is revoked, expired or already rotating)');
      // Cached copies still say "no end": they must learn the grace's end.
      changed({ keyIds: [old.id] });
      // Keep the loaded entity in step with the row, so this request reads it as ROTATING.
      Object.assign(old, { revokedAt: graceEndsAt, revokedReason: ROTATED_REASON });

      const { key: replacement, value } = issueKey(
        {
          appId: old.appId,
          name: old.name,
          kind: old.kind,
          mode: old.mode,
          role: old.role,
          allowedOrigins: old.allowedOrigins,
          // Omitted: the replacement ends when the old key would have, so rotating never
          // turns a temporary key into a permanent one. Whoever may rotate may also create
          // a key with another expiry (or none), so naming one is allowed.
          expiresAt: expiresAt === undefined ? old.expiresAt : expiresAt,
          rateLimit: old.rateLimit,
          // The replacement inherits every control, and spends the SAME balance row, so
          // during the grace both keys draw from one account.
          ownerId: old.ownerId,
          meta: old.meta,
          enabled: old.enabled,
          allowedIps: old.allowedIps,
          scopes: old.scopes,
          creditBalanceId: old.creditBalanceId,
          createdBy: this.actor.principal.id,
          createdAt: now,
        },
        this.runtime,
      );
      const rotation = Object.assign(new Rotation(), {
        appId: old.appId,
        mode: old.mode,
        oldKeyId: old.id,
        newKeyId: replacement.id,
        startedAt: now,
        graceEndsAt,
        completedAt: grace === 0 ? now : null,
        createdBy: this.actor.principal.id,
      });
      tem.persist([replacement, rotation]);
      await recordAudit(
        tem,
        this.actor,
        {
          action: 'key.rotate',
          appId: old.appId,
          mode: old.mode,
          targetId: old.id,
          details: { rotationId: rotation.id, newKeyId: replacement.id, graceEndsAt, cappedAtExpiry: graceEndsAt < requestedEnd },
        },
        now,
      );
      await emitEvent(tem, { type: 'key.rotated', appId: old.appId, mode: old.mode, data: { key_id: old.id, new_key_id: replacement.id, rotation_id: rotation.id, grace_ends_at: graceEndsAt } }, now);
      return { rotation, secret: value };
    });
  }

  /** Ends the grace period now: the old key stops working at once. */
  async complete(id: string): Promise<Rotation> {
    return keyTransaction(this.em, this.runtime, async (tem, changed) => {
      const rotation = await this.get(id, tem);
      const now = this.runtime.clock.now();
      const graceEnd = rotation.graceEndsAt;
      if (graceEnd <= now) throw new ConflictError('The rotation is already completed');
      // Claim the exact grace end this transaction read, not "still in the future at now":
      // a concurrent completion or revocation (which may have read an earlier now) changes
      // it, so of two racing calls exactly one matches. The key row first, then the
      // rotation: the lock order of revokeApiKey too.
      await tem.nativeUpdate(ApiKey, { id: rotation.oldKeyId, revokedAt: graceEnd }, { revokedAt: now });
      const ended = await tem.nativeUpdate(Rotation, { id, graceEndsAt: graceEnd }, { graceEndsAt: now, completedAt: now });
      if (ended !== 1) throw new ConflictError('The rotation is already completed');
      changed({ keyIds: [rotation.oldKeyId] });
      await recordAudit(
        tem,
        this.actor,
        { action: 'rotation.complete', appId: rotation.appId, mode: rotation.mode, targetId: rotation.id, details: { oldKeyId: rotation.oldKeyId } },
        now,
      );
      await emitEvent(tem, { type: 'rotation.completed', appId: rotation.appId, mode: rotation.mode, data: { key_id: rotation.oldKeyId, new_key_id: rotation.newKeyId, rotation_id: rotation.id } }, now);
      return Object.assign(rotation, { graceEndsAt: now, completedAt: now });
    });
  }
}
