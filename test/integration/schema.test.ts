import 'reflect-metadata';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SCHEMA_FILE, renderSchema } from '../../src/cli/schema-file';
import { pendingSchemaChanges } from '../../src/database/migration-tools';
import { TEST_DIALECT } from '../helpers/test-server';

describe('committed artefacts match the code', () => {
  it('schema/schema.graphql is the SDL the code emits (run `npm run schema` when this fails)', async () => {
    expect(readFileSync(SCHEMA_FILE, 'utf8')).toBe(await renderSchema());
  });

  it(`the ${TEST_DIALECT} migrations produce exactly the schema the entities describe (run \`npm run migration:create -- <Name>\`)`, async () => {
    expect(await pendingSchemaChanges([TEST_DIALECT])).toEqual({ [TEST_DIALECT]: false });
  });
});
