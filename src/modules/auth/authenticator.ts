import type { EntityManager } from '@mikro-orm/core';
import { AuthReason } from '../../errors';
import { type MaybePromise, andThen } from '../../shared/maybe-promise';
import type { AuthFailureAuditor } from '../audit/auth-failure-auditor';
import type { Metrics } from '../../shared/metrics';
import type { RateLimits } from '../rate-limits/rate-limits';
import type { UsageRecorder } from '../usage/usage.recorder';
import { type AuthOutcome, type AuthRequest, type PipelineParts, type StoredKeyUse, runPipeline, runStoredKeyPipeline } from './auth-pipeline';
import { type EntityManagerSource, type KeyRef, keyRefOf } from './key-records';
import { type Charge, type Spend, spendKeyCredits } from '../credits/credit-ledger';
import { type Principal, PrincipalType } from './principal';

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

  /**
   * Spends `cost` credits of an authenticated principal's key (a use priced after
   * authentication: a session mint, a gateway operation); a refusal is recorded as the
   * key's USAGE_EXCEEDED. Null when nothing is metered (no key, or a key without credits).
   */
  meter(principal: Principal, cost: number, request: RequestRef): MaybePromise<Spend | null> {
    if (principal.type !== PrincipalType.API_KEY) return null;
    return andThen(spendKeyCredits(this.parts.credits, principal, cost, this.parts.clock.now()), (spend) => {
      if (spend && !spend.ok) this.recordRefusal(keyRefOf(principal), AuthReason.USAGE_EXCEEDED, request);
      return spend;
    });
  }

  /**
   * Gives back the credits a metered use spent, for a use that provably never happened
   * (CreditLedger.refund): true when they are back in the balance, false when the balance
   * was set or refilled since (the old balance's credits are gone with it).
   */
  refund(charge: Charge): Promise<boolean> {
    return this.parts.credits.refund(charge);
  }

  /** A real key refused here or later (its role, its credits at mint): counted and audited (rate-limited). */
  recordRefusal(key: KeyRef, reason: AuthReason, request: RequestRef): void {
    this.sinks.usage.record(key, 'failure');
    this.sinks.authFailures.record(key, reason, request);
  }

  /**
   * A console session's request, as its key: the key's state and own controls, for this
   * request's address (runStoredKeyPipeline). Not a use of the key for its usage and
   * "last used" (the console is management: counting it would make a rotation's "old key
   * still in use" panel report the operator); a refusal of the real key is audited.
   */
  async authenticateStored(em: EntityManager, use: StoredKeyUse & RequestRef): Promise<AuthOutcome> {
    const outcome = await runStoredKeyPipeline(this.parts, em, use);
    if (!outcome.ok && outcome.key) this.sinks.authFailures.record(outcome.key, outcome.reason, use);
    return outcome;
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
