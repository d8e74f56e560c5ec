import { Arg, Ctx, Mutation, Query, Resolver } from 'type-graphql';
import { type Context, actorOf } from '../../context';
import { recordAudit } from '../audit/audit.service';
import { SessionAccessInput, SessionToken, TokenIntrospection } from './session.inputs';
import { SessionService } from './session.service';
import { SigningKey } from './signing-key.entity';
import { TokenAlgorithm } from './token-algorithm';
import { keyTransaction } from '../auth/key-transaction';

const sessions = (ctx: Context) => new SessionService(() => ctx.em, actorOf(ctx), ctx.runtime);

@Resolver()
export class SessionResolver {
  @Mutation(() => SessionToken, { description: 'Mints a short-lived signed session token for one user.' })
  sessionAccess(@Arg('input', () => SessionAccessInput) input: SessionAccessInput, @Ctx() ctx: Context) {
    const { services, ...rest } = input;
    return sessions(ctx).mint({ ...rest, media: services?.media ?? null });
  }

  @Query(() => TokenIntrospection, { description: 'Is this session token active now? Never an error for a bad token.' })
  introspectToken(@Arg('token', () => String) token: string, @Ctx() ctx: Context) {
    return sessions(ctx).introspect(token);
  }

  @Query(() => [SigningKey], { description: 'Every signing key, newest first: the current one (retiredAt null) and the retired ones.' })
  signingKeys(@Ctx() ctx: Context): Promise<SigningKey[]> {
    return ctx.em.find(SigningKey, {}, { orderBy: { createdAt: 'desc', kid: 'desc' } });
  }

  @Mutation(() => SigningKey, {
    description:
      'Makes a new current signing key of `algorithm`; without it, of every algorithm in use (the answer is the deployment default’s). Old keys stay in the JWKS until their tokens expire.',
  })
  async rotateSigningKey(@Arg('algorithm', () => TokenAlgorithm, { nullable: true }) algorithm: TokenAlgorithm | null | undefined, @Ctx() ctx: Context): Promise<SigningKey> {
    const actor = actorOf(ctx);
    const store = ctx.runtime.signingKeys;
    const fallback = ctx.runtime.config.tokenAlgorithm;
    // Every process (this one right after the commit) forgets its cached signing keys.
    return keyTransaction(ctx.em, ctx.runtime, async (tem, changed) => {
      const algorithms = algorithm ? [algorithm] : [...new Set([fallback, ...(await store.algorithmsInUse(tem))])];
      const created: SigningKey[] = [];
      for (const a of algorithms) {
        const key = await store.rotate(tem, a);
        await recordAudit(tem, actor, { action: 'signing_key.rotate', appId: null, mode: null, targetId: key.kid, details: { algorithm: key.algorithm } }, key.createdAt);
        created.push(key);
      }
      changed({ signingKeys: true });
      return created[0];
    });
  }
}
