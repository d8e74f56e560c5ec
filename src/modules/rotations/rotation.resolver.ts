import { Arg, Args, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { type Context, actorOf } from '../../context';
import { App } from '../apps/app.entity';
import { appOf } from '../apps/app.loaders';
import { keyById } from '../keys/api-key.loaders';
import { ApiKey } from '../keys/api-key.entity';
import { parsePageArgs } from '../../shared/pagination';
import { Rotation, RotationStatus, rotationStatus } from './rotation.entity';
import { RotateApiKeyPayload, RotationConnection, RotationsArgs } from './rotation.inputs';
import { rotationCreating, rotationReplacing } from './rotation.loaders';
import { RotationService } from './rotation.service';

const rotations = (ctx: Context) => new RotationService(ctx.em, actorOf(ctx), ctx.runtime);

@Resolver(() => Rotation)
export class RotationResolver {
  @Query(() => RotationConnection, { description: "An app's key rotations, newest first." })
  rotations(@Arg('appId', () => ID) appId: string, @Args(() => RotationsArgs) args: RotationsArgs, @Ctx() ctx: Context) {
    return rotations(ctx).list(appId, { mode: args.mode, status: args.status }, parsePageArgs(args));
  }

  @Mutation(() => RotateApiKeyPayload, {
    description:
      'Replaces an ACTIVE key with a new one (same app, mode, kind, role, name, origins, rate limit and, unless expiresAt says otherwise, expiry). The old key keeps working for gracePeriodSeconds (default 86400, 0 = ends now, at most 30 days; capped at the old key expiry).',
  })
  rotateApiKey(
    @Arg('id', () => ID) id: string,
    @Arg('gracePeriodSeconds', () => Int, { nullable: true }) gracePeriodSeconds: number | null,
    @Arg('expiresAt', () => Date, { nullable: true, description: "The new key's expiry. Omitted: the old key's (a temporary key stays temporary); null: none." })
    expiresAt: Date | null | undefined,
    @Ctx() ctx: Context,
  ) {
    return rotations(ctx).rotate(id, gracePeriodSeconds, expiresAt);
  }

  @Mutation(() => Rotation, { description: 'Ends the grace period now: the old key stops working at once.' })
  completeRotation(@Arg('id', () => ID) id: string, @Ctx() ctx: Context) {
    return rotations(ctx).complete(id);
  }

  @FieldResolver(() => App)
  app(@Root() rotation: Rotation, @Ctx() ctx: Context) {
    return appOf(ctx, rotation.appId);
  }

  @FieldResolver(() => ApiKey)
  oldKey(@Root() rotation: Rotation, @Ctx() ctx: Context) {
    return keyById(ctx, rotation.oldKeyId);
  }

  @FieldResolver(() => ApiKey)
  newKey(@Root() rotation: Rotation, @Ctx() ctx: Context) {
    return keyById(ctx, rotation.newKeyId);
  }

  @FieldResolver(() => RotationStatus)
  status(@Root() rotation: Rotation, @Ctx() ctx: Context): RotationStatus {
    return rotationStatus(rotation, ctx.runtime.clock.now());
  }

  @FieldResolver(() => Date, { nullable: true, description: 'When the grace ended, once it has.' })
  completedAt(@Root() rotation: Rotation, @Ctx() ctx: Context): Date | null {
    return rotationStatus(rotation, ctx.runtime.clock.now()) === RotationStatus.COMPLETED ? (rotation.completedAt ?? rotation.graceEndsAt) : null;
  }
}

/** Rotation links on ApiKey. */
@Resolver(() => ApiKey)
export class ApiKeyRotationResolver {
  @FieldResolver(() => Rotation, { nullable: true, description: 'The rotation that replaced this key, if any.' })
  rotatedTo(@Root() key: ApiKey, @Ctx() ctx: Context) {
    return rotationReplacing(ctx, key.id);
  }

  @FieldResolver(() => Rotation, { nullable: true, description: 'The rotation that created this key, if any.' })
  rotatedFrom(@Root() key: ApiKey, @Ctx() ctx: Context) {
    return rotationCreating(ctx, key.id);
  }
}
