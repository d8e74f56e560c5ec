import { Field, ObjectType } from 'type-graphql';
import { RootKey } from '../auth/root-key.entity';

@ObjectType({ description: 'A new root key; `secret` is shown only this once.' })
export class CreateRootKeyPayload {
  @Field(() => RootKey)
  rootKey!: RootKey;

  @Field(() => String, { description: 'The key itself. Store it now: only its HMAC is kept.' })
  secret!: string;
}
