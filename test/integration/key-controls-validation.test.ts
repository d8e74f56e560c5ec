import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiKeyDocument, CreateApiKeyDocument, UpdateApiKeyDocument } from '../generated/graphql';
import { createApp, createKey } from '../helpers/fixtures';
import { codeOf } from '../helpers/graphql-client';
import { type TestServer, startTestServer } from '../helpers/test-server';

/** DESIGN.md "Key controls": bad input is BAD_USER_INPUT naming the field, never a 500 and never a partial write. */
let server: TestServer;
let appId: string;

beforeAll(async () => {
  server = await startTestServer();
  appId = (await createApp(server.root, 'Validation')).id;
});
afterAll(() => server?.close());

const bigMeta = { blob: 'x'.repeat(4097) };
const cases: [string, Record<string, unknown>, string][] = [
  ['meta that is an array', { meta: [1, 2] }, 'meta'],
  ['meta that is a string', { meta: 'plan=pro' }, 'meta'],
  ['meta over 4 KiB serialized', { meta: bigMeta }, 'meta'],
  ['an unparsable IP', { allowedIps: ['300.1.1.1'] }, 'allowedIps'],
  ['an unparsable CIDR prefix', { allowedIps: ['10.0.0.0/33'] }, 'allowedIps'],
  ['a hostname for an IP', { allowedIps: ['example.com'] }, 'allowedIps'],
  ['negative credits', { credits: { remaining: -1 } }, 'credits.remaining'],
  ['a refill amount of 0', { credits: { remaining: 1, refill: { interval: 'DAILY', amount: 0 } } }, 'credits.refill.amount'],
  ['dayOfMonth 0', { credits: { remaining: 1, refill: { interval: 'MONTHLY', amount: 5, dayOfMonth: 0 } } }, 'credits.refill.dayOfMonth'],
  ['dayOfMonth 32', { credits: { remaining: 1, refill: { interval: 'MONTHLY', amount: 5, dayOfMonth: 32 } } }, 'credits.refill.dayOfMonth'],
  ['dayOfMonth on a daily refill', { credits: { remaining: 1, refill: { interval: 'DAILY', amount: 5, dayOfMonth: 3 } } }, 'credits.refill.dayOfMonth'],
  ['an empty ownerId', { ownerId: '   ' }, 'ownerId'],
  ['an ownerId over 255 characters', { ownerId: 'o'.repeat(256) }, 'ownerId'],
  ['an ownerId with a control character', { ownerId: 'cus\n42' }, 'ownerId'],
];

describe('createApiKey refuses bad key controls', () => {
  it.each(cases)('%s → BAD_USER_INPUT on %s, and no key is created', async (_label, controls, field) => {
    const result = await server.root.request(CreateApiKeyDocument, {
      input: { appId, name: 'bad', kind: 'SECRET', mode: 'TEST', role: 'READ_ONLY', ...controls } as never,
    });
    expect(result.status).toBe(200);
    expect(codeOf(result)).toBe('BAD_USER_INPUT');
    expect(result.errors?.[0].extensions?.field).toBe(field);
    expect(result.data).toBeNull();
  });

  it('credits beyond a GraphQL Int (over 2^31 − 1) are refused by GraphQL itself as BAD_USER_INPUT', async () => {
    const result = await server.root.request(CreateApiKeyDocument, {
      input: { appId, name: 'big', kind: 'SECRET', mode: 'TEST', role: 'READ_ONLY', credits: { remaining: 3_000_000_000 } },
    });
    expect(result.status).toBe(400);
    expect(codeOf(result)).toBe('BAD_USER_INPUT');
  });
});

describe('updateApiKey refuses bad key controls', () => {
  it.each(cases)('%s → BAD_USER_INPUT on %s, and the key is unchanged', async (_label, controls, field) => {
    const key = await createKey(server.root, { appId, extra: { ownerId: 'keep', meta: { keep: true }, credits: { remaining: 7 } } });
    const result = await server.root.request(UpdateApiKeyDocument, { id: key.id, input: { name: 'renamed', ...controls } as never });
    expect(codeOf(result)).toBe('BAD_USER_INPUT');
    expect(result.errors?.[0].extensions?.field).toBe(field);
    const after = await server.root.ok(ApiKeyDocument, { id: key.id });
    expect(after.apiKey).toMatchObject({ name: key.name, ownerId: 'keep', meta: { keep: true }, credits: { remaining: 7 } });
  });

  it('refuses enabled: null (omit it to leave the key as it is)', async () => {
    const key = await createKey(server.root, { appId });
    const result = await server.root.request(UpdateApiKeyDocument, { id: key.id, input: { enabled: null } });
    expect(codeOf(result)).toBe('BAD_USER_INPUT');
    expect(result.errors?.[0].extensions?.field).toBe('enabled');
  });
});
