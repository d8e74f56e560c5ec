import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GRAPHQL_DOC, withGeneratedReference } from '../../src/cli/graphql-docs';
import { ENVIRONMENT_VARIABLES } from '../../src/config';
import { AuthReason, ErrorCode } from '../../src/errors';
import { openApiDocument } from '../../src/modules/http/openapi';

/** docs/ is the reference a clone has: complete where the code can tell, and its links resolve. */

const ROOT = resolve(__dirname, '../..');
const read = (file: string) => readFileSync(join(ROOT, file), 'utf8');
const DOCS = readdirSync(join(ROOT, 'docs')).filter((name) => name.endsWith('.md')).map((name) => `docs/${name}`);

describe('docs/', () => {
  it('holds the GraphQL type reference generated from schema/schema.graphql (run `npm run docs`)', () => {
    const current = readFileSync(GRAPHQL_DOC, 'utf8');
    expect(withGeneratedReference(current) === current, 'docs/graphql-api.md is stale: npm run schema && npm run docs').toBe(true);
  });

  it('names every error code and auth reason in the GraphQL reference', () => {
    const doc = read('docs/graphql-api.md');
    for (const code of [...Object.values(ErrorCode), ...Object.values(AuthReason)]) expect(doc, code).toContain(`\`${code}\``);
  });

  it('documents every REST path of /openapi.json and every REST error code', () => {
    const doc = read('docs/rest-api.md');
    for (const path of Object.keys(openApiDocument.paths)) expect(doc, path).toContain(path);
    for (const code of openApiDocument.components.schemas.Error.properties.error.properties.code.enum) expect(doc, code).toContain(`\`${code}\``);
  });

  it('documents every environment variable the configuration reads', () => {
    const doc = read('docs/configuration.md');
    for (const name of ENVIRONMENT_VARIABLES) expect(doc, name).toContain(`\`${name}\``);
  });

  it("names in the README's Configuration table only variables the configuration reads", () => {
    const readme = read('README.md');
    const start = readme.indexOf('\n## Configuration\n');
    const end = readme.indexOf('\n## ', start + 1);
    const table = readme.slice(start, end < 0 ? undefined : end);
    const named = [...table.matchAll(/^\| `([A-Z_]+)`(?: \/ `([A-Z_]+)`)?/gm)].flatMap((row) => row.slice(1).filter(Boolean));
    expect(named.length).toBeGreaterThan(0);
    for (const name of named) expect(ENVIRONMENT_VARIABLES, name).toContain(name);
  });

  it('has only links that resolve inside the repository (no ../shared/DESIGN.md)', () => {
    for (const file of ['README.md', ...DOCS]) {
      const text = read(file);
      expect(text).not.toContain('shared/DESIGN.md');
      for (const [, target] of text.matchAll(/\]\(([^)#\s]+)(?:#[^)]*)?\)/g)) {
        if (/^[a-z]+:/.test(target)) continue;
        expect(existsSync(resolve(ROOT, dirname(file), target)), `${file} links to ${target}`).toBe(true);
      }
    }
  });
});
