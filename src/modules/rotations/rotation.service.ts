import type { EntityManager, FilterQuery } from '@mikro-orm/core';
import type { Actor, Runtime } from '../../context';
import { BadInputError, ConflictError, NotFoundError } from '../../errors';
import { recordAudit } from '../audit/audit.service';
import { keyTransaction } from '../auth/key-transaction';
import { assertAppInScope, inScope, modeFilter } from '../auth/tenancy';
import { ApiKey } from '../keys/api-key.entity';
import { issueKey, rateLimitOf } from '../keys/api-key.factory';
import type { KeyMode } from '../keys/key-enums';
import { ApiKeyService } from '../keys/api-key.service';
import { Rotation, RotationStatus } from './rotation.entity';
import { emitEvent } from '../webhooks/emit-event';

export const DEFAULT_GRACE_SECONDS = 24 * 3600;
export const MAX_GRACE_SECONDS = 30 * 24 * 3600;
export const ROTATED_REASON = 'rotated';
const MAX_ROTATIONS_LISTED = 500;

export class RotationService {
  constructor(
    private readonly em: EntityManager,
    private readonly actor: Actor,
    private readonly runtime: Runtime,
  ) {}

  async get(id: string, em: EntityManager = this.em): Promise<Rotation> {
    const rotation = await em.findOne(Rotation, { id });
    if (!rotation || !inScope(this.actor.principal, rotation.appId, rotation.mode)) throw new NotFoundError('Rotation');
    return rotation;
  }

  async list(appId: string, mode: KeyMode | null | undefined, status: RotationStatus | null | undefined): Promise<Rotation[]> {
    assertAppInScope(this.actor.principal, appId);
    const scopedMode = modeFilter(this.actor.principal, mode);
    if (scopedMode === 'none') return [];
    const now = this.runtime.clock.now();
    const where: FilterQuery<Rotation> = { appId };
    if (scopedMode) where.mode = scopedMode;
    if (status === RotationStatus.IN_GRACE) where.graceEndsAt = { $gt: now };
    if (status === RotationStatus.COMPLETED) where.graceEndsAt = { $lte: now };
    return this.em.find(Rotation, where, { orderBy: { id: 'desc' }, limit: MAX_ROTATIONS_LISTED });
  }

  /**
   * Issues a replacement for an ACTIVE key. The old key's end is set with a conditional
   * update (only if it is still untouched), so of two concurrent rotations exactly one
   * wins and the other gets CONFLICT, on SQLite and PostgreSQL alike.
   * A grace past the old key's own expiry is capped at that expiry.
   */
  async rotate(keyId: string, gracePeriodSeconds: number | null | undefined): Promise<{ rotation: Rotation; secret: string }> {
    const grace = gracePeriodSeconds ?? DEFAULT_GRACE_SECONDS;
    if (!Number.isInteger(grace) || grace < 0 || grace > MAX_GRACE_SECONDS) {
      throw new BadInputError(`gracePeriodSeconds must be between 0 and ${MAX_GRACE_SECONDS} (30 days)`, 'gracePeriodSeconds');
    }
    return keyTransaction(this.em, this.runtime, async (tem, changed) => {
      const old = await new ApiKeyService(tem, this.actor, this.runtime).get(keyId, tem);
      const now = this.runtime.clock.now();
      const requestedEnd = new Date(now.getTime() + grace * 1000);
      const graceEndsAt = old.expiresAt && old.expiresAt < requestedEnd ? old.expiresAt : requestedEnd;
      const claimed = await tem.nativeUpdate(
        ApiKey,
        { id: old.id, revokedAt: null, $or: [{ expiresAt: null }, { expiresAt: { $gt: now } }] },
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
          expiresAt: null,
          rateLimit: rateLimitOf(old),
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
      // The key row first, then the rotation: the lock order of revokeApiKey too.
      await tem.nativeUpdate(ApiKey, { id: rotation.oldKeyId, revokedAt: { $gt: now } }, { revokedAt: now });
      const ended = await tem.nativeUpdate(Rotation, { id, graceEndsAt: { $gt: now } }, { graceEndsAt: now, completedAt: now });
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
