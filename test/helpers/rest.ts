import { documentedFetch } from './openapi';

/** Small REST helpers for suites that call Keygate's HTTP endpoints directly; responses are checked against /openapi.json. */
export function restClient(baseUrl: string) {
  const call = (path: string, init: RequestInit & { key?: string } = {}) => {
    const { key, headers, ...rest } = init;
    return documentedFetch(baseUrl, path, { ...rest, headers: { ...(key ? { authorization: `Bearer ${key}` } : {}), ...(headers as Record<string, string>) } });
  };
  const postJson = (path: string, key: string | undefined, body: unknown, headers: Record<string, string> = {}) =>
    call(path, { method: 'POST', key, headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  return { call, postJson };
}

/** The REST error body of a response, after checking its status. */
export async function restError(response: Response, status: number): Promise<Record<string, unknown>> {
  if (response.status !== status) throw new Error(`expected HTTP ${status}, got ${response.status}: ${await response.text()}`);
  const body = (await response.json()) as { error: Record<string, unknown> };
  return body.error;
}
