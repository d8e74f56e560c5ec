import type { EntityManager, FilterQuery } from '@mikro-orm/core';
import type { Actor, Runtime } from '../../context';
import { BadInputError, NotFoundError } from '../../errors';
import { type Connection, type PageRequest, toConnection } from '../../shared/pagination';
import { notNull, requireIntInRange, requireLabel } from '../../shared/validation';
import { recordAudit } from '../audit/audit.service';
import { normalizeOrigins } from '../auth/origins';
import { PrincipalType } from '../auth/principal';
import { assertAppVisible, assertModeAllowed } from '../auth/tenancy';
import { KeyMode } from '../keys/key-enums';
import { ApiKey } from '../keys/api-key.entity';
import { endGrace } from '../rotations/end-grace';
import { App, MAX_OPERATION_COST_LIMIT } from './app.entity';
import type { CreateAppInput, UpdateAppInput } from './app.inputs';
import { keyTransaction } from '../auth/key-transaction';
import { emitEvent } from '../webhooks/emit-event';
import { missingScopes, normalizeDeclaredScopes } from '../keys/key-scopes';
import { withdrawScopes } from '../keys/scope-grants';

export const MAX_APP_NAME_LENGTH = 200;
export const MIN_TOKEN_LIFETIME = 60;
export const MAX_TOKEN_LIFETIME = 30 * 24 * 3600;

type AppSettings = Pick<App, 'name' | 'allowedOrigins' | 'defaultTokenLifetime' | 'maxTokenLifetime' | 'publishableCanPublish' | 'leakedKeyPolicy' | 'tokenAlgorithm' | 'scopes' | 'maxOperationCost' | 'trustedDocumentsPolicy'>;

/** Settings as asked for: declared scopes as given, not yet normalised. */
type SettingsInput = Omit<AppSettings, 'scopes'> & { scopes: readonly { name: string; description?: string | null }[] };

/** Validates a full set of settings (after merging an update), so every write leaves a consistent app. */
function validateSettings(s: SettingsInput): AppSettings {
  const maxTokenLifetime = requireIntInRange(s.maxTokenLifetime, 'maxTokenLifetime', MIN_TOKEN_LIFETIME, MAX_TOKEN_LIFETIME);
  const defaultTokenLifetime = requireIntInRange(s.defaultTokenLifetime, 'defaultTokenLifetime', MIN_TOKEN_LIFETIME, MAX_TOKEN_LIFETIME);
  if (defaultTokenLifetime > maxTokenLifetime) {
    throw new BadInputError('defaultTokenLifetime must not exceed maxTokenLifetime', 'defaultTokenLifetime');
  }
  return {
    name: requireLabel(s.name, 'name', MAX_APP_NAME_LENGTH),
    allowedOrigins: normalizeOrigins(s.allowedOrigins),
    defaultTokenLifetime,
    maxTokenLifetime,
    publishableCanPublish: s.publishableCanPublish,
    leakedKeyPolicy: s.leakedKeyPolicy,
    tokenAlgorithm: s.tokenAlgorithm,
    scopes: normalizeDeclaredScopes(s.scopes),
    maxOperationCost: requireIntInRange(s.maxOperationCost, 'maxOperationCost', 1, MAX_OPERATION_COST_LIMIT),
    trustedDocumentsPolicy: s.trustedDocumentsPolicy,
  };
}

/** What changed between two settings objects, for the audit trail. */
function changedFields(before: AppSettings, after: AppSettings): string[] {
  return (Object.keys(after) as (keyof AppSettings)[]).filter(
    (k) => JSON.stringify(before[k]) !== JSON.stringify(after[k]),
  );
}

export class AppService {
  constructor(
    private readonly em: EntityManager,
    private readonly actor: Actor,
    private readonly runtime: Runtime,
  ) {}

  /** A live (not deleted) app the actor may see, or NOT_FOUND. */
  async get(id: string, em: EntityManager = this.em): Promise<App> {
    assertAppVisible(this.actor.principal, id);
    const app = await em.findOne(App, { id, deletedAt: null });
    if (!app) throw new NotFoundError('App');
    return app;
  }

  async list(page: PageRequest): Promise<Connection<App>> {
    const p = this.actor.principal;
    const where: FilterQuery<App> = p.type === PrincipalType.API_KEY ? { id: p.appId, deletedAt: null } : { deletedAt: null };
    const [rows, total] = await Promise.all([
      this.em.find(App, page.afterId ? { $and: [where, { id: { $lt: page.afterId } }] } : where, {
        orderBy: { id: 'desc' },
        limit: page.limit + 1,
      }),
      this.em.count(App, where),
    ]);
    return toConnection(rows, page, total);
  }

  async create(input: CreateAppInput): Promise<App> {
    const app = new App();
    Object.assign(
      app,
      validateSettings({
        name: input.name,
        allowedOrigins: notNull(input.allowedOrigins, 'allowedOrigins') ?? [],
        defaultTokenLifetime: notNull(input.defaultTokenLifetime, 'defaultTokenLifetime') ?? app.defaultTokenLifetime,
        maxTokenLifetime: notNull(input.maxTokenLifetime, 'maxTokenLifetime') ?? app.maxTokenLifetime,
        publishableCanPublish: notNull(input.publishableCanPublish, 'publishableCanPublish') ?? false,
        leakedKeyPolicy: app.leakedKeyPolicy,
        tokenAlgorithm: notNull(input.tokenAlgorithm, 'tokenAlgorithm') ?? this.runtime.config.tokenAlgorithm,
        scopes: [],
        maxOperationCost: app.maxOperationCost,
        trustedDocumentsPolicy: app.trustedDocumentsPolicy,
      }),
    );
    const now = this.runtime.clock.now();
    app.createdAt = now;
    app.updatedAt = now;
    await this.em.transactional(async (tem) => {
      tem.persist(app);
      await recordAudit(tem, this.actor, { action: 'app.create', appId: app.id, mode: null, targetId: app.id, details: { name: app.name } }, now);
    });
    return app;
  }

  /**
   * App settings (origins, lifetimes, publishableCanPublish) govern live traffic too,
   * so a test-mode key may not change them: the sandbox cannot reach live behaviour.
   */
  async update(id: string, input: UpdateAppInput): Promise<App> {
    const p = this.actor.principal;
    assertAppVisible(p, id);
    if (p.type === PrincipalType.API_KEY) assertModeAllowed(p, KeyMode.LIVE);
    // Token lifetimes and publishing rules are cached by every process: announce the change.
    return keyTransaction(this.em, this.runtime, async (tem, changed) => {
      changed({ appId: id });
      const app = await this.get(id, tem);
      const before: AppSettings = { ...app, allowedOrigins: [...app.allowedOrigins], scopes: [...app.scopes] };
      const after = validateSettings({
        name: notNull(input.name, 'name') ?? app.name,
        allowedOrigins: notNull(input.allowedOrigins, 'allowedOrigins') ?? app.allowedOrigins,
        defaultTokenLifetime: notNull(input.defaultTokenLifetime, 'defaultTokenLifetime') ?? app.defaultTokenLifetime,
        maxTokenLifetime: notNull(input.maxTokenLifetime, 'maxTokenLifetime') ?? app.maxTokenLifetime,
        publishableCanPublish: notNull(input.publishableCanPublish, 'publishableCanPublish') ?? app.publishableCanPublish,
        leakedKeyPolicy: notNull(input.leakedKeyPolicy, 'leakedKeyPolicy') ?? app.leakedKeyPolicy,
        tokenAlgorithm: notNull(input.tokenAlgorithm, 'tokenAlgorithm') ?? app.tokenAlgorithm,
        scopes: notNull(input.scopes, 'scopes') ?? app.scopes,
        maxOperationCost: notNull(input.maxOperationCost, 'maxOperationCost') ?? app.maxOperationCost,
        trustedDocumentsPolicy: notNull(input.trustedDocumentsPolicy, 'trustedDocumentsPolicy') ?? app.trustedDocumentsPolicy,
      });
      const now = this.runtime.clock.now();
      Object.assign(app, after, { updatedAt: now });
      const names = (s: AppSettings) => s.scopes.map((scope) => scope.name);
      const removed = missingScopes(names(after), names(before));
      // Withdrawn from every key in this transaction; changed({ appId }) above makes every
      // process forget the app's cached keys, so no verification answers a removed scope.
      const keysChanged = await withdrawScopes(tem, app.id, removed);
      const scopes = removed.length > 0 || names(before).join() !== names(after).join()
        ? { scopes: { added: missingScopes(names(before), names(after)), removed, keysChanged } }
        : {};
      await recordAudit(
        tem,
        this.actor,
        // App settings belong to both modes, so app events carry no mode and both modes' admins see them.
        { action: 'app.update', appId: app.id, mode: null, targetId: app.id, details: { changed: changedFields(before, after), ...scopes } },
        now,
      );
      return app;
    });
  }

  /** Soft-deletes the app and revokes every key of it that still works, in one transaction. */
  async delete(id: string): Promise<boolean> {
    await keyTransaction(this.em, this.runtime, async (tem, changed) => {
      const app = await this.get(id, tem);
      const now = this.runtime.clock.now();
      app.deletedAt = now;
      app.updatedAt = now;
      const working: FilterQuery<ApiKey> = { $and: [tem.getRepository(ApiKey).workingAt(now), { appId: app.id }] };
      // Their ids, for one key.revoked event each (the update below only counts them).
      const revoking = await tem.find(ApiKey, working, { fields: ['id', 'mode'] });
      const revokedKeys = await tem.nativeUpdate(ApiKey, working, { revokedAt: now, revokedReason: 'app deleted' });
      await endGrace(tem, { appId: app.id }, now);
      changed({ appId: app.id });
      await recordAudit(tem, this.actor, { action: 'app.delete', appId: app.id, mode: null, targetId: app.id, details: { name: app.name, revokedKeys } }, now);
      for (const key of revoking) await emitEvent(tem, { type: 'key.revoked', appId: app.id, mode: key.mode, data: { key_id: key.id, reason: 'app deleted' } }, now);
    });
    return true;
  }
}
