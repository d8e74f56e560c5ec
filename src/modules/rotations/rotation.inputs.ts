import { ArgsType, Field, ObjectType } from 'type-graphql';
import { ConnectionType, PageArgs } from '../../shared/pagination';
import { KeyMode } from '../keys/key-enums';
import { Rotation, RotationStatus } from './rotation.entity';

export const RotationConnection = ConnectionType(Rotation, 'Rotation');

@ArgsType()
export class RotationsArgs extends PageArgs {
  @Field(() => KeyMode, { nullable: true })
  mode?: KeyMode | null;

  @Field(() => RotationStatus, { nullable: true })
  status?: RotationStatus | null;
}

@ObjectType()
export class RotateApiKeyPayload {
  @Field(() => Rotation)
  rotation!: Rotation;

  @Field(() => String, { description: 'The new key. Shown only here; store it now.' })
  secret!: string;
}
