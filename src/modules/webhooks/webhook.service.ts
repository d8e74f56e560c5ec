import { randomBytes } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/core';
import type { Actor, Runtime } from '../../context';
import { lockName } from '../../database/transaction-lock';
import { ConflictError, LimitReachedError, NotFoundError } from '../../errors';
import { type Connection, type PageRequest, toConnection } from '../../shared/pagination';
import { notNull } from '../../shared/validation';
import { App } from '../apps/app.entity';
import { recordAudit } from '../audit/audit.service';
import { PrincipalType } from '../auth/principal';
import { assertAppVisible, assertModeAllowed, visibleTo, modeFilter } from '../auth/tenancy';
import { KeyMode } from '../keys/key-enums';
import { seal } from '../sessions/key-encryption';
import { deliveriesDue, writeEvent } from './emit-event';
import { checkEndpointUrl, checkEventTypes } from './endpoint-url';
import { DeliveryStatus, WebhookDelivery } from './webhook-delivery.entity';
import { WebhookEndpoint } from './webhook-endpoint.entity';
import type { CreateWebhookEndpointInput, UpdateWebhookEndpointInput } from './webhook.inputs';

const SECRET_BYTES = 24;

/** Endpoints and their deliveries, for ADMIN keys (own app and mode) and root. */
export class WebhookService {
  constructor(
    private readonly em: EntityManager,
    private readonly actor: Actor,
    private readonly runtime: Runtime,
  ) {}

  async get(id: string, em: EntityManager = this.em): Promise<WebhookEndpoint> {
    const endpoint = await em.findOne(WebhookEndpoint, { id });
    if (!endpoint || !visibleTo(this.actor.principal, endpoint.appId, endpoint.mode)) throw new NotFoundError('Webhook endpoint');
    return endpoint;
  }

  /** An app's endpoints, newest first, one page at a time: every one of them can be reached. */
  async list(appId: string, mode: KeyMode | null | undefined, page: PageRequest): Promise<Connection<WebhookEndpoint>> {
    assertAppVisible(this.actor.principal, appId);
    const scoped = modeFilter(this.actor.principal, mode);
    if (scoped === 'none') return toConnection([], page, 0);
    const where = scoped ? { appId, mode: scoped } : { appId };
    const [rows, total] = await Promise.all([
      this.em.find(WebhookEndpoint, page.afterId ? { ...where, id: { $lt: page.afterId } } : where, { orderBy: { id: 'desc' }, limit: page.limit + 1 }),
      this.em.count(WebhookEndpoint, where),
    ]);
    return toConnection(rows, page, total);
  }

  async create(input: CreateWebhookEndpointInput): Promise<{ endpoint: WebhookEndpoint; secret: string }> {
    const p = this.actor.principal;
    const mode = input.mode ?? (p.type === PrincipalType.API_KEY ? p.mode : KeyMode.LIVE);
    assertAppVisible(p, input.appId);
    assertModeAllowed(p, mode);
    const url = await checkEndpointUrl(input.url, this.runtime.webhooks.policy);
    const events = checkEventTypes(input.events ?? []);
    const secret = `whsec_${randomBytes(SECRET_BYTES).toString('base64')}`;
    const now = this.runtime.clock.now();
    return this.em.transactional(async (tem) => {
      // Concurrent creates for one app and mode take turns, so each counts the others' rows.
      await lockName(tem, `webhook_endpoints:${input.appId}:${mode}`);
      const app = await tem.findOne(App, { id: input.appId, deletedAt: null });
      if (!app) throw new NotFoundError('App');
      await this.assertRoomFor(tem, app.id, mode);
      const endpoint = Object.assign(new WebhookEndpoint(), { appId: app.id, mode, url, events, createdAt: now, updatedAt: now });
      endpoint.secretSealed = seal(Buffer.from(secret, 'utf8'), this.runtime.webhooks.secretKey, endpoint.id);
      tem.persist(endpoint);
      await recordAudit(tem, this.actor, { action: 'webhook.create', appId: app.id, mode, targetId: endpoint.id, details: { host: new URL(url).host, events } }, now);
      return { endpoint, secret };
    });
  }

  /**
   * One more only below the cap. Lowering the cap keeps the endpoints already there (listed
   * and sent to); it admits no new one until enough are deleted.
   */
  private async assertRoomFor(tem: EntityManager, appId: string, mode: KeyMode): Promise<void> {
    const max = this.runtime.config.webhooks.maxEndpoints;
    if ((await tem.count(WebhookEndpoint, { appId, mode })) < max) return;
    throw new LimitReachedError(`The app already has the most ${mode === KeyMode.TEST ? 'test' : 'live'}-mode webhook endpoints allowed (${max}): delete one first`, 'endpoints');
  }

  async update(id: string, input: UpdateWebhookEndpointInput): Promise<WebhookEndpoint> {
    const url = notNull(input.url, 'url');
    const checkedUrl = url === undefined ? undefined : await checkEndpointUrl(url, this.runtime.webhooks.policy);
    const events = notNull(input.events, 'events');
    const enabled = notNull(input.enabled, 'enabled');
    return this.em.transactional(async (tem) => {
      const endpoint = await this.get(id, tem);
      const now = this.runtime.clock.now();
      const changed: string[] = [];
      if (checkedUrl !== undefined) changed.push('url');
      if (events !== undefined) changed.push('events');
      if (enabled !== undefined) changed.push('enabled');
      Object.assign(endpoint, {
        url: checkedUrl ?? endpoint.url,
        events: events === undefined ? endpoint.events : checkEventTypes(events),
        enabled: enabled ?? endpoint.enabled,
        updatedAt: now,
      });
      await recordAudit(tem, this.actor, { action: 'webhook.update', appId: endpoint.appId, mode: endpoint.mode, targetId: endpoint.id, details: { changed } }, now);
      return endpoint;
    });
  }

  async delete(id: string): Promise<boolean> {
    await this.em.transactional(async (tem) => {
      const endpoint = await this.get(id, tem);
      await tem.nativeDelete(WebhookDelivery, { endpointId: endpoint.id });
      tem.remove(endpoint);
      await recordAudit(tem, this.actor, { action: 'webhook.delete', appId: endpoint.appId, mode: endpoint.mode, targetId: endpoint.id }, this.runtime.clock.now());
    });
    return true;
  }

  /** A `webhook.test` event to this endpoint alone (whatever it subscribes to). */
  async sendTest(id: string): Promise<WebhookDelivery> {
    return this.em.transactional(async (tem) => {
      const endpoint = await this.get(id, tem);
      const now = this.runtime.clock.now();
      const { deliveries } = await writeEvent(tem, { type: 'webhook.test', appId: endpoint.appId, mode: endpoint.mode, data: { endpoint_id: endpoint.id } }, [endpoint], now);
      await recordAudit(tem, this.actor, { action: 'webhook.test', appId: endpoint.appId, mode: endpoint.mode, targetId: endpoint.id, details: { deliveryId: deliveries[0].id } }, now);
      return deliveries[0];
    });
  }

  /** Makes a finished delivery due again now (one more attempt; failing it, it is FAILED again). */
  async retry(deliveryId: string): Promise<WebhookDelivery> {
    return this.em.transactional(async (tem) => {
      const delivery = await tem.findOne(WebhookDelivery, { id: deliveryId });
      if (!delivery) throw new NotFoundError('Webhook delivery');
      const endpoint = await this.get(delivery.endpointId, tem).catch(() => {
        throw new NotFoundError('Webhook delivery');
      });
      const now = this.runtime.clock.now();
      const reopened = await tem.nativeUpdate(
        WebhookDelivery,
        { id: delivery.id, status: { $ne: DeliveryStatus.PENDING } },
        { status: DeliveryStatus.PENDING, nextAttemptAt: now, lockedBy: null, lockedUntil: null },
      );
      if (reopened !== 1) throw new ConflictError('The delivery is still pending');
      await deliveriesDue(tem);
      await recordAudit(tem, this.actor, { action: 'webhook.retry', appId: endpoint.appId, mode: endpoint.mode, targetId: delivery.id, details: { endpointId: endpoint.id } }, now);
      return Object.assign(delivery, { status: DeliveryStatus.PENDING, nextAttemptAt: now });
    });
  }

  async deliveries(endpoint: WebhookEndpoint, status: DeliveryStatus | null | undefined, page: PageRequest): Promise<Connection<WebhookDelivery>> {
    const where = status ? { endpointId: endpoint.id, status } : { endpointId: endpoint.id };
    const [rows, total] = await Promise.all([
      this.em.find(WebhookDelivery, page.afterId ? { ...where, id: { $lt: page.afterId } } : where, { orderBy: { id: 'desc' }, limit: page.limit + 1 }),
      this.em.count(WebhookDelivery, where),
    ]);
    return toConnection(rows, page, total);
  }
}
