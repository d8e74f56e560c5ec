import { Args, ArgsType, Ctx, Field, FieldResolver, Int, ObjectType, Resolver, Root, registerEnumType } from 'type-graphql';
import { type Context, actorOf } from '../../context';
import { App } from '../apps/app.entity';
import { modeFilter } from '../auth/tenancy';
import { ApiKey } from '../keys/api-key.entity';
import { KeyMode } from '../keys/key-enums';
import { UsageGranularity, usageBuckets } from './usage.service';

registerEnumType(UsageGranularity, { name: 'UsageGranularity' });

@ObjectType()
export class UsageBucket {
  @Field(() => Date, { description: 'Start of the hour or UTC day.' })
  start!: Date;

  @Field(() => Int, { description: 'Successful authentications.' })
  verifications!: number;

  @Field(() => Int, { description: 'Failed uses of a real key: revoked, expired, wrong origin, role too low.' })
  failures!: number;

  @Field(() => Int)
  tokensIssued!: number;
}

@ArgsType()
class UsageArgs {
  @Field(() => Date, { nullable: true, description: 'Default: 24 h (HOUR) or 30 days (DAY) before `to`.' })
  from?: Date | null;

  @Field(() => Date, { nullable: true, description: 'Default: now.' })
  to?: Date | null;

  @Field(() => UsageGranularity, { nullable: true, description: 'Default HOUR (at most 31 days); DAY spans at most 731 days.' })
  granularity?: UsageGranularity | null;
}

@ArgsType()
class AppUsageArgs extends UsageArgs {
  @Field(() => KeyMode, { nullable: true })
  mode?: KeyMode | null;
}

@Resolver(() => ApiKey)
export class ApiKeyUsageResolver {
  @FieldResolver(() => [UsageBucket], { description: 'Usage of this key per hour or day, oldest first.' })
  usage(@Root() key: ApiKey, @Args(() => UsageArgs) args: UsageArgs, @Ctx() ctx: Context) {
    return usageBuckets(ctx.em, ctx.runtime, { keyId: key.id }, args);
  }
}

@Resolver(() => App)
export class AppUsageResolver {
  @FieldResolver(() => [UsageBucket], { description: "Usage summed over the app's keys (an app key: its own mode only)." })
  usage(@Root() app: App, @Args(() => AppUsageArgs) args: AppUsageArgs, @Ctx() ctx: Context) {
    const mode = modeFilter(actorOf(ctx).principal, args.mode);
    if (mode === 'none') return usageBuckets(ctx.em, ctx.runtime, { appId: '', mode: null }, args);
    return usageBuckets(ctx.em, ctx.runtime, { appId: app.id, mode }, args);
  }
}
