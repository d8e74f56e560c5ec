import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SessionAccessDocument } from '../generated/graphql';
import { createApp, createKey } from './fixtures';
import { LEAK } from './fuzz-oracles';
import { startTestServer, type TestServer } from './test-server';

/**
 * What the fuzz suites share (fuzz-*.security.test.ts): fast-check's parameters, one
 * deployment with real objects to aim at, and the checks every suite ends with.
 *
 * fast-check prints the seed and path of any failure; to replay one, run the file with
 * KEYGATE_FUZZ_SEED=<seed> KEYGATE_FUZZ_PATH=<path>.
 */

const SEED = process.env.KEYGATE_FUZZ_SEED ? Number(process.env.KEYGATE_FUZZ_SEED) : undefined;
const PATH = process.env.KEYGATE_FUZZ_PATH;
/** fast-check parameters: `numRuns` random cases, after the `examples` (known regressions) which always run first. */
export function runs<Ts>(numRuns: number, examples: NoInfer<Ts>[] = []): fc.Parameters<Ts> {
  return SEED === undefined ? { numRuns, examples } : { numRuns, seed: SEED, path: PATH, endOnFailure: true };
}

export interface FuzzFixture {
  server: TestServer;
  appId: string;
  otherAppId: string;
  /** READ_WRITE secret key: the REST caller. */
  writer: { id: string; secret: string };
  /** ADMIN secret key: a GraphQL caller besides root. Never handed to the fuzzer as an id. */
  admin: { id: string; secret: string };
  publishable: { id: string; secret: string };
  /** A real, active session token minted by `writer`. */
  realToken: string;
  rotationId: string;
}

export async function startFuzzFixture(): Promise<FuzzFixture> {
  // The per-IP budget of failed authentications would answer 429 after a few dozen
  // refusals; the fuzz suites send thousands on purpose, and assert the 401 each deserves.
  const server = await startTestServer({ env: { KEYGATE_AUTH_FAILURES_PER_IP: '0' } });
  const appId = (await createApp(server.root, 'Fuzz app')).id;
  const otherAppId = (await createApp(server.root, 'Other app')).id;
  const writer = await createKey(server.root, { appId, mode: 'LIVE', role: 'READ_WRITE', name: 'fuzz writer' });
  const admin = await createKey(server.root, { appId, mode: 'LIVE', role: 'ADMIN', name: 'fuzz admin' });
  const publishable = await createKey(server.root, { appId, mode: 'LIVE', kind: 'PUBLISHABLE', name: 'fuzz pk', allowedOrigins: [] });
  const realToken = (await server.client(writer.secret).ok(SessionAccessDocument, { input: { userId: 'fuzz-user', tokenLifetime: 3600 } })).sessionAccess.token;
  const rotated = await createKey(server.root, { appId, mode: 'LIVE', name: 'rotated' });
  const rotation = await server.root.raw<{ rotateApiKey: { rotation: { id: string } } }>(
    'mutation($id: ID!) { rotateApiKey(id: $id, gracePeriodSeconds: 3600) { rotation { id } } }',
    { id: rotated.id },
  );
  return { server, appId, otherAppId, writer, admin, publishable, realToken, rotationId: rotation.data!.rotateApiKey.rotation.id };
}

/**
 * The suite's deployment, set up before its tests and closed after them, and the checks
 * that end every fuzz suite: nothing logged at error level, no log line holding SQL, a
 * stack trace or a credential, and the database still reachable.
 */
export function fuzzSuite(): { readonly fixture: FuzzFixture } {
  const suite = {} as { fixture: FuzzFixture };
  beforeAll(async () => {
    suite.fixture = await startFuzzFixture();
  });
  afterAll(() => suite.fixture?.server.close());
  return suite;
}

export function afterTheFuzzing(suite: { readonly fixture: FuzzFixture }): void {
  describe('after all the fuzzing above', () => {
    it('the server logged nothing at error level (every input was an expected refusal, not a failure)', () => {
      const errors = suite.fixture.server.logs
        .flatMap((chunk) => chunk.split('\n'))
        .filter(Boolean)
        .map((line) => JSON.parse(line) as { level: string | number; msg?: string })
        .filter((entry) => entry.level === 'error' || entry.level === 'fatal' || (typeof entry.level === 'number' && entry.level >= 50));
      expect(errors.map((e) => JSON.stringify(e).slice(0, 600))).toEqual([]);
    });

    it('no log line holds SQL, a stack trace, a driver error or any key or token presented above (DESIGN.md "Errors")', () => {
      const { server, writer, admin, realToken } = suite.fixture;
      const lines = server.logs.flatMap((chunk) => chunk.split('\n')).filter(Boolean);
      expect(lines.filter((line) => LEAK.test(line)).map((line) => line.slice(0, 400))).toEqual([]);
      for (const secret of [writer.secret, admin.secret, server.rootKey, realToken]) {
        expect(lines.filter((line) => line.includes(secret) || line.includes(secret.slice(-20))).length).toBe(0);
      }
    });

    it('answers /readyz: the database connection survived', async () => {
      const response = await fetch(`${suite.fixture.server.baseUrl}/readyz`);
      expect(response.status).toBe(200);
    });
  });
}

export const VIEWER_BODY = JSON.stringify({ query: '{ viewer { type } }' });
export const bearer = (c: string): [string, string] => ['Authorization', `Bearer ${c}`];
