import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { printSchema } from 'graphql';
import { buildBareSchema } from '../modules/management/schema';

/** Path of the committed SDL file, relative to the package root. */
export const SCHEMA_FILE = join(__dirname, '..', '..', 'schema', 'schema.graphql');

/** The SDL the code defines, exactly as committed in schema/schema.graphql. */
export async function renderSchema(): Promise<string> {
  return `${printSchema(await buildBareSchema())}\n`;
}

export async function emitSchema(file = SCHEMA_FILE): Promise<string> {
  const sdl = await renderSchema();
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, sdl);
  return file;
}
