// @ts-check
'use strict';

/**
 * Baseline for figures 1 and 2: a bare Apollo Server (standalone, no shield, no ORM)
 * doing only what no key service can skip. Its context takes the Bearer key, computes
 * its HMAC-SHA-256 and looks that up in a Map (401 when absent); `viewer` answers from
 * the record found, and `sessionAccess` signs the same claims Keygate signs as an EdDSA
 * JWT with jose. The bench passes the key and Keygate's own answers, so both sides send
 * bytes of the same shape and the ratio measures only what Keygate adds. Started as a
 * child process, like Keygate, so neither shares a core with the load generator more.
 */

const crypto = require('node:crypto');
const { ApolloServer } = require('@apollo/server');
const { startStandaloneServer } = require('@apollo/server/standalone');
const { GraphQLError } = require('graphql');
const { SignJWT } = require('jose');

const typeDefs = `#graphql
  enum PrincipalType { ROOT API_KEY }
  type Viewer { type: PrincipalType!, keyId: ID }
  type SessionToken { token: String! }
  input SessionAccessInput { userId: String! }
  type Query { viewer: Viewer! }
  type Mutation { sessionAccess(input: SessionAccessInput!): SessionToken! }
`;

const hmacSecret = crypto.randomBytes(32);
const hash = (/** @type {string} */ key) => crypto.createHmac('sha256', hmacSecret).update(key, 'utf8').digest('hex');
/** @type {Map<string, { type: string, keyId: string, appId: string, mode: string }>} */
const keys = new Map([
  [
    hash(process.env.BASELINE_KEY || 'sk_test_baseline'),
    {
      type: process.env.BASELINE_VIEWER_TYPE || 'API_KEY',
      keyId: process.env.BASELINE_KEY_ID || 'key_baseline',
      appId: process.env.BASELINE_APP_ID || 'app_baseline',
      mode: process.env.BASELINE_MODE || 'TEST',
    },
  ],
]);

const { privateKey } = crypto.generateKeyPairSync('ed25519');
const kid = `sig_${crypto.randomBytes(12).toString('hex')}`;
const issuer = process.env.BASELINE_ISSUER || 'http://127.0.0.1';

const resolvers = {
  Query: { viewer: (/** @type {unknown} */ _root, /** @type {unknown} */ _args, /** @type {any} */ ctx) => ({ type: ctx.key.type, keyId: ctx.key.keyId }) },
  Mutation: {
    /** The claims Keygate's SessionService signs, with the same defaults (1 h, no media). */
    sessionAccess: async (/** @type {unknown} */ _root, /** @type {{ input: { userId: string } }} */ { input }, /** @type {any} */ ctx) => {
      const iat = Math.floor(Date.now() / 1000);
      const token = await new SignJWT({ services: { media: { allow_publish_audio: false, allow_publish_video: false } }, mode: ctx.key.mode, akid: ctx.key.keyId })
        .setProtectedHeader({ alg: 'EdDSA', kid, typ: 'session+jwt' })
        .setIssuer(issuer)
        .setAudience(ctx.key.appId)
        .setSubject(input.userId)
        .setJti(`tok_${crypto.randomBytes(18).toString('base64url')}`)
        .setIssuedAt(iat)
        .setNotBefore(iat)
        .setExpirationTime(iat + 3600)
        .sign(privateKey);
      return { token };
    },
  },
};

async function main() {
  const server = new ApolloServer({ typeDefs, resolvers });
  const { url } = await startStandaloneServer(server, {
    listen: { port: 0, host: '127.0.0.1' },
    context: async ({ req }) => {
      const match = /^Bearer[ ]+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
      const key = match ? keys.get(hash(match[1])) : undefined;
      if (!key) throw new GraphQLError('Invalid API key', { extensions: { code: 'UNAUTHENTICATED', http: { status: 401 } } });
      return { key };
    },
  });
  // Same line shape as Keygate's, so one reader finds both URLs.
  process.stdout.write(`${JSON.stringify({ url: new URL('graphql', url).toString() })}\n`);
  process.once('SIGTERM', () => void server.stop().finally(() => process.exit(0)));
}

main().catch((error) => {
  process.stderr.write(`${error instanceof Error ? error.stack : error}\n`);
  process.exit(1);
});
