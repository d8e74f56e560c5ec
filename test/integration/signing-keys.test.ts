import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/test-server';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.close());

const LIST = '{ signingKeys { kid algorithm createdAt retiredAt } }';
type Listed = { signingKeys: { kid: string; algorithm: string; createdAt: string; retiredAt: string | null }[] };

describe('Query.signingKeys', () => {
  it('lists the current key first and the retired ones after it', async () => {
    const first = await server.root.raw<{ rotateSigningKey: { kid: string } }>('mutation { rotateSigningKey { kid } }');
    const second = await server.root.raw<{ rotateSigningKey: { kid: string } }>('mutation { rotateSigningKey { kid } }');
    const { data } = await server.root.raw<Listed>(LIST);
    const keys = data?.signingKeys ?? [];
    expect(keys[0]).toMatchObject({ kid: second.data?.rotateSigningKey.kid, algorithm: 'EdDSA', retiredAt: null });
    expect(keys.find((k) => k.kid === first.data?.rotateSigningKey.kid)).toMatchObject({ retiredAt: expect.any(String) });
    expect(keys.filter((k) => k.retiredAt === null)).toHaveLength(1);
  });

  it('never exposes key material: only kid, algorithm and dates are fields', async () => {
    const r = await server.root.raw('{ __type(name: "SigningKey") { fields { name } } }');
    expect((r.data as { __type: { fields: { name: string }[] } }).__type.fields.map((f) => f.name).sort()).toEqual(['algorithm', 'createdAt', 'kid', 'retiredAt']);
  });
});
