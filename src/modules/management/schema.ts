import 'reflect-metadata';
import { type GraphQLSchema, isObjectType } from 'graphql';
import { GraphQLDateTime } from 'graphql-scalars';
import { applyMiddleware } from 'graphql-middleware';
import { buildSchema } from 'type-graphql';
import { AppResolver } from '../apps/app.resolver';
import { AuditResolver } from '../audit/audit.resolver';
import { permissions, VALUE_TYPES } from '../auth/shield';
import { applyTimeBudget } from '../../graphql/graphql-time-budget';
import { ApiKeyResolver } from '../keys/api-key.resolver';
import { ApiKeyRotationResolver, RotationResolver } from '../rotations/rotation.resolver';
import { SessionResolver } from '../sessions/session.resolver';
import { ApiKeyUsageResolver, AppUsageResolver } from '../usage/usage.resolver';
import { RootKeyResolver } from '../root-keys/root-key.resolver';
import { ViewerResolver } from '../viewer/viewer.resolver';
import { WebhookResolver } from '../webhooks/webhook.resolver';
import { TrustedDocumentsResolver } from '../gateway/trusted-documents.resolver';
import { ApiKeyOperationsResolver } from '../usage/operation-usage.resolver';
import { GatewayStatusResolver } from '../gateway/gateway-status.resolver';

const RESOLVERS = [ViewerResolver, AppResolver, ApiKeyResolver, ApiKeyRotationResolver, RotationResolver, SessionResolver, AuditResolver, ApiKeyUsageResolver, AppUsageResolver, WebhookResolver, RootKeyResolver, TrustedDocumentsResolver, ApiKeyOperationsResolver, GatewayStatusResolver] as const;

/** The schema as type-graphql emits it, before permissions (what schema/schema.graphql holds). */
export async function buildBareSchema(): Promise<GraphQLSchema> {
  return buildSchema({
    resolvers: [...RESOLVERS],
    scalarsMap: [{ type: Date, scalar: GraphQLDateTime }],
    validate: false,
  });
}

/** The executable schema: resolvers wrapped by the permission map and the query time budget. */
export async function buildKeygateSchema(): Promise<GraphQLSchema> {
  const bare = await buildBareSchema();
  const guarded = applyMiddleware(bare, permissions());
  // `allow` checks nothing: value types keep their own resolvers, unwrapped (see VALUE_TYPES).
  for (const name of VALUE_TYPES) {
    const [from, to] = [bare.getType(name), guarded.getType(name)];
    if (!isObjectType(from) || !isObjectType(to)) throw new Error(`value type ${name} is not in the schema`);
    for (const [field, definition] of Object.entries(to.getFields())) definition.resolve = from.getFields()[field].resolve;
  }
  applyTimeBudget(guarded, VALUE_TYPES);
  return guarded;
}
