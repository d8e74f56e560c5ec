import { Ctx, Field, ID, ObjectType, Query, Resolver } from 'type-graphql';
import { type Context, actorOf } from '../../context';
import { App } from '../apps/app.entity';
import { AppService } from '../apps/app.service';
import { permissionsOf } from '../auth/permissions';
import { PrincipalType } from '../auth/principal';
import { KeyKind, KeyMode, KeyRole } from '../keys/key-enums';

@ObjectType({ description: 'The principal making the request.' })
export class Viewer {
  @Field(() => PrincipalType)
  type!: PrincipalType;

  @Field(() => ID, { nullable: true })
  keyId!: string | null;

  @Field(() => App, { nullable: true })
  app!: App | null;

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
}

@Resolver(() => Viewer)
export class ViewerResolver {
  @Query(() => Viewer)
  async viewer(@Ctx() ctx: Context): Promise<Viewer> {
    const actor = actorOf(ctx);
    const p = actor.principal;
    const permissions = [...permissionsOf(p)];
    if (p.type === PrincipalType.ROOT) {
      return { type: p.type, keyId: p.id, app: null, kind: null, mode: null, role: null, permissions, expiresAt: null };
    }
    const app = await new AppService(ctx.em, actor, ctx.runtime).get(p.appId);
    return { type: p.type, keyId: p.id, app, kind: p.kind, mode: p.mode, role: p.role, permissions, expiresAt: p.expiresAt };
  }
}
