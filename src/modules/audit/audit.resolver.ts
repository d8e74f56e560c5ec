import { Arg, Args, ArgsType, Ctx, Field, ID, Int, ObjectType, Query, Resolver } from 'type-graphql';
import { type Context, actorOf } from '../../context';
import { ConnectionType, PageArgs, parsePageArgs } from '../../shared/pagination';
import { KeyMode } from '../keys/key-enums';
import { AuditEvent } from './audit-event.entity';
import { listAuditEvents, verifyAuditChains } from './audit.service';

export const AuditEventConnection = ConnectionType(AuditEvent, 'AuditEvent');

@ArgsType()
class AuditEventsArgs extends PageArgs {
  @Field(() => ID)
  appId!: string;

  @Field(() => KeyMode, { nullable: true, description: "This mode's events plus the app-level ones (no mode: app created, settings changed), which concern both modes." })
  mode?: KeyMode | null;

  @Field(() => String, { nullable: true, description: 'Only this action, e.g. key.revoke.' })
  action?: string | null;

  @Field(() => ID, { nullable: true })
  actorId?: string | null;

  @Field(() => ID, { nullable: true })
  targetId?: string | null;

  @Field(() => Date, { nullable: true, description: 'Events at or after this time.' })
  from?: Date | null;

  @Field(() => Date, { nullable: true, description: 'Events at or before this time.' })
  to?: Date | null;
}

@ObjectType()
export class AuditChainVerification {
  @Field(() => Boolean)
  ok!: boolean;

  @Field(() => Int, { description: 'Events checked.' })
  checked!: number;

  @Field(() => ID, { nullable: true, description: 'The first event whose hash or link does not match.' })
  firstBrokenEventId!: string | null;
}

@Resolver(() => AuditEvent)
export class AuditResolver {
  @Query(() => AuditEventConnection, { description: "An app's audit trail, newest first." })
  auditEvents(@Args(() => AuditEventsArgs) args: AuditEventsArgs, @Ctx() ctx: Context) {
    const { appId, first, after, ...filter } = args;
    return listAuditEvents(ctx.em, actorOf(ctx), appId, filter, parsePageArgs({ first, after }));
  }

  @Query(() => AuditChainVerification, { description: "Recomputes the app's audit hash chains and reports the first broken event." })
  verifyAuditChain(@Arg('appId', () => ID) appId: string, @Arg('mode', () => KeyMode, { nullable: true, description: 'This mode\'s chain and the app-level one: the events auditEvents shows for the mode.' }) mode: KeyMode | null, @Ctx() ctx: Context) {
    return verifyAuditChains(ctx.em, actorOf(ctx), appId, mode);
  }
}
