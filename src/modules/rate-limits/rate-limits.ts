import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { type RateLimiterAbstract, RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import type { Config } from '../../config';
import type { RateLimit } from './rate-limit.types';

/** Seconds a client must wait, or null when it may go on. */
export type Throttle = number | null;

/** A key's budget after one request: what is left and when the window resets; `retryAfterSeconds` once spent. */
export interface KeyBudget {
  limit: number;
  remaining: number;
  resetAt: Date;
  retryAfterSeconds: Throttle;
}

/**
 * The two request budgets of the contract:
 * - failed authentications per client IP (guessing keys from one address gets 429);
 * - a key's own `rateLimit`, counted per key.
 * Counters live in this process's memory, or in Redis when REDIS_URL is set so that
 * every process draws from the same budget. If Redis is unreachable, each process
 * falls back to its own memory counters (insurance) rather than failing requests.
 */
export class RateLimits {
  private readonly redis: Redis | undefined;
  private readonly ipFailures: RateLimiterAbstract | undefined;
  private readonly perKey = new Map<string, RateLimiterAbstract>();

  constructor(
    private readonly config: Pick<Config, 'redisUrl' | 'authFailuresPerIp'>,
    private readonly logger: Logger,
  ) {
    if (config.redisUrl) {
      // No offline queue: while Redis is down, calls fail fast and the insurance limiter answers.
      this.redis = new Redis(config.redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 1, lazyConnect: false });
      this.redis.on('error', (error: Error) => this.logger.warn({ err: { message: error.message } }, 'rate-limit store (Redis) unavailable; counting per process'));
    }
    const { limit, windowSeconds } = config.authFailuresPerIp;
    if (limit > 0) this.ipFailures = this.limiter('keygate:authfail:ip', limit, windowSeconds);
  }

  /** Before authenticating: is this IP over its failure budget? */
  async ipThrottled(ip: string | null): Promise<Throttle> {
    if (!this.ipFailures) return null;
    const state = await this.ipFailures.get(ip ?? 'unknown').catch(() => null);
    if (!state || state.consumedPoints < this.config.authFailuresPerIp.limit) return null;
    return retryAfter(state);
  }

  /** After a 401: spend one of the IP's failures. */
  async recordAuthFailure(ip: string | null): Promise<void> {
    await this.ipFailures?.consume(ip ?? 'unknown').catch(() => undefined);
  }

  /** An authenticated request of a key with a rate limit: spend one; throttled once over. Null for keys without a limit. */
  async consumeKey(keyId: string, rateLimit: RateLimit | null): Promise<KeyBudget | null> {
    if (!rateLimit) return null;
    const id = `${rateLimit.limit}/${rateLimit.windowSeconds}`;
    let limiter = this.perKey.get(id);
    if (!limiter) {
      limiter = this.limiter(`keygate:key:${id}`, rateLimit.limit, rateLimit.windowSeconds);
      this.perKey.set(id, limiter);
    }
    const budget = (state: RateLimiterRes, retryAfterSeconds: Throttle): KeyBudget => ({
      limit: rateLimit.limit,
      remaining: state.remainingPoints,
      resetAt: new Date(Date.now() + state.msBeforeNext),
      retryAfterSeconds,
    });
    try {
      return budget(await limiter.consume(keyId), null);
    } catch (outcome) {
      if (outcome instanceof RateLimiterRes) return budget(outcome, retryAfter(outcome));
      // The store failed and so did the insurance: let the request through rather than fail it.
      this.logger.warn({ err: { message: (outcome as Error)?.message } }, 'rate limit check failed; request allowed');
      return { limit: rateLimit.limit, remaining: rateLimit.limit, resetAt: new Date(Date.now() + rateLimit.windowSeconds * 1000), retryAfterSeconds: null };
    }
  }

  async close(): Promise<void> {
    if (this.redis) await this.redis.quit().catch(() => this.redis?.disconnect());
  }

  private limiter(keyPrefix: string, points: number, duration: number): RateLimiterAbstract {
    const memory = new RateLimiterMemory({ keyPrefix, points, duration });
    return this.redis ? new RateLimiterRedis({ storeClient: this.redis, keyPrefix, points, duration, insuranceLimiter: memory }) : memory;
  }
}

function retryAfter(state: RateLimiterRes): number {
  return Math.max(1, Math.ceil(state.msBeforeNext / 1000));
}
