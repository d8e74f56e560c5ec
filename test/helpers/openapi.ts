import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { expect } from 'vitest';
import { openApiDocument } from '../../src/modules/http/openapi';

/**
 * Checks REST responses against the OpenAPI description the server serves at
 * /openapi.json: the path and method are documented, the status is one the operation
 * declares, the headers it marks required are sent, and a JSON body matches that
 * response's schema (JSON Schema 2020-12, as OpenAPI 3.1 defines it). Used by the REST suites on every response they read.
 */

const DOC_ID = 'https://keygate.invalid/openapi.json';
// OpenAPI keywords outside JSON Schema (description, example) are annotations: not strict.
const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats(ajv);
ajv.addSchema({ $id: DOC_ID, ...openApiDocument } as object);
const compiled = new Map<string, ValidateFunction>();

type Operation = { responses: Record<string, { content?: Record<string, unknown>; headers?: Record<string, { required?: boolean }> }> };
const pointer = (...parts: string[]) => parts.map((p) => p.replaceAll('~', '~0').replaceAll('/', '~1')).join('/');

/** Asserts that `response` is what the description says `method path` may answer; returns its body text. */
export async function expectDocumented(method: string, path: string, response: Response): Promise<string> {
  const text = await response.clone().text();
  const pathname = new URL(path, 'http://x').pathname;
  const item = (openApiDocument.paths as Record<string, Record<string, Operation>>)[pathname];
  expect(item, `${pathname} is not in /openapi.json`).toBeDefined();
  const operation = item[method.toLowerCase()];
  expect(operation, `${method} ${pathname} is not in /openapi.json`).toBeDefined();
  const status = String(response.status);
  const declared = operation.responses[status];
  expect(declared, `${method} ${pathname} answered ${status}, which /openapi.json does not declare`).toBeDefined();
  for (const [name, header] of Object.entries(declared.headers ?? {})) {
    if (header.required) expect(response.headers.has(name), `${method} ${pathname} ${status} lacks the header ${name} /openapi.json requires`).toBe(true);
  }
  const type = (response.headers.get('content-type') ?? '').split(';')[0].trim();
  if (!declared.content) {
    expect(text, `${method} ${pathname} ${status} has a body /openapi.json does not describe`).toBe('');
    return text;
  }
  expect(Object.keys(declared.content), `${method} ${pathname} ${status}: content type ${type}`).toContain(type);
  if (type !== 'application/json') return text;
  const ref = `${DOC_ID}#/${pointer('paths', pathname, method.toLowerCase(), 'responses', status, 'content', type, 'schema')}`;
  let validate = compiled.get(ref);
  if (!validate) {
    validate = ajv.compile({ $ref: ref });
    compiled.set(ref, validate);
  }
  const ok = validate(JSON.parse(text));
  expect(ok, `${method} ${pathname} ${status} does not match /openapi.json: ${ajv.errorsText(validate.errors)}\n${text}`).toBe(true);
  return text;
}

/**
 * For a suite's general request helper: checks responses of documented operations, and
 * lets through what is deliberately outside the surface (unknown paths answered 404,
 * methods answered 405), which OpenAPI has no way to describe.
 */
export async function checkIfDocumented(method: string, path: string, response: Response): Promise<void> {
  const pathname = new URL(path, 'http://x').pathname;
  const item = (openApiDocument.paths as Record<string, Record<string, Operation> | undefined>)[pathname];
  if (!item?.[method.toLowerCase()]) return;
  await expectDocumented(method, path, response);
}

/** fetch(baseUrl + path), with the response checked against /openapi.json when the operation is documented. */
export async function documentedFetch(baseUrl: string, path: string, init: RequestInit = {}): Promise<Response> {
  const response = await fetch(`${baseUrl}${path}`, init);
  await checkIfDocumented(init.method ?? 'GET', path, response);
  return response;
}
