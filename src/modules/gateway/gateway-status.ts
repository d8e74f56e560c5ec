import type { Gateway } from './gateway';
import { fieldWeight } from './cost-directives';
import { alternativesOf } from './field-rules';
import { GatewayFieldRule, GatewayRequirement, GatewaySchemaSource, GatewayStatus } from './gateway-status.types';
import type { UpstreamSchema } from './upstream-schema';

/**
 * An upstream URL as it may be shown: origin and path. User info (`https://user:pass@…`)
 * and a query string may carry credentials, so neither leaves the server.
 */
export function displayUrl(url: string): string | null {
  try {
    const parsed = new URL(url);
    return `${parsed.origin}${parsed.pathname}`;
  } catch {
    return null;
  }
}

/** One schema's matrix, computed once: a schema is loaded once per process. */
const matrices = new WeakMap<UpstreamSchema, GatewayFieldRule[]>();

function fieldRulesOf(upstream: UpstreamSchema): GatewayFieldRule[] {
  let rows = matrices.get(upstream);
  if (rows) return rows;
  rows = upstream.rules.ruledFields().map(({ parent, field, rule }) => {
    const requiresScopes = alternativesOf(rule.requirements);
    const requirement = rule.rootDefault ? GatewayRequirement.ROOT_DEFAULT : requiresScopes.length > 0 ? GatewayRequirement.REQUIRES_SCOPES : GatewayRequirement.AUTHENTICATED;
    return Object.assign(new GatewayFieldRule(), { typeName: parent.name, fieldName: field.name, requirement, requiresScopes, costWeight: fieldWeight(field) });
  });
  matrices.set(upstream, rows);
  return rows;
}

/** What the management API says about the gateway; without one (not configured), `enabled: false` and every other field empty. */
export function gatewayStatus(gateway: Gateway | null): GatewayStatus {
  const loaded = gateway?.schema ?? null;
  return Object.assign(new GatewayStatus(), {
    enabled: gateway !== null,
    upstream: gateway ? displayUrl(gateway.config.upstream) : null,
    testUpstream: gateway ? displayUrl(gateway.config.upstreamTest) : null,
    schemaSource: gateway ? (gateway.config.schemaFile ? GatewaySchemaSource.SDL_FILE : GatewaySchemaSource.INTROSPECTION) : null,
    schemaLoadedAt: loaded?.loadedAt ?? null,
    ready: loaded !== null,
    fieldRules: loaded ? fieldRulesOf(loaded) : [],
  });
}
