import { Args, ArgsType, Ctx, Field, FieldResolver, Int, ObjectType, Resolver, Root, registerEnumType } from 'type-graphql';
import { type Context, actorOf } from '../../context';
import { App } from '../apps/app.entity';
import { modeFilter } from '../auth/tenancy';
import { ApiKey } from '../keys/api-key.entity';
import { KeyMode } from '../keys/key-enums';
import { appUsage, keyUsage } from './usage.loaders';
import { UsageGranularity, usageBucketCount, zeroUsage } from './usage.service';

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

/**
 * What the GraphQL cost model charges for a usage list: each bucket is an object, so the
 * field costs its bucket count times what is selected of a bucket (see graphql-cost.ts).
 */
const usageCost = ({ args, childComplexity, context }: { args: UsageArgs; childComplexity: number; context?: Partial<Context> }) =>
  1 + usageBucketCount(args, context?.runtime?.clock.now() ?? new Date()) * (1 + childComplexity);

@Resolver(() => ApiKey)
export class ApiKeyUsageResolver {
  @FieldResolver(() => [UsageBucket], { description: 'Usage of this key per hour or day, oldest first.', complexity: usageCost })
  usage(@Root() key: ApiKey, @Args(() => UsageArgs) args: UsageArgs, @Ctx() ctx: Context) {
    return keyUsage(ctx, key.id, args);
  }
}

@Resolver(() => App)
export class AppUsageResolver {
  @FieldResolver(() => [UsageBucket], { description: "Usage summed over the app's keys (an app key: its own mode only).", complexity: usageCost })
  usage(@Root() app: App, @Args(() => AppUsageArgs) args: AppUsageArgs, @Ctx() ctx: Context) {
    const mode = modeFilter(actorOf(ctx).principal, args.mode);
    // The other mode's usage does not exist for this caller: zero buckets, no query.
    if (mode === 'none') return zeroUsage(args, ctx.runtime.clock.now());
    return appUsage(ctx, app.id, mode, args);
  }
}
