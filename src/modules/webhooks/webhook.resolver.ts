import { Arg, Args, ArgsType, Ctx, Field, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import { type Context, actorOf } from '../../context';
import { ConnectionType, PageArgs, parsePageArgs } from '../../shared/pagination';
import { App } from '../apps/app.entity';
import { DeliveryStatus, WebhookDelivery } from './webhook-delivery.entity';
import { WebhookEndpoint } from './webhook-endpoint.entity';
import { CreateWebhookEndpointInput, CreateWebhookEndpointPayload, UpdateWebhookEndpointInput, WebhookEndpointConnection, WebhookEndpointsArgs } from './webhook.inputs';
import { WebhookService } from './webhook.service';

export const WebhookDeliveryConnection = ConnectionType(WebhookDelivery, 'WebhookDelivery');

@ArgsType()
class DeliveriesArgs extends PageArgs {
  @Field(() => DeliveryStatus, { nullable: true })
  status?: DeliveryStatus | null;
}

const webhooks = (ctx: Context) => new WebhookService(ctx.em, actorOf(ctx), ctx.runtime);

@Resolver(() => WebhookEndpoint)
export class WebhookResolver {
  @Query(() => WebhookEndpointConnection, { description: "An app's webhook endpoints, newest first (an app key: its own mode's)." })
  webhookEndpoints(@Args(() => WebhookEndpointsArgs) args: WebhookEndpointsArgs, @Ctx() ctx: Context) {
    return webhooks(ctx).list(args.appId, args.mode, parsePageArgs(args));
  }

  @Mutation(() => CreateWebhookEndpointPayload, { description: "Registers an endpoint; the payload's secret is the only time it is shown." })
  createWebhookEndpoint(@Arg('input', () => CreateWebhookEndpointInput) input: CreateWebhookEndpointInput, @Ctx() ctx: Context) {
    return webhooks(ctx).create(input);
  }

  @Mutation(() => WebhookEndpoint)
  updateWebhookEndpoint(@Arg('id', () => ID) id: string, @Arg('input', () => UpdateWebhookEndpointInput) input: UpdateWebhookEndpointInput, @Ctx() ctx: Context) {
    return webhooks(ctx).update(id, input);
  }

  @Mutation(() => Boolean, { description: 'Deletes the endpoint and its deliveries.' })
  deleteWebhookEndpoint(@Arg('id', () => ID) id: string, @Ctx() ctx: Context) {
    return webhooks(ctx).delete(id);
  }

  @Mutation(() => WebhookDelivery, { description: 'Sends a webhook.test event to this endpoint.' })
  sendTestWebhook(@Arg('id', () => ID) id: string, @Ctx() ctx: Context) {
    return webhooks(ctx).sendTest(id);
  }

  @Mutation(() => WebhookDelivery, { description: 'Makes a SUCCEEDED or FAILED delivery due again now.' })
  retryWebhookDelivery(@Arg('id', () => ID) id: string, @Ctx() ctx: Context) {
    return webhooks(ctx).retry(id);
  }

  @FieldResolver(() => App)
  app(@Root() endpoint: WebhookEndpoint, @Ctx() ctx: Context) {
    return ctx.em.findOneOrFail(App, { id: endpoint.appId });
  }

  @FieldResolver(() => WebhookDeliveryConnection, { description: 'Newest first.' })
  deliveries(@Root() endpoint: WebhookEndpoint, @Args(() => DeliveriesArgs) args: DeliveriesArgs, @Ctx() ctx: Context) {
    return webhooks(ctx).deliveries(endpoint, args.status, parsePageArgs(args));
  }
}
