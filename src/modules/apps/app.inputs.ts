import { Field, InputType, Int } from 'type-graphql';
import { TokenAlgorithm } from '../sessions/token-algorithm';
import { LeakedKeyPolicy } from './app.entity';
import { AppScopeInput } from './app-scope.types';
import { TrustedDocumentsPolicy } from '../gateway/trusted-document.entity';

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
  @Field(() => TokenAlgorithm, { nullable: true, description: 'How session tokens are signed; tokens already issued keep verifying until they expire.' })
  tokenAlgorithm?: TokenAlgorithm | null;
}

@InputType()
export class UpdateAppInput {
  @Field(() => LeakedKeyPolicy, { nullable: true, description: 'What a leak report of one of its secret keys does (default REVOKE).' })
  leakedKeyPolicy?: LeakedKeyPolicy | null;

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
  @Field(() => TokenAlgorithm, { nullable: true, description: 'How session tokens are signed; tokens already issued keep verifying until they expire.' })
  tokenAlgorithm?: TokenAlgorithm | null;

  @Field(() => [AppScopeInput], {
    nullable: true,
    description: 'Replaces the declared scopes as a whole (at most 100). A scope left out is taken from every key that holds it.',
  })
  scopes?: AppScopeInput[] | null;

  @Field(() => Int, { nullable: true, description: 'The gateway\'s limit on an operation\'s estimated cost, 1 to 1000000.' })
  maxOperationCost?: number | null;

  @Field(() => TrustedDocumentsPolicy, { nullable: true, description: 'OFF, PUBLISHABLE (publishable keys and their tokens run only registered documents) or ALL.' })
  trustedDocumentsPolicy?: TrustedDocumentsPolicy | null;
}
