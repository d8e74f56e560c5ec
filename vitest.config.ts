import { createRequire } from 'node:module';
import swc from 'unplugin-swc';
import { defineConfig } from 'vitest/config';

// SWC instead of esbuild: type-graphql and MikroORM read decorator metadata,
// which esbuild does not emit.
const require = createRequire(__filename);

export default defineConfig({
  // One graphql instance: type-graphql and Apollo load the CommonJS build, so the
  // code under test must too (graphql refuses objects from a second copy), and so must
  // graphql-query-complexity, whose ESM build would import graphql's ESM build.
  // graphql-shield too, as the built server does: its ES build imports `isUndefined`
  // from 'util', which Node 23+ no longer has, so on Node 24 it fails to link; and then
  // graphql-middleware, so that shield and schema.ts share one copy of it.
  resolve: {
    alias: [
      { find: /^graphql$/, replacement: require.resolve('graphql') },
      { find: /^graphql-query-complexity$/, replacement: require.resolve('graphql-query-complexity') },
      { find: /^graphql-shield$/, replacement: require.resolve('graphql-shield') },
      { find: /^graphql-middleware$/, replacement: require.resolve('graphql-middleware') },
    ],
  },
  plugins: [swc.vite({ module: { type: 'es6' }, jsc: { target: 'es2022', parser: { syntax: 'typescript', decorators: true }, transform: { legacyDecorator: true, decoratorMetadata: true } } })],
  test: {
    include: ['test/**/*.test.ts'],
    setupFiles: ['test/helpers/worker-hygiene.ts'],
    pool: 'forks',
    // Measured on the 2-core CI machine (issue 25 part 4): most of a file's time is spent
    // waiting on HTTP, the database's fsync, child processes and browsers, so two workers
    // (Vitest's default there is one, cores - 1) run the suite in far less time.
    maxWorkers: Number(process.env.KEYGATE_TEST_WORKERS ?? 2),
    minWorkers: 1,
    poolOptions: {
      forks: {
        // Importing and compiling the server (TypeScript through SWC) for each file was most
        // of the suite's "collect" time; a worker now keeps its modules from file to file.
        // Safe because no suite mocks modules, each file starts its own servers on its own
        // databases, and test/helpers/worker-hygiene.ts fails a file that leaves globals faked.
        isolate: false,
      },
    },
    testTimeout: 30_000,
    hookTimeout: 60_000,
    reporters: ['default'],
  },
});
