import { Ctx, Field, FieldResolver, ID, ObjectType, Query, Resolver, Root } from 'type-graphql';
import { type Context, actorOf } from '../../context';
import { App } from '../apps/app.entity';
import { AppService } from '../apps/app.service';
import { permissionsOf } from '../auth/permissions';
import { PrincipalType } from '../auth/principal';
import { KeyKind, KeyMode, KeyRole } from '../keys/key-enums';
import { effectiveScopes } from '../keys/key-scopes';

@ObjectType({ description: 'The principal making the request.' })
export class Viewer {
  @Field(() => PrincipalType)
  type!: PrincipalType;

  @Field(() => ID, { nullable: true })
  keyId!: string | null;

  /** Not a field: `app` is resolved from it only when the query asks for it. */
  appId!: string | null;

  @Field(() => KeyKind, { nullable: true })
  kind!: KeyKind | null;

  @Field(() => KeyMode, { nullable: true })
  mode!: KeyMode | null;

  @Field(() => KeyRole, { nullable: true })
  role!: KeyRole | null;

  @Field(() => [String])
  permissions!: string[];

  @Field(() => Date, { nullable: true })
  expiresAt!: Date | null;

  @Field(() => [String], { description: 'Effective scopes, sorted: built in from kind and role, plus the custom ones granted (none for root keys).' })
  scopes!: string[];
}

@Resolver(() => Viewer)
export class ViewerResolver {
  /** Straight from the Principal: `{ viewer { type keyId } }` costs no query. */
  @Query(() => Viewer)
  viewer(@Ctx() ctx: Context): Viewer {
    const p = actorOf(ctx).principal;
    const permissions = [...permissionsOf(p)];
    if (p.type === PrincipalType.ROOT) {
      return { type: p.type, keyId: p.id, appId: null, kind: null, mode: null, role: null, permissions, expiresAt: null, scopes: [] };
    }
    return { type: p.type, keyId: p.id, appId: p.appId, kind: p.kind, mode: p.mode, role: p.role, permissions, expiresAt: p.expiresAt, scopes: effectiveScopes(p) };
  }

  @FieldResolver(() => App, { nullable: true })
  async app(@Root() viewer: Viewer, @Ctx() ctx: Context): Promise<App | null> {
    return viewer.appId ? new AppService(ctx.em, actorOf(ctx), ctx.runtime).get(viewer.appId) : null;
  }
}
