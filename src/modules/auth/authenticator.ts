import type { EntityManager } from '@mikro-orm/core';
import { AuthReason } from '../../errors';
import { type MaybePromise, andThen } from '../../shared/maybe-promise';
import type { AuthFailureAuditor } from '../audit/auth-failure-auditor';
import type { Metrics } from '../http/metrics';
import type { RateLimits } from '../rate-limits/rate-limits';
import type { UsageRecorder } from '../usage/usage.recorder';
import { type AuthOutcome, type AuthRequest, type PipelineParts, runPipeline } from './auth-pipeline';
import { type EntityManagerSource, type KeyRef, type KeyTable, type KeyVerdict, findRecord, judgeRecord, keyRefOf } from './key-records';

/** The label of a success, built once: it is counted on every verification. */
const VALID = { outcome: 'valid' } as const;

/** The request facts a refusal is audited with. */
export interface RequestRef {
  ip: string | null;
  requestId: string;
}

/** Where the outcomes of authentication are recorded. */
export interface OutcomeSinks {
  metrics: Pick<Metrics, 'verifications'>;
  usage: Pick<UsageRecorder, 'record' | 'recordRootUse'>;
  authFailures: Pick<AuthFailureAuditor, 'record'>;
  rateLimits: Pick<RateLimits, 'recordAuthFailure'>;
}

/**
 * The one way every edge (GraphQL, REST routes, /auth/forward, console sign-in)
 * authenticates a request: the ordered pipeline (auth-pipeline.ts), with its side effects
 * (metrics, usage, the audit of a real key's failures, the client IP's failure budget)
 * emitted once around it. What an outcome answers is the edges' one table (errors.ts REFUSALS).
 */
export class Authenticator {
  constructor(
    private readonly parts: PipelineParts,
    private readonly sinks: OutcomeSinks,
  ) {}

  /** Synchronous for a cached key without a rate limit or credits: the hot path awaits nothing. */
  authenticate(em: EntityManagerSource, request: AuthRequest & RequestRef): MaybePromise<AuthOutcome> {
    return andThen(runPipeline(this.parts, em, request), (outcome) => this.emit(outcome, request));
  }

  /** A real key refused here or later (its role, its credits at mint): counted and audited (rate-limited). */
  recordRefusal(key: KeyRef, reason: AuthReason, request: RequestRef): void {
    this.sinks.usage.record(key, 'failure');
    this.sinks.authFailures.record(key, reason, request);
  }

  /**
   * A stored key's HMAC judged again, without side effects: a console session re-checks
   * the key it was opened with on every use, so the session dies with its key.
   */
  async judgeStoredKey(em: EntityManager, hash: string, table: KeyTable): Promise<KeyVerdict | { ok: false; reason: AuthReason.KEY_INVALID; key?: undefined }> {
    const record = await findRecord(em, hash, table, this.parts.cache);
    return record ? judgeRecord(record, this.parts.clock.now()) : { ok: false, reason: AuthReason.KEY_INVALID };
  }

  private emit(outcome: AuthOutcome, request: AuthRequest & RequestRef): MaybePromise<AuthOutcome> {
    const { metrics, usage, rateLimits } = this.sinks;
    if (outcome.ok) {
      metrics.verifications.inc(VALID);
      const key = keyRefOf(outcome.principal);
      if (key) usage.record(key, 'verification');
      else usage.recordRootUse(outcome.principal.id);
      return outcome;
    }
    // No credential at all is not a verification (the console's cookie requests send none).
    if (outcome.reason !== AuthReason.KEY_MISSING) metrics.verifications.inc({ outcome: outcome.reason });
    if (outcome.key) this.recordRefusal(outcome.key, outcome.reason, request);
    // Spent before answering, so a guesser's next request already meets its budget.
    if (outcome.guess) return rateLimits.recordAuthFailure(request.throttleIp).then(() => outcome);
    return outcome;
  }
}
