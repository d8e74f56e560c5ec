import { Ctx, Query, Resolver } from 'type-graphql';
import type { Context } from '../../context';
import { gatewayStatus } from './gateway-status';
import { GatewayStatus } from './gateway-status.types';

@Resolver()
export class GatewayStatusResolver {
  @Query(() => GatewayStatus, { description: 'The gateway at /gateway/graphql: its upstreams, its schema and which fields need which scopes. Answers with enabled: false when it is not configured.' })
  gateway(@Ctx() ctx: Context): GatewayStatus {
    return gatewayStatus(ctx.runtime.gateway);
  }
}
