import type { EntityManager } from '@mikro-orm/core';
import type { Logger } from 'pino';
import type { Config } from './config';
import type { Orm } from './database/orm';
import { AuthenticationError, AuthReason } from './errors';
import type { Clock } from './shared/clock';
import type { Authenticator } from './modules/auth/authenticator';
import type { KeyCache } from './modules/auth/key-cache';
import type { KeyChangeBus } from './modules/auth/key-change-bus';
import type { KeyHasher } from './modules/auth/key-hash';
import type { AppSettingsCache } from './modules/apps/app-settings.cache';
import type { RateLimits } from './modules/rate-limits/rate-limits';
import type { Principal } from './modules/auth/principal';
import type { Metrics } from './shared/metrics';
import type { UsageRecorder } from './modules/usage/usage.recorder';
import type { ProxyTrust } from './modules/http/request';
import type { SigningKeyStore } from './modules/sessions/signing-key.store';
import type { CreditLedger } from './modules/credits/credit-ledger';
import type { WebhookDispatcher } from './modules/webhooks/webhook-dispatcher';
import type { ScannerKeys } from './modules/secret-scanning/scanner-keys';
import type { Gateway } from './modules/gateway/gateway';

/** Long-lived parts of a running server, built once by app.ts. */
export interface Runtime {
  config: Config;
  orm: Orm;
  /** What GraphQL queries read through: a pool of their own on PostgreSQL (config.pools). */
  queryOrm: Orm;
  hasher: KeyHasher;
  clock: Clock;
  logger: Logger;
  /** Who sent a request, as KEYGATE_TRUST_PROXY lets the proxies in front be believed. */
  proxies: ProxyTrust;
  /** Origins allowed to use secret and root keys (see origin-policy.ts). */
  consoleOrigins: string[];
  signingKeys: SigningKeyStore;
  metrics: Metrics;
  usage: UsageRecorder;
  /** Verified keys by HMAC (the hot path), kept fresh by keyChanges. */
  keyCache: KeyCache;
  /** Every edge's authentication: the pipeline with its side effects around it. */
  authenticator: Authenticator;
  keyChanges: KeyChangeBus;
  rateLimits: RateLimits;
  appSettings: AppSettingsCache;
  /** Spends key credits (exact; batches a hot key's concurrent uses). */
  credits: CreditLedger;
  /** Sends the webhook outbox; also holds the endpoint address policy and secret key. */
  webhooks: WebhookDispatcher;
  /** Code hosts' keys for POST /secret-scanning/github; null when not configured. */
  secretScanning: ScannerKeys | null;
  /** The gateway at /gateway/graphql when KEYGATE_GATEWAY_UPSTREAM is set (the management API reports its state). */
  gateway: Gateway | null;
  /** `iss` of session tokens: KEYGATE_PUBLIC_URL, or the server's own origin once listening. */
  issuer: string;
}

/** Who acts in a service call: the principal plus what the audit trail records about the request. */
export interface Actor {
  principal: Principal;
  ip: string | null;
  requestId: string;
}

/** The one per-request GraphQL context. */
export interface Context {
  /**
   * Forked per request: no identity map is shared between requests. Authentication and
   * mutations use the main pool; a query's resolvers run on the query pool (queryPoolPlugin).
   */
  em: EntityManager;
  /** null only for anonymous introspection (Sandbox loading the schema). */
  principal: Principal | null;
  requestId: string;
  ip: string | null;
  origin: string | undefined;
  runtime: Runtime;
}

/** What any request (a GraphQL Context, a REST route's) says about who acts in it. */
export interface ActingRequest {
  /** null: anonymous. */
  principal: Principal | null;
  ip: string | null;
  requestId: string;
}

/** The one way a request's actor is made, for the services and their audit events. */
export function actorOf(request: ActingRequest): Actor {
  // The permission map refuses every field to anonymous callers; this is a backstop.
  if (!request.principal) throw new AuthenticationError(AuthReason.KEY_MISSING);
  return { principal: request.principal, ip: request.ip, requestId: request.requestId };
}
