import { Field, ObjectType } from 'type-graphql';
import { Rotation } from './rotation.entity';

@ObjectType()
export class RotateApiKeyPayload {
  @Field(() => Rotation)
  rotation!: Rotation;

  @Field(() => String, { description: 'The new key. Shown only here; store it now.' })
  secret!: string;
}
