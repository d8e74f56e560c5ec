import { Arg, Args, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import { type Context, actorOf } from '../../context';
import { ConnectionType, PageArgs, parsePageArgs } from '../../shared/pagination';
import { ApiKey } from '../keys/api-key.entity';
import { ApiKeysArgs } from '../keys/api-key.inputs';
import { ApiKeyService } from '../keys/api-key.service';
import { App } from './app.entity';
import { CreateAppInput, UpdateAppInput } from './app.inputs';
import { AppService } from './app.service';

export const AppConnection = ConnectionType(App, 'App');
export const ApiKeyConnection = ConnectionType(ApiKey, 'ApiKey');

const apps = (ctx: Context) => new AppService(ctx.em, actorOf(ctx), ctx.runtime);

@Resolver(() => App)
export class AppResolver {
  @Query(() => AppConnection, { description: 'Apps the caller can see (an app key: only its own).' })
  apps(@Args(() => PageArgs) page: PageArgs, @Ctx() ctx: Context) {
    return apps(ctx).list(parsePageArgs(page));
  }

  @Query(() => App, { nullable: true })
  app(@Arg('id', () => ID) id: string, @Ctx() ctx: Context) {
    return apps(ctx).get(id);
  }

  @Mutation(() => App)
  createApp(@Arg('input', () => CreateAppInput) input: CreateAppInput, @Ctx() ctx: Context) {
    return apps(ctx).create(input);
  }

  @Mutation(() => App)
  updateApp(@Arg('id', () => ID) id: string, @Arg('input', () => UpdateAppInput) input: UpdateAppInput, @Ctx() ctx: Context) {
    return apps(ctx).update(id, input);
  }

  @Mutation(() => Boolean, { description: 'Deletes the app and revokes all of its keys.' })
  deleteApp(@Arg('id', () => ID) id: string, @Ctx() ctx: Context) {
    return apps(ctx).delete(id);
  }

  @FieldResolver(() => ApiKeyConnection)
  apiKeys(@Root() app: App, @Args(() => ApiKeysArgs) args: ApiKeysArgs, @Ctx() ctx: Context) {
    return new ApiKeyService(ctx.em, actorOf(ctx), ctx.runtime).listForApp(
      app.id,
      { mode: args.mode, status: args.status, ownerId: args.ownerId, unusedSince: args.unusedSince },
      parsePageArgs(args),
    );
  }
}
