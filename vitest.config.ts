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
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 60_000,
    reporters: ['default'],
  },
});
