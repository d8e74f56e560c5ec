import 'reflect-metadata';
import { type GraphQLSchema, isObjectType } from 'graphql';
import { GraphQLDateTime } from 'graphql-scalars';
import { applyMiddleware } from 'graphql-middleware';
import { buildSchema } from 'type-graphql';
import { AppResolver } from './modules/apps/app.resolver';
import { AuditResolver } from './modules/audit/audit.resolver';
import { permissions, VALUE_TYPES } from './modules/auth/shield';
import { applyTimeBudget } from './modules/http/graphql-time-budget';
import { ApiKeyResolver } from './modules/keys/api-key.resolver';
import { ApiKeyRotationResolver, RotationResolver } from './modules/rotations/rotation.resolver';
import { SessionResolver } from './modules/sessions/session.resolver';
import { ApiKeyUsageResolver, AppUsageResolver } from './modules/usage/usage.resolver';
import { RootKeyResolver } from './modules/root-keys/root-key.resolver';
import { ViewerResolver } from './modules/viewer/viewer.resolver';
import { WebhookResolver } from './modules/webhooks/webhook.resolver';

const RESOLVERS = [ViewerResolver, AppResolver, ApiKeyResolver, ApiKeyRotationResolver, RotationResolver, SessionResolver, AuditResolver, ApiKeyUsageResolver, AppUsageResolver, WebhookResolver, RootKeyResolver] as const;

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
