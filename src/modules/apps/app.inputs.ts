import { Field, InputType, Int } from 'type-graphql';

@InputType()
export class CreateAppInput {
  @Field(() => String)
  name!: string;

  @Field(() => [String], { nullable: true })
  allowedOrigins?: string[] | null;

  @Field(() => Int, { nullable: true, description: 'Seconds; default 1800.' })
  defaultTokenLifetime?: number | null;

  @Field(() => Int, { nullable: true, description: 'Seconds; default 86400, at most 30 days.' })
  maxTokenLifetime?: number | null;

  @Field(() => Boolean, { nullable: true })
  publishableCanPublish?: boolean | null;
}

@InputType()
export class UpdateAppInput {
  @Field(() => String, { nullable: true })
  name?: string | null;

  @Field(() => [String], { nullable: true })
  allowedOrigins?: string[] | null;

  @Field(() => Int, { nullable: true })
  defaultTokenLifetime?: number | null;

  @Field(() => Int, { nullable: true })
  maxTokenLifetime?: number | null;

  @Field(() => Boolean, { nullable: true })
  publishableCanPublish?: boolean | null;
}
