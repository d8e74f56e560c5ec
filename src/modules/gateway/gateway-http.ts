import type { IncomingMessage, ServerResponse } from 'node:http';
import type { EntityManager } from '@mikro-orm/core';
import type { GraphQLFormattedError } from 'graphql';
import { AuthReason, ErrorCode, REFUSALS, type Refusal, authMessage, bearerChallenge } from '../../errors';
import { readGraphQLRequest, refuseUnstorableParams } from '../../graphql/graphql-http';
import type { Authenticator } from '../auth/authenticator';
import type { Charge } from '../credits/credit-ledger';
import { type Logger, errorForLog } from '../../logger';
import { looksLikeToken, requestCredential } from '../auth/credential';
import { principalIdentityHeaders, tokenIdentityHeaders } from '../auth/identity-headers';
import { PrincipalType } from '../auth/principal';
import type { SessionClaims } from '../sessions/token';
import { type ClientAddress, credentialHeaders } from '../http/request';
import { headerValue, sendJson } from '../../shared/http';
import type { KeyRef } from '../auth/key-records';
import type { KeyKind } from '../keys/key-enums';
import type { OperationOutcome } from '../usage/usage.recorder';
import { MAX_OPERATION_NAME } from '../usage/operation-usage.entity';
import type { Gateway } from './gateway';
import { TrustedDocumentsPolicy } from './trusted-document.entity';
import { policyApplies, resolveDocument } from './trusted-documents';
import { type OperationLimits, planOperation } from './gateway-operation';
import { type GatewayCredential, credentialScopes } from './gateway-scopes';
import { upstreamHeaders } from './upstream-headers';

/** What the gateway's edge needs, and nothing more: not the whole Runtime. */
export interface GatewayEdgeDeps {
  gateway: Gateway;
  authenticator: Pick<Authenticator, 'authenticate' | 'meter' | 'refund'>;
  logger: Pick<Logger, 'warn'>;
  /** A new EntityManager fork (one per request, made on first use). */
  fork: () => EntityManager;
  /** An active token's claims, live scopes and minting key's kind, or null. */
  checkToken(token: string, em: () => EntityManager): Promise<{ claims: SessionClaims; scopes: readonly string[]; minterKind: KeyKind | null } | null>;
  limits: OperationLimits;
  /** The app's gateway settings (cached per process like its token settings); null for an app that is gone. */
  appSettings(appId: string, em: () => EntityManager): Promise<{ maxOperationCost: number; trustedDocumentsPolicy: TrustedDocumentsPolicy } | null>;
  /** The app's registered document with this SHA-256, or null (cached per process, TrustedDocumentRegistry). */
  trustedDocument(appId: string, hash: string, em: () => EntityManager): Promise<string | null>;
  /** Counts a planned operation per key, hour and name (UsageRecorder: batched off the request path). */
  recordOperation(key: KeyRef, outcome: OperationOutcome): void;
  /** X-Keygate-Token for an upstream call (null: KEYGATE_GATEWAY_IDENTITY_TOKEN is off). */
  identityToken: ((credential: GatewayCredential, scopes: ReadonlySet<string>, audience: string, em: () => EntityManager) => Promise<string>) | null;
}

export interface GatewayRequestInfo extends ClientAddress {
  requestId: string;
  /** TLS here or at a trusted proxy (ProxyTrust.isSecure). */
  secure: boolean;
  /** The host the client asked for (ProxyTrust.host). */
  host: string | null;
}

function sendErrors(res: ServerResponse, status: number, errors: GraphQLFormattedError[], headers: Record<string, string> = {}): void {
  sendJson(res, status, { errors }, headers);
}

function sendRefusal(res: ServerResponse, refusal: Refusal): void {
  const { status, graphql } = REFUSALS[refusal.reason];
  const headers: Record<string, string> = {};
  if (refusal.reason === AuthReason.RATE_LIMITED) headers['retry-after'] = String(refusal.retryAfterSeconds);
  if (status === 401) headers['www-authenticate'] = bearerChallenge(refusal.reason);
  const extensions = { code: graphql, reason: refusal.reason, ...(refusal.reason === AuthReason.RATE_LIMITED ? { retryAfter: refusal.retryAfterSeconds } : {}) };
  sendErrors(res, status, [{ message: refusal.message ?? authMessage(refusal.reason), extensions }], headers);
}

/** The request's credential as the gateway takes it: an app key (through the one pipeline) or an active session token. */
async function authenticate(deps: GatewayEdgeDeps, em: () => EntityManager, req: IncomingMessage, info: GatewayRequestInfo): Promise<{ ok: true; credential: GatewayCredential } | { ok: false; refusal: Refusal }> {
  const credential = requestCredential(credentialHeaders(req));
  if (credential.ok && looksLikeToken(credential.key)) {
    const checked = await deps.checkToken(credential.key, em);
    if (!checked) return { ok: false, refusal: { reason: AuthReason.KEY_INVALID, message: 'Invalid session token' } };
    const { claims, scopes, minterKind } = checked;
    return { ok: true, credential: { type: 'token', appId: claims.aud, keyId: claims.akid, mode: claims.mode, userId: claims.sub, tokenId: claims.jti, scopes, claims, minterKind } };
  }
  const outcome = await deps.authenticator.authenticate(em, { credential, origin: headerValue(req, 'origin'), ip: info.ip, throttleIp: info.throttleIp, requestId: info.requestId });
  if (!outcome.ok) return { ok: false, refusal: outcome };
  const { principal } = outcome;
  // Root keys are operator credentials: they have no scopes in the product's own API.
  if (principal.type !== PrincipalType.API_KEY) return { ok: false, refusal: { reason: AuthReason.INSUFFICIENT_SCOPE, message: 'Root keys cannot call the gateway: use an app key or a session token' } };
  return { ok: true, credential: { type: 'key', principal } };
}

/** Gives an unsent operation's credits back before the 502 is answered (the balance read next has them): false when they stay spent. */
async function refund(deps: GatewayEdgeDeps, charge: Charge | null, info: GatewayRequestInfo): Promise<boolean> {
  if (!charge) return true;
  try {
    return await deps.authenticator.refund(charge);
  } catch (error) {
    deps.logger.warn({ err: errorForLog(error), requestId: info.requestId }, 'gateway: could not refund an operation the upstream never received');
    return false;
  }
}

/**
 * /gateway/graphql: the product's GraphQL API behind Keygate credentials. The credential
 * is checked first (401/403/429 before anything is read of the operation), then the
 * operation is planned (fields the scopes do not allow removed, the rest costed), its
 * credits spent, and what remains sent to the upstream of the credential's mode.
 */
export function gatewayHandler(deps: GatewayEdgeDeps) {
  return async (req: IncomingMessage, res: ServerResponse, url: URL, info: GatewayRequestInfo): Promise<void> => {
    res.setHeader('cache-control', 'no-store');
    const upstream = deps.gateway.schema;
    if (!upstream) return sendErrors(res, 503, [{ message: 'The gateway has not loaded the upstream schema yet', extensions: { code: ErrorCode.UPSTREAM_UNAVAILABLE } }]);
    const read = await readGraphQLRequest(req, res, url);
    if (!read) return;
    if (!refuseUnstorableParams(res, read.params)) return;
    let forked: EntityManager | undefined;
    const em = () => (forked ??= deps.fork());
    const auth = await authenticate(deps, em, req, info);
    if (!auth.ok) return sendRefusal(res, auth.refusal);
    const { credential } = auth;
    const origin = headerValue(req, 'origin');
    if (origin && credential.type === 'key') res.setHeader('access-control-allow-origin', origin);
    const scopes = credentialScopes(credential);
    const appId = credential.type === 'key' ? credential.principal.appId : credential.appId;
    const settings = await deps.appSettings(appId, em);
    const sent = (typeof read.params === 'object' && read.params !== null ? read.params : {}) as Record<string, unknown>;
    const enforced = policyApplies(settings?.trustedDocumentsPolicy ?? TrustedDocumentsPolicy.OFF, credential);
    // Before planning: under the policy the upstream (and the planner) never see an untrusted text.
    const document = await resolveDocument(sent, enforced, (hash, fork) => deps.trustedDocument(appId, hash, fork), em);
    if (!document.ok) {
      if (document.status === 403) return sendRefusal(res, { reason: AuthReason.DOCUMENT_NOT_TRUSTED });
      return sendErrors(res, 400, [{ message: document.message, extensions: { code: 'BAD_REQUEST' } }]);
    }
    const plan = planOperation(upstream, document.params, scopes, deps.limits, req.method ?? 'GET');
    if (plan.kind === 'refused') return sendErrors(res, plan.refused.status, plan.refused.errors);
    if (plan.kind === 'local') return sendJson(res, 200, plan.result);
    const { operation } = plan;
    // Counted for the key, or for the key that minted the token (a root key's tokens have no usage).
    const keyRef: KeyRef | null = credential.type === 'key' ? { id: credential.principal.id, appId, mode: credential.principal.mode } : credential.minterKind ? { id: credential.keyId, appId, mode: credential.mode } : null;
    const count = (error: boolean, cost: number) => keyRef && deps.recordOperation(keyRef, { operationName: (operation.operationName ?? '').slice(0, MAX_OPERATION_NAME), error, cost });
    const limit = settings?.maxOperationCost ?? 0;
    if (operation.cost > limit) {
      count(true, 0);
      const found = Number.isFinite(operation.cost) ? operation.cost : 'more than can be counted';
      return sendErrors(res, 400, [{ message: `Operation cost limit of ${limit} exceeded, found ${found}`, extensions: { code: ErrorCode.BAD_USER_INPUT, limit: 'cost' } }]);
    }
    let remaining: number | null = null;
    let charge: Charge | null = null;
    if (credential.type === 'key') {
      const spent = await deps.authenticator.meter(credential.principal, operation.cost, info);
      if (spent && !spent.ok) {
        count(true, 0);
        return sendRefusal(res, { reason: AuthReason.USAGE_EXCEEDED });
      }
      remaining = spent ? spent.remaining : null;
      charge = spent ? spent.charge : null;
    }
    const mode = credential.type === 'key' ? credential.principal.mode : credential.mode;
    const executor = deps.gateway.executorFor(mode);
    const identity = credential.type === 'key' ? principalIdentityHeaders(credential.principal) : tokenIdentityHeaders(credential.claims, credential.scopes);
    const headers = upstreamHeaders(req, info, identity);
    if (deps.identityToken) headers['x-keygate-token'] = await deps.identityToken(credential, scopes, executor.origin, em);
    const answer = await executor.run(operation, headers);
    if (!answer.ok) {
      // Never sent: the operation is not paid for. Sent and then lost, or too slow: the
      // upstream may have run it, so it stays charged.
      const refunded = answer.failure === 'unreachable' && (await refund(deps, charge, info));
      count(true, refunded ? 0 : operation.cost);
      const timeout = answer.failure === 'timeout';
      const message = timeout ? 'The upstream did not answer in time' : 'The upstream could not be reached';
      return sendErrors(res, timeout ? 504 : 502, [{ message, extensions: { code: timeout ? ErrorCode.UPSTREAM_TIMEOUT : ErrorCode.UPSTREAM_UNAVAILABLE } }]);
    }
    const { result } = answer;
    const errors = [...(result.errors ?? []).map((e) => ('toJSON' in e && typeof e.toJSON === 'function' ? e.toJSON() : e)), ...operation.removed];
    count(errors.length > 0, operation.cost);
    const extensions = { ...result.extensions, cost: { estimated: operation.cost, remaining } };
    sendJson(res, 200, { ...(errors.length ? { errors } : {}), data: result.data ?? null, extensions });
  };
}
