import { Arg, Ctx, ID, Mutation, Query, Resolver } from 'type-graphql';
import { type Context, actorOf } from '../../context';
import { RootKey } from '../auth/root-key.entity';
import { RootKeyService } from './root-key.service';
import { CreateRootKeyPayload } from './root-key.types';

const rootKeys = (ctx: Context) => new RootKeyService(ctx.em, actorOf(ctx), ctx.runtime);

@Resolver()
export class RootKeyResolver {
  @Query(() => [RootKey], { description: 'Every root key, newest first, revoked ones included. Root only.' })
  rootKeys(@Ctx() ctx: Context): Promise<RootKey[]> {
    return rootKeys(ctx).list();
  }

  @Mutation(() => CreateRootKeyPayload, { description: 'Creates a root key; its secret is returned only this once. Root only.' })
  createRootKey(@Arg('name', () => String, { nullable: true }) name: string | null, @Ctx() ctx: Context): Promise<CreateRootKeyPayload> {
    return rootKeys(ctx).create(name);
  }

  @Mutation(() => RootKey, { description: 'Revokes a root key at once, in every process. CONFLICT for the last working one. Root only.' })
  revokeRootKey(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<RootKey> {
    return rootKeys(ctx).revoke(id);
  }
}
