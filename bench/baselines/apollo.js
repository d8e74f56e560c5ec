// @ts-check
'use strict';

/**
 * Baseline for figures 1 and 2: a bare Apollo Server (standalone, no auth, no shield,
 * no ORM) with static resolvers of the same shape as Keygate's. The bench passes the
 * values Keygate returned, so both answer the same bytes and the ratio measures only
 * what Keygate adds. Started as a child process, like Keygate, so neither shares a
 * CPU core with the load generator more than the other.
 */

const { ApolloServer } = require('@apollo/server');
const { startStandaloneServer } = require('@apollo/server/standalone');

const typeDefs = `#graphql
  enum PrincipalType { ROOT API_KEY }
  type Viewer { type: PrincipalType!, keyId: ID }
  type SessionToken { token: String! }
  input SessionAccessInput { userId: String! }
  type Query { viewer: Viewer! }
  type Mutation { sessionAccess(input: SessionAccessInput!): SessionToken! }
`;

const viewer = { type: process.env.BASELINE_VIEWER_TYPE || 'API_KEY', keyId: process.env.BASELINE_KEY_ID || 'key_baseline' };
const token = { token: process.env.BASELINE_TOKEN || 'static-token' };

const resolvers = {
  Query: { viewer: () => viewer },
  Mutation: { sessionAccess: () => token },
};

async function main() {
  const server = new ApolloServer({ typeDefs, resolvers });
  const { url } = await startStandaloneServer(server, { listen: { port: 0, host: '127.0.0.1' } });
  // Same line shape as Keygate's, so one reader finds both URLs.
  process.stdout.write(`${JSON.stringify({ url: new URL('graphql', url).toString() })}\n`);
  process.once('SIGTERM', () => void server.stop().finally(() => process.exit(0)));
}

main().catch((error) => {
  process.stderr.write(`${error instanceof Error ? error.stack : error}\n`);
  process.exit(1);
});
