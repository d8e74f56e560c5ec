import { Field, InputType, ObjectType } from 'type-graphql';

@ObjectType({ description: 'A permission of the product’s own API that the app declares and its keys may be granted.' })
export class AppScope {
  @Field(() => String, { description: 'Lowercase letters, digits and _ . : -, starting with a letter; at most 64 characters.' })
  name!: string;

  @Field(() => String, { nullable: true })
  description!: string | null;
}

@InputType()
export class AppScopeInput {
  @Field(() => String, { description: 'Matches ^[a-z][a-z0-9_.:-]{0,63}$; not public, read, write or admin (built in).' })
  name!: string;

  @Field(() => String, { nullable: true, description: 'What the scope allows, for people granting it (≤ 500 characters).' })
  description?: string | null;
}
