import type { Command } from 'commander';
import { type ApiOptions, ApiClient, withApiOptions } from './api-client';
import { SCOPE_NAME } from '../modules/keys/key-scopes';
import { type Action, details, printJson, table } from './output';

interface AppRow {
  id: string;
  name: string;
  createdAt: string;
  allowedOrigins: string[];
  defaultTokenLifetime: number;
  maxTokenLifetime: number;
}

const APP_FIELDS = 'id name createdAt allowedOrigins defaultTokenLifetime maxTokenLifetime';

export function addAppsCommands(program: Command, action: Action): void {
  const apps = program.command('apps').description('list and create apps (root key)');

  withApiOptions(apps.command('list').description('list every app'))
    .action(action(async (options: ApiOptions) => {
      const rows = await new ApiClient(options).all<AppRow>(
        `query($after: String) { apps(first: 100, after: $after) { nodes { ${APP_FIELDS} } pageInfo { hasNextPage endCursor } } }`,
        {},
        (d) => d.apps,
      );
      if (options.json) return printJson(rows);
      process.stdout.write(table(['ID', 'NAME', 'CREATED', 'ALLOWED ORIGINS'], rows.map((a) => [a.id, a.name, a.createdAt, a.allowedOrigins.join(',')])));
    }));

  withApiOptions(apps.command('create').description('create an app').argument('<name>', 'the app name'))
    .option('--origin <origin...>', 'allowed origins for its publishable keys')
    .action(action(async (name: string, options: ApiOptions & { origin?: string[] }) => {
      const { createApp } = await new ApiClient(options).request<{ createApp: AppRow }>(
        `mutation($input: CreateAppInput!) { createApp(input: $input) { ${APP_FIELDS} } }`,
        { input: { name, ...(options.origin ? { allowedOrigins: options.origin } : {}) } },
      );
      if (options.json) return printJson(createApp);
      process.stdout.write(details([['ID', createApp.id], ['Name', createApp.name], ['Created', createApp.createdAt], ['Allowed origins', createApp.allowedOrigins.join(',')]]));
    }));

  withApiOptions(
    apps
      .command('scopes')
      .description("an app's declared scopes")
      .command('set')
      .description('replace the scopes an app declares (a scope left out is taken from every key)')
      .argument('[scopes...]', 'name or name:description, e.g. orders:refund:"Refund an order"'),
  )
    .requiredOption('--app <id>', 'the app')
    .action(action(async (entries: string[], options: ApiOptions & { app: string }) => {
      const { updateApp } = await new ApiClient(options).request<{ updateApp: { id: string; scopes: ScopeRow[] } }>(
        'mutation($id: ID!, $input: UpdateAppInput!) { updateApp(id: $id, input: $input) { id scopes { name description } } }',
        { id: options.app, input: { scopes: entries.map(scopeEntry) } },
      );
      if (options.json) return printJson(updateApp.scopes);
      process.stdout.write(table(['SCOPE', 'DESCRIPTION'], updateApp.scopes.map((s) => [s.name, s.description ?? ''])));
    }));
}

interface ScopeRow {
  name: string;
  description: string | null;
}

/**
 * `name` or `name:description`. Names may hold colons themselves (orders:refund), so the
 * description starts after the last colon that follows a valid name and precedes text no
 * name could be (a space, a capital letter): `orders:refund:Refund an order`.
 */
export function scopeEntry(entry: string): ScopeRow {
  for (let at = entry.lastIndexOf(':'); at > 0; at = entry.lastIndexOf(':', at - 1)) {
    const name = entry.slice(0, at);
    const description = entry.slice(at + 1);
    if (SCOPE_NAME.test(name) && !/^[a-z0-9_.:-]*$/.test(description)) return { name, description };
  }
  return { name: entry, description: null };
}
