import { GraphQLJSON } from 'graphql-scalars';
import { Arg, Args, Ctx, FieldResolver, ID, Int, Mutation, Resolver, Root } from 'type-graphql';
import { type Context, actorOf } from '../../context';
import { ConnectionType, PageArgs, parsePageArgs } from '../../shared/pagination';
import { App } from '../apps/app.entity';
import { TrustedDocument } from './trusted-document.entity';
import { TrustedDocumentsService } from './trusted-documents.service';

export const TrustedDocumentConnection = ConnectionType(TrustedDocument, 'TrustedDocument');

const service = (ctx: Context) => new TrustedDocumentsService(ctx.em, actorOf(ctx), ctx.runtime);

@Resolver(() => App)
export class TrustedDocumentsResolver {
  @FieldResolver(() => TrustedDocumentConnection, { description: 'The documents the gateway may run when App.trustedDocumentsPolicy asks for registered ones, newest first.' })
  trustedDocuments(@Root() app: App, @Args(() => PageArgs) page: PageArgs, @Ctx() ctx: Context) {
    return service(ctx).list(app.id, parsePageArgs(page));
  }

  @Mutation(() => Int, {
    description:
      'Registers a persisted-documents manifest ({"<sha256 hex>": "<document>"}, as graphql-codegen\'s client preset writes it). A hash that does not match its document refuses the whole call. Answers how many documents were new.',
  })
  registerTrustedDocuments(@Arg('appId', () => ID) appId: string, @Arg('documents', () => GraphQLJSON) documents: unknown, @Ctx() ctx: Context) {
    return service(ctx).register(appId, documents);
  }

  @Mutation(() => Boolean)
  removeTrustedDocument(@Arg('appId', () => ID) appId: string, @Arg('id', () => ID) id: string, @Ctx() ctx: Context) {
    return service(ctx).remove(appId, id);
  }
}
