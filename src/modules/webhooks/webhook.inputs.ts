import { ArgsType, Field, ID, InputType, ObjectType } from 'type-graphql';
import { ConnectionType, PageArgs } from '../../shared/pagination';
import { KeyMode } from '../keys/key-enums';
import { WebhookEndpoint } from './webhook-endpoint.entity';

export const WebhookEndpointConnection = ConnectionType(WebhookEndpoint, 'WebhookEndpoint');

@ArgsType()
export class WebhookEndpointsArgs extends PageArgs {
  @Field(() => ID)
  appId!: string;

  @Field(() => KeyMode, { nullable: true })
  mode?: KeyMode | null;
}

@InputType()
export class CreateWebhookEndpointInput {
  @Field(() => ID)
  appId!: string;

  @Field(() => KeyMode, { nullable: true, description: "Default: the caller's mode (LIVE for root)." })
  mode?: KeyMode | null;

  @Field(() => String, { description: 'http(s) URL; in production not a loopback, private or link-local address.' })
  url!: string;

  @Field(() => [String], { nullable: true, description: 'Event types to send; empty or omitted = all.' })
  events?: string[] | null;
}

@InputType()
export class UpdateWebhookEndpointInput {
  @Field(() => String, { nullable: true })
  url?: string | null;

  @Field(() => [String], { nullable: true })
  events?: string[] | null;

  @Field(() => Boolean, { nullable: true })
  enabled?: boolean | null;
}

@ObjectType()
export class CreateWebhookEndpointPayload {
  @Field(() => WebhookEndpoint)
  endpoint!: WebhookEndpoint;

  @Field(() => String, { description: 'The signing secret (`whsec_…`), shown only here.' })
  secret!: string;
}
