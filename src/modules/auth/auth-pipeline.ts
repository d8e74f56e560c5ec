import type { Config } from '../../config';
import { AuthReason, type Refusal } from '../../errors';
import type { Clock } from '../../shared/clock';
import { type MaybePromise, andThen } from '../../shared/maybe-promise';
import { type CreditLedger, spendKeyCredits } from '../credits/credit-ledger';
import { ipAllowed } from '../keys/ip-allow-list';
import { scopeRefusal } from '../keys/key-scopes';
import { KIND_CODE, MODE_CODE } from '../keys/key-enums';
import type { KeyBudget, RateLimits } from '../rate-limits/rate-limits';
import type { CredentialParse } from './credential';
import type { KeyCache, KeyRecord } from './key-cache';
import { type ParsedKey, parseKey } from './key-format';
import type { KeyHasher } from './key-hash';
import { type EntityManagerSource, type KeyRef, type KeyTable, type KeyVerdict, cachedRecord, findRecord, judgeRecord, keyRefOf } from './key-records';
import { checkOrigin } from './origin-policy';
import { type KeyPrincipal, type Principal, PrincipalType } from './principal';

/** What a request presents to be authenticated. */
export interface AuthRequest {
  /** The credential as read from the request (credential.ts), or a key already in hand. */
  credential: CredentialParse;
  origin: string | undefined;
  ip: string | null;
  /** Whose budget of failed authentications a guess spends (request.ts ClientAddress). */
  throttleIp: string | null;
  /** Credits this use spends; undefined for uses that spend nothing (management calls). */
  cost?: number;
  /** Scopes the use requires (/auth/forward?scope=): refused before it spends anything. */
  requiredScopes?: readonly string[];
}

/** What a use left of the key's budgets (for /auth/verify's answer); null where the key has none. */
export interface KeyBudgets {
  credits: { remaining: number } | null;
  rateLimit: { limit: number; remaining: number; reset: Date } | null;
}

/**
 * A refusal, plus what the side effects around the pipeline need: the real key it
 * concerns (usage, audit), and whether it is what guessing looks like (a made-up or
 * mistyped key spends the client IP's failure budget; a revoked real key does not).
 */
export type AuthRefusal = Refusal & { ok: false; key?: KeyRef; guess?: true };

/** The pipeline's one outcome: the Principal (and its budgets), or the first refusal. */
export type AuthOutcome = { ok: true; principal: Principal; budgets: KeyBudgets | null } | AuthRefusal;

/** The long-lived parts the pipeline reads. */
export interface PipelineParts {
  hasher: KeyHasher;
  clock: Clock;
  keyPrefix: string | undefined;
  /** Verified keys by HMAC: a hit needs no database and no await. */
  cache: KeyCache;
  config: Pick<Config, 'env'>;
  consoleOrigins: string[];
  rateLimits: Pick<RateLimits, 'ipThrottled' | 'consumeKey'>;
  /** Spent here; refunded by Authenticator.refund. */
  credits: Pick<CreditLedger, 'spend' | 'refund'>;
}

/**
 * Authentication as one ordered pipeline: credential → format → hash → record → state →
 * origin → IP → required scopes → rate limit → credits. Each step refuses or hands on; the first refusal is
 * the outcome, as data. No side effects here (authenticator.ts emits them once around it).
 * Synchronous for a cached key without a rate limit or credits; a promise only where a
 * step must wait.
 */
export function runPipeline(parts: PipelineParts, em: EntityManagerSource, request: AuthRequest): MaybePromise<AuthOutcome> {
  const { credential } = request;
  if (!credential.ok) return { ok: false, reason: credential.reason, hint: credential.hint };
  // Format and checksum: garbage is refused before any hashing or database work.
  const parsed = parseKey(credential.key, parts.keyPrefix);
  if (!parsed) return unlessThrottled(parts, request.throttleIp, { ok: false, reason: AuthReason.KEY_MALFORMED, guess: true });
  const hash = parts.hasher.hash(credential.key);
  const table: KeyTable = parsed.type === 'root' ? 'root' : 'api';
  const cached = cachedRecord(hash, table, parts.cache);
  if (cached) return afterRecord(parts, request, parsed, cached);
  return andThen(lookUp(parts, em, request.throttleIp, hash, table), (found) => ('ok' in found ? found : afterRecord(parts, request, parsed, found)));
}

/**
 * The record of a key the cache does not hold. A hash this process has never seen valid
 * waits for the client's failure budget first, so a guesser is refused before any query
 * while keys already verified here keep working from the same address.
 */
async function lookUp(parts: PipelineParts, em: EntityManagerSource, ip: string | null, hash: string, table: KeyTable): Promise<KeyRecord | AuthRefusal> {
  const throttled = parts.cache.knows(hash) ? null : await throttledRefusal(parts, ip);
  if (throttled) return throttled;
  // A hash known here not to exist costs no query either.
  return (await findRecord(em, hash, table, parts.cache)) ?? { ok: false, reason: AuthReason.KEY_INVALID, guess: true };
}

/** A key already known by its HMAC (what a console session stores), and the request using it. */
export interface StoredKeyUse {
  hash: string;
  table: KeyTable;
  ip: string | null;
}

/**
 * The pipeline from the record step on, for a key known by its stored HMAC: a console
 * session is its key, so each of its requests meets the key's state and the key's own
 * controls (IP allow-list, rate limit) as resolved for that request. No origin step (the
 * caller checked the console's own origin; the key has no list of its own to meet) and
 * no cost: management spends no credits.
 */
export async function runStoredKeyPipeline(parts: PipelineParts, em: EntityManagerSource, use: StoredKeyUse): Promise<AuthOutcome> {
  const record = await findRecord(em, use.hash, use.table, parts.cache);
  if (!record) return { ok: false, reason: AuthReason.KEY_INVALID };
  return keyControls(parts, { ip: use.ip }, judgeRecord(record, parts.clock.now()));
}

/** State now, then origin, then the key's own controls. */
function afterRecord(parts: PipelineParts, request: AuthRequest, parsed: ParsedKey, record: KeyRecord): MaybePromise<AuthOutcome> {
  // The prefix is part of the hashed value, so a match implies kind and mode agree;
  // checking again costs nothing and guards against a corrupted row.
  if (record.type === 'api' && (parsed.type === 'root' || KIND_CODE[record.kind] !== parsed.kind || MODE_CODE[record.mode] !== parsed.mode)) {
    return { ok: false, reason: AuthReason.KEY_INVALID, guess: true };
  }
  const verdict = judgeRecord(record, parts.clock.now());
  if (verdict.ok) {
    const origin = checkOrigin(verdict.principal, request.origin, parts.config, parts.consoleOrigins);
    if (!origin.ok) return { ok: false, reason: origin.reason, key: keyRefOf(verdict.principal) ?? undefined };
  }
  return keyControls(parts, request, verdict);
}

/**
 * The state's refusal, or the per-key controls of a working key, cheapest first and the
 * one that writes last: IP allow-list, rate limit, credits. A refused use spends no
 * credits; a key without a rate limit and credits (and a root key) costs nothing here.
 */
function keyControls(parts: PipelineParts, request: Pick<AuthRequest, 'ip' | 'cost' | 'requiredScopes'>, verdict: KeyVerdict): MaybePromise<AuthOutcome> {
  if (!verdict.ok) return { ok: false, reason: verdict.reason, key: verdict.key };
  const { principal } = verdict;
  const lacking = request.requiredScopes ? scopeRefusal(principal, request.requiredScopes) : null;
  if (principal.type === PrincipalType.ROOT) return lacking ? { ok: false, ...lacking } : { ok: true, principal, budgets: null };
  if (principal.ipAllowList !== null && !ipAllowed(principal.ipAllowList, request.ip)) {
    return { ok: false, reason: AuthReason.IP_NOT_ALLOWED, key: keyRefOf(principal) };
  }
  if (lacking) return { ok: false, ...lacking, key: keyRefOf(principal) };
  if (principal.rateLimit === null && (principal.credits === null || request.cost === undefined)) return { ok: true, principal, budgets: null };
  return meteredUse(parts, request.cost, principal);
}

/** Rate limit, then credits. Without a rate limit, a use its process's lease covers awaits nothing. */
function meteredUse(parts: PipelineParts, cost: number | undefined, principal: KeyPrincipal): MaybePromise<AuthOutcome> {
  if (principal.rateLimit === null) return spendCredits(parts, cost, principal, null);
  return parts.rateLimits.consumeKey(principal.id, principal.rateLimit).then((budget) => {
    if (budget && budget.retryAfterSeconds !== null) return { ...rateLimited(budget.retryAfterSeconds), key: keyRefOf(principal) };
    return spendCredits(parts, cost, principal, budget);
  });
}

function spendCredits(parts: PipelineParts, cost: number | undefined, principal: KeyPrincipal, budget: KeyBudget | null): MaybePromise<AuthOutcome> {
  const spent = cost === undefined ? null : spendKeyCredits(parts.credits, principal, cost, parts.clock.now());
  return andThen(spent, (spend): AuthOutcome => {
    if (spend && !spend.ok) return { ok: false, reason: AuthReason.USAGE_EXCEEDED, key: keyRefOf(principal) };
    return {
      ok: true,
      principal,
      budgets: {
        credits: spend ? { remaining: spend.remaining } : null,
        rateLimit: budget ? { limit: budget.limit, remaining: budget.remaining, reset: budget.resetAt } : null,
      },
    };
  });
}

function rateLimited(retryAfterSeconds: number): AuthRefusal {
  return { ok: false, reason: AuthReason.RATE_LIMITED, retryAfterSeconds };
}

/** RATE_LIMITED when the client IP has spent its budget of failed authentications, else null. */
async function throttledRefusal(parts: PipelineParts, ip: string | null): Promise<AuthRefusal | null> {
  const wait = await parts.rateLimits.ipThrottled(ip);
  return wait === null ? null : rateLimited(wait);
}

/** The refusal, unless the client is over its failure budget: then 429 (nothing more is looked at). */
async function unlessThrottled(parts: PipelineParts, ip: string | null, refusal: AuthRefusal): Promise<AuthRefusal> {
  return (await throttledRefusal(parts, ip)) ?? refusal;
}
