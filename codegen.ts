import type { CodegenConfig } from '@graphql-codegen/cli';

const clientPreset = {
  preset: 'client' as const,
  presetConfig: { fragmentMasking: false },
  config: { scalars: { DateTime: 'string', JSON: 'unknown' }, enumsAsTypes: true, useTypeImports: true },
};

/** Typed documents for the operations the tests and the console use, from the committed schema. */
const config: CodegenConfig = {
  schema: 'schema/schema.graphql',
  generates: {
    'test/generated/': { documents: ['test/operations/**/*.graphql'], ...clientPreset },
    'console/src/gql/': { documents: ['console/src/operations/**/*.graphql'], ...clientPreset },
  },
  silent: true,
};

export default config;
