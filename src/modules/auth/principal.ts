import type { BlockList } from 'node:net';
import { registerEnumType } from 'type-graphql';
import type { CreditAccount } from '../credits/credit-ledger';
import { KeyKind, type KeyMode, type KeyRole } from '../keys/key-enums';
import type { RateLimit } from '../rate-limits/rate-limit.types';

export enum PrincipalType {
  ROOT = 'ROOT',
  API_KEY = 'API_KEY',
  /** Audit actors only: Keygate itself, acting on a report it received (never a credential). */
  SYSTEM = 'SYSTEM',
}
registerEnumType(PrincipalType, {
  name: 'PrincipalType',
  valuesConfig: { SYSTEM: { description: 'Keygate acting on its own or on a verified report (audit events only; actorId names the source, e.g. github-secret-scanning).' } },
});

/** Who is calling: the result of authenticating a request's credential. */
export type Principal =
  | { type: PrincipalType.ROOT; id: string }
  | {
      type: PrincipalType.API_KEY;
      id: string;
      appId: string;
      kind: KeyKind;
      mode: KeyMode;
      /** null for publishable keys */
      role: KeyRole | null;
      expiresAt: Date | null;
      allowedOrigins: string[];
      /** The key's own request budget (enforced by RateLimits), if any. */
      rateLimit: RateLimit | null;
      ownerId: string | null;
      /** Custom scopes granted to the key (sorted); key-scopes.ts adds the built-in ones. */
      scopes: readonly string[];
      meta: Record<string, unknown> | null;
      /** Matcher of the key's allowedIps; null = any client address. */
      ipAllowList: BlockList | null;
      /** The balance each use spends from; null = unlimited (no database write per use). */
      credits: CreditAccount | null;
    };

export type KeyPrincipal = Extract<Principal, { type: PrincipalType.API_KEY }>;

export function isRoot(p: Principal | null): p is Extract<Principal, { type: PrincipalType.ROOT }> {
  return p?.type === PrincipalType.ROOT;
}

export function isSecretKey(p: Principal | null): p is KeyPrincipal {
  return p?.type === PrincipalType.API_KEY && p.kind === KeyKind.SECRET;
}
