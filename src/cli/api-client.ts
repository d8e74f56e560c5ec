import type { Command } from 'commander';
import { ServerError, UsageError } from './output';

export const DEFAULT_URL = 'http://localhost:4000';

/** Options every API command takes. */
export interface ApiOptions {
  url?: string;
  key?: string;
  json?: boolean;
}

/** Adds --url, --key and --json, so each command's --help names them. */
export function withApiOptions(command: Command): Command {
  return command
    .option('--url <url>', `the server (env KEYGATE_URL, default ${DEFAULT_URL})`)
    .option('--key <key>', 'a root or secret key (env KEYGATE_API_KEY)')
    .option('--json', 'print JSON (the GraphQL data; a list for list commands) instead of a table');
}

/** The GraphQL endpoint: a bare server URL gets /graphql appended. */
function endpointOf(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UsageError(`--url / KEYGATE_URL is not a URL: ${raw}`);
  }
  if (url.pathname === '/' || url.pathname === '') url.pathname = '/graphql';
  return url.toString();
}

/** Talks to a running server over its public GraphQL API, as the console and scripts do. */
export class ApiClient {
  private readonly endpoint: string;
  private readonly key: string;

  constructor(options: ApiOptions, env: NodeJS.ProcessEnv = process.env) {
    this.endpoint = endpointOf(options.url ?? env.KEYGATE_URL ?? DEFAULT_URL);
    const key = options.key ?? env.KEYGATE_API_KEY;
    if (!key) throw new UsageError('no API key: pass --key <key> or set KEYGATE_API_KEY');
    this.key = key;
  }

  async request<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
    let response: Response;
    try {
      response = await fetch(this.endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${this.key}` },
        body: JSON.stringify({ query, variables }),
        signal: AbortSignal.timeout(30_000),
      });
    } catch (error) {
      const cause = (error as { cause?: { code?: string; message?: string; errors?: { code?: string }[] } }).cause;
      const why = cause?.code ?? cause?.errors?.[0]?.code ?? cause?.message ?? (error as Error).message;
      throw new ServerError('UNREACHABLE', `cannot reach ${this.endpoint} (${why})`);
    }
    const body = (await response.json().catch(() => null)) as { data?: T | null; errors?: { message: string; extensions?: { code?: string; reason?: string } }[] } | null;
    if (!body) throw new ServerError(`HTTP_${response.status}`, `the server at ${this.endpoint} did not answer with GraphQL JSON`);
    const [first] = body.errors ?? [];
    if (first) throw new ServerError(first.extensions?.code ?? 'ERROR', first.message, first.extensions?.reason);
    if (!body.data) throw new ServerError('ERROR', 'the server answered without data');
    return body.data;
  }

  /** Every node of a Relay connection, page by page. */
  async all<N>(query: string, variables: Record<string, unknown>, connectionOf: (data: any) => { nodes: N[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } }): Promise<N[]> {
    const nodes: N[] = [];
    let after: string | null = null;
    for (;;) {
      const page = connectionOf(await this.request(query, { ...variables, after }));
      nodes.push(...page.nodes);
      if (!page.pageInfo.hasNextPage || page.pageInfo.endCursor === null) return nodes;
      after = page.pageInfo.endCursor;
    }
  }
}
