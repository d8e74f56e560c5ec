import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { LockMode, type FilterQuery } from '@mikro-orm/core';
import type { Logger } from 'pino';
import type { Config } from '../../config';
import type { Orm } from '../../database/orm';
import { errorForLog } from '../../logger';
import type { Clock } from '../../shared/clock';
import { open } from '../sessions/key-encryption';
import { AddressPolicy, type HostResolver } from './address-policy';
import { OutboxListener } from './outbox-listener';
import { OutboxCommitSubscriber } from './outbox-signal';
import { scanTimedEvents } from './timed-events';
import { DeliveryStatus, WebhookDelivery } from './webhook-delivery.entity';
import { WebhookEndpoint } from './webhook-endpoint.entity';
import { WebhookEvent } from './webhook-event.entity';
import { type AttemptResult, DELIVERY_TIMEOUT_MS, sendWebhook } from './webhook-sender';

/** Attempts in flight per process. */
const CONCURRENCY = 16;
/**
 * A claim outlives the slowest attempt by a margin; past it, another process may try. The
 * margin (20 s) is also how far the processes' clocks may disagree.
 */
const LEASE_MS = DELIVERY_TIMEOUT_MS + 20_000;
/** On shutdown, attempts still running after this are stopped and handed back. */
const SHUTDOWN_GRACE_MS = 5_000;

export interface DispatcherDeps {
  config: Config;
  orm: Orm;
  clock: Clock;
  logger: Logger;
  /** Seals and opens endpoint secrets (derived from the master key). */
  secretKey: Buffer;
  resolver?: HostResolver;
}

/**
 * Sends the outbox's deliveries, off the request path. Wakes on commits (in process, and
 * by NOTIFY from other processes on PostgreSQL) and polls as a backstop. Each attempt is
 * claimed by exactly one process: PostgreSQL rows are claimed with FOR UPDATE SKIP
 * LOCKED, and every claim is a conditional update that sets a lease, so a second
 * claimer (or a stale one) changes nothing.
 */
export class WebhookDispatcher {
  readonly policy: AddressPolicy;
  /** Seals and opens endpoint secrets. */
  readonly secretKey: Buffer;
  private readonly owner = `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
  private readonly inFlight = new Set<Promise<void>>();
  private readonly stopping = new AbortController();
  private listener: OutboxListener | undefined;
  private timers: NodeJS.Timeout[] = [];
  private running: Promise<void> | undefined;
  private again = false;
  private closing = false;

  constructor(private readonly deps: DispatcherDeps) {
    this.policy = new AddressPolicy(deps.config.webhooks.allowPrivate, deps.resolver);
    this.secretKey = deps.secretKey;
  }

  async start(): Promise<void> {
    const { orm, config } = this.deps;
    orm.em.getEventManager().registerSubscriber(new OutboxCommitSubscriber(() => this.wake()));
    if (config.database.dialect === 'postgresql') {
      this.listener = new OutboxListener(config.database.url, () => this.wake(), this.deps.logger);
      await this.listener.start();
    }
    this.timers.push(setInterval(() => this.wake(), config.webhooks.pollMs), setInterval(() => void this.scan(), config.webhooks.scanMs));
    for (const t of this.timers) t.unref();
    this.wake();
  }

  /** Writes due timed events to the outbox (also run on a timer). */
  async scan(): Promise<number> {
    if (this.closing) return 0;
    return scanTimedEvents(this.deps.orm.em.fork(), this.deps.clock.now()).catch((error) => {
      this.deps.logger.warn({ err: errorForLog(error) }, 'timed webhook events could not be scanned');
      return 0;
    });
  }

  /** Looks for due deliveries now; calls while a look is running make it look once more. */
  wake(): void {
    if (this.closing) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.claimAndSend()
      .catch((error) => this.deps.logger.warn({ err: errorForLog(error) }, 'webhook deliveries could not be claimed'))
      .finally(() => {
        this.running = undefined;
        if (this.again) {
          this.again = false;
          this.wake();
        }
      });
  }

  private async claimAndSend(): Promise<void> {
    const free = CONCURRENCY - this.inFlight.size;
    if (free <= 0) return;
    for (const delivery of await this.claim(free)) {
      const attempt = this.attempt(delivery).catch((error) => this.deps.logger.error({ deliveryId: delivery.id, err: errorForLog(error) }, 'webhook attempt failed'));
      this.inFlight.add(attempt);
      void attempt.finally(() => {
        this.inFlight.delete(attempt);
        this.wake();
      });
    }
  }

  private async claim(limit: number): Promise<WebhookDelivery[]> {
    const postgres = this.deps.config.database.dialect === 'postgresql';
    return this.deps.orm.em.fork().transactional(async (tem) => {
      const now = this.deps.clock.now();
      const due: FilterQuery<WebhookDelivery> = {
        status: DeliveryStatus.PENDING,
        nextAttemptAt: { $lte: now },
        $or: [{ lockedUntil: null }, { lockedUntil: { $lt: now } }],
      };
      const rows = await tem.find(WebhookDelivery, due, {
        orderBy: { nextAttemptAt: 'asc' },
        limit,
        // Rows another process is claiming right now are skipped, not waited for.
        ...(postgres ? { lockMode: LockMode.PESSIMISTIC_PARTIAL_WRITE } : {}),
      });
      if (rows.length === 0) return [];
      const lockedUntil = new Date(now.getTime() + LEASE_MS);
      const ids = rows.map((r) => r.id);
      const claimed = await tem.nativeUpdate(WebhookDelivery, { $and: [{ id: { $in: ids } }, due] }, { lockedBy: this.owner, lockedUntil });
      if (claimed === rows.length) return rows;
      return tem.find(WebhookDelivery, { id: { $in: ids }, lockedBy: this.owner, lockedUntil }, { refresh: true });
    });
  }

  private async attempt(delivery: WebhookDelivery): Promise<void> {
    const em = this.deps.orm.em.fork();
    const [endpoint, event] = await Promise.all([
      em.findOne(WebhookEndpoint, { id: delivery.endpointId }, { populate: ['secretSealed'] }),
      em.findOne(WebhookEvent, { id: delivery.eventId }),
    ]);
    if (!endpoint || !event || !endpoint.enabled) {
      // Its endpoint was disabled (or removed) after the event: nothing to send; a retry can resend it.
      await this.finish(delivery, { status: null, error: 'endpoint disabled' }, true);
      return;
    }
    const secret = open(endpoint.secretSealed, this.deps.secretKey, endpoint.id).toString('utf8');
    const result = await sendWebhook({ url: endpoint.url, secret, messageId: event.id, body: event.body }, this.policy, this.stopping.signal);
    if (this.stopping.signal.aborted && result.status === null) {
      // Stopped mid-attempt by shutdown: hand it back, uncounted, for another process or the next start.
      await em.nativeUpdate(WebhookDelivery, { id: delivery.id, lockedBy: this.owner }, { lockedBy: null, lockedUntil: null });
      return;
    }
    await this.finish(delivery, result, false);
  }

  /** Records an attempt's outcome, only if this process still holds the claim. */
  private async finish(delivery: WebhookDelivery, result: AttemptResult, final: boolean): Promise<void> {
    const now = this.deps.clock.now();
    const schedule = this.deps.config.webhooks.retrySchedule;
    const attempts = delivery.attempts + (final ? 0 : 1);
    const ok = result.status !== null && result.status >= 200 && result.status < 300;
    const retryAt = !ok && !final && attempts < schedule.length ? new Date(now.getTime() + schedule[attempts] * 1000) : null;
    const status = ok ? DeliveryStatus.SUCCEEDED : retryAt ? DeliveryStatus.PENDING : DeliveryStatus.FAILED;
    await this.deps.orm.em.fork().nativeUpdate(
      WebhookDelivery,
      { id: delivery.id, lockedBy: this.owner },
      { attempts, status, lastAttemptAt: final ? delivery.lastAttemptAt : now, nextAttemptAt: retryAt, responseStatus: final ? delivery.responseStatus : result.status, lockedBy: null, lockedUntil: null },
    );
    // Endpoint ids only: a URL may carry the receiver's own credentials in its query.
    this.deps.logger.debug({ deliveryId: delivery.id, endpointId: delivery.endpointId, attempt: attempts, responseStatus: result.status, error: result.error, status }, 'webhook attempt');
  }

  /** Stops claiming; lets attempts in flight finish for a few seconds, then stops and hands back the rest. */
  async close(): Promise<void> {
    this.closing = true;
    for (const t of this.timers) clearInterval(t);
    await this.listener?.close();
    await this.running;
    const settled = Promise.allSettled([...this.inFlight]);
    const grace = new Promise<void>((resolve) => setTimeout(resolve, SHUTDOWN_GRACE_MS).unref());
    await Promise.race([settled, grace]);
    this.stopping.abort();
    await Promise.allSettled([...this.inFlight]);
  }
}
