import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawHttp } from '../helpers/raw-http';
import { type TestServer, startTestServer } from '../helpers/test-server';

/**
 * A request target that URL parsing refuses ("//" reads as an empty host) used to throw
 * out of the request handler and stop the process: one unauthenticated request took the
 * service down. Found while making the path fast path (plainPath) agree with URL.
 */

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.close());

describe('request targets URL cannot parse', () => {
  it.each(['//', '///', '//:99999/x'])('%s is answered 400 invalid_request, and the server keeps serving', async (target) => {
    const response = await rawHttp(server.baseUrl, { path: target });
    expect(response.status).toBe(400);
    expect(JSON.parse(response.text).error).toMatchObject({ code: 'invalid_request' });
    expect((await fetch(`${server.baseUrl}/healthz`)).status).toBe(200);
  });

  it('a target URL reads differently from its bytes is routed by what URL reads', async () => {
    const response = await rawHttp(server.baseUrl, { path: '/auth/./verify' });
    expect(response.status).toBe(401);
    expect(JSON.parse(response.text).error).toMatchObject({ code: 'authentication_failed' });
  });
});
