import type { Runtime } from '../../context';
import { AuthReason } from '../../errors';
import type { CreditLedger, Spend } from '../credits/credit-ledger';
import { ipAllowed } from '../keys/ip-allow-list';
import type { KeyPrincipal } from './principal';

/** What a use left of the key's budgets (for /auth/verify's answer); null where the key has none. */
export interface KeyBudgets {
  credits: { remaining: number } | null;
  rateLimit: { limit: number; remaining: number; reset: Date } | null;
}

export type ControlRefusal =
  | { ok: false; reason: AuthReason.IP_NOT_ALLOWED; status: 403 }
  | { ok: false; reason: AuthReason.RATE_LIMITED; status: 429; retryAfterSeconds: number }
  | { ok: false; reason: AuthReason.USAGE_EXCEEDED; status: 429 };

export interface MeteredRequest {
  ip: string | null;
  /** Credits this use spends; undefined for uses that spend nothing (management calls). */
  cost?: number;
}

/** The key's IP allow-list against the client address (as resolved through KEYGATE_TRUST_PROXY). */
export function checkClientIp(principal: KeyPrincipal, ip: string | null): boolean {
  return principal.ipAllowList === null || ipAllowed(principal.ipAllowList, ip);
}

/** Spends from the key's balance; null for keys without credits (no database work at all). */
export async function spendCredits(ledger: CreditLedger, principal: KeyPrincipal, cost: number, now: Date): Promise<Spend | null> {
  return principal.credits ? ledger.spend(principal.credits, cost, now, { keyId: principal.id, mode: principal.mode }) : null;
}

/**
 * The per-key controls after the key and its origin checked out, cheapest first and the
 * one that writes last: IP allow-list, rate limit, credits. A refused request spends no
 * credits, and a key without rate limit and credits costs nothing here.
 */
export async function applyKeyControls(principal: KeyPrincipal, request: MeteredRequest, runtime: Runtime): Promise<{ ok: true; budgets: KeyBudgets } | ControlRefusal> {
  if (!checkClientIp(principal, request.ip)) return { ok: false, reason: AuthReason.IP_NOT_ALLOWED, status: 403 };
  const budget = await runtime.rateLimits.consumeKey(principal.id, principal.rateLimit);
  if (budget && budget.retryAfterSeconds !== null) return { ok: false, reason: AuthReason.RATE_LIMITED, status: 429, retryAfterSeconds: budget.retryAfterSeconds };
  const spent = request.cost === undefined ? null : await spendCredits(runtime.credits, principal, request.cost, runtime.clock.now());
  if (spent && !spent.ok) return { ok: false, reason: AuthReason.USAGE_EXCEEDED, status: 429 };
  return {
    ok: true,
    budgets: {
      credits: spent ? { remaining: spent.remaining } : null,
      rateLimit: budget ? { limit: budget.limit, remaining: budget.remaining, reset: budget.resetAt } : null,
    },
  };
}
