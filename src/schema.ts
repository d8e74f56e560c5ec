import 'reflect-metadata';
import type { GraphQLSchema } from 'graphql';
import { GraphQLDateTime } from 'graphql-scalars';
import { applyMiddleware } from 'graphql-middleware';
import { buildSchema } from 'type-graphql';
import { AppResolver } from './modules/apps/app.resolver';
import { AuditResolver } from './modules/audit/audit.resolver';
import { permissions } from './modules/auth/shield';
import { ApiKeyResolver } from './modules/keys/api-key.resolver';
import { ApiKeyRotationResolver, RotationResolver } from './modules/rotations/rotation.resolver';
import { SessionResolver } from './modules/sessions/session.resolver';
import { ApiKeyUsageResolver, AppUsageResolver } from './modules/usage/usage.resolver';
import { RootKeyResolver } from './modules/root-keys/root-key.resolver';
import { ViewerResolver } from './modules/viewer/viewer.resolver';

const RESOLVERS = [ViewerResolver, AppResolver, ApiKeyResolver, ApiKeyRotationResolver, RotationResolver, SessionResolver, AuditResolver, ApiKeyUsageResolver, AppUsageResolver, RootKeyResolver] as const;

/** The schema as type-graphql emits it, before permissions (what schema/schema.graphql holds). */
export async function buildBareSchema(): Promise<GraphQLSchema> {
  return buildSchema({
    resolvers: [...RESOLVERS],
    scalarsMap: [{ type: Date, scalar: GraphQLDateTime }],
    validate: false,
  });
}

/** The executable schema: resolvers wrapped by the permission map. */
export async function buildKeygateSchema(): Promise<GraphQLSchema> {
  return applyMiddleware(await buildBareSchema(), permissions());
}
