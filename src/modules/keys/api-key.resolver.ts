import { Arg, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import { creditsOf } from '../credits/credit-balance.service';
import { KeyCredits } from '../credits/credits.types';
import { type Context, actorOf } from '../../context';
import { App } from '../apps/app.entity';
import { appOf } from '../apps/app.loaders';
import { ApiKey } from './api-key.entity';
import { CreateApiKeyInput, CreateApiKeyPayload, UpdateApiKeyInput } from './api-key.inputs';
import { ApiKeyService } from './api-key.service';
import { KeyStatus } from './key-enums';
import { ROTATION_RECOMMENDED_AFTER_MS, keyState } from './key-state';

const keys = (ctx: Context) => new ApiKeyService(ctx.em, actorOf(ctx), ctx.runtime);

@Resolver(() => ApiKey)
export class ApiKeyResolver {
  @Query(() => ApiKey, { nullable: true })
  apiKey(@Arg('id', () => ID) id: string, @Ctx() ctx: Context) {
    return keys(ctx).get(id);
  }

  @Mutation(() => CreateApiKeyPayload, { description: "Creates a key; the payload's secret is the only time its value is shown." })
  createApiKey(@Arg('input', () => CreateApiKeyInput) input: CreateApiKeyInput, @Ctx() ctx: Context) {
    return keys(ctx).create(input);
  }

  @Mutation(() => ApiKey)
  updateApiKey(@Arg('id', () => ID) id: string, @Arg('input', () => UpdateApiKeyInput) input: UpdateApiKeyInput, @Ctx() ctx: Context) {
    return keys(ctx).update(id, input);
  }

  @Mutation(() => ApiKey, { description: 'Revokes a key at once; final.' })
  revokeApiKey(
    @Arg('id', () => ID) id: string,
    @Arg('reason', () => String, { nullable: true }) reason: string | null,
    @Ctx() ctx: Context,
  ) {
    return keys(ctx).revoke(id, reason);
  }

  @FieldResolver(() => App)
  app(@Root() key: ApiKey, @Ctx() ctx: Context): Promise<App> {
    return appOf(ctx, key.appId);
  }

  @FieldResolver(() => KeyStatus)
  status(@Root() key: ApiKey, @Ctx() ctx: Context): KeyStatus {
    return keyState(key, ctx.runtime.clock.now()).status;
  }

  @FieldResolver(() => Date, { nullable: true, description: 'When the key stopped working, once it has.' })
  revokedAt(@Root() key: ApiKey, @Ctx() ctx: Context): Date | null {
    const state = keyState(key, ctx.runtime.clock.now());
    return state.status === KeyStatus.REVOKED ? state.at : null;
  }

  @FieldResolver(() => Date, { nullable: true, description: 'Last successful authentication (to within a second or so across processes).' })
  lastUsedAt(@Root() key: ApiKey, @Ctx() ctx: Context): Date | null {
    const pending = ctx.runtime.usage.pendingLastUse(key.id);
    return pending && (!key.lastUsedAt || pending > key.lastUsedAt) ? pending : key.lastUsedAt;
  }

  @FieldResolver(() => KeyCredits, { nullable: true, description: 'The usage balance as it reads now (shared with its rotation partner during a grace); null = unlimited.' })
  credits(@Root() key: ApiKey, @Ctx() ctx: Context): Promise<KeyCredits | null> {
    return creditsOf(ctx, key, ctx.runtime.clock.now(), (id, generation) => ctx.runtime.credits.leases.held(id, generation));
  }

  @FieldResolver(() => Boolean, { description: 'True for working keys older than 90 days.' })
  rotationRecommended(@Root() key: ApiKey, @Ctx() ctx: Context): boolean {
    const now = ctx.runtime.clock.now();
    const working = [KeyStatus.ACTIVE, KeyStatus.ROTATING].includes(keyState(key, now).status);
    return working && now.getTime() - key.createdAt.getTime() > ROTATION_RECOMMENDED_AFTER_MS;
  }
}
