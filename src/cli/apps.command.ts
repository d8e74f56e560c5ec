import type { Command } from 'commander';
import { type ApiOptions, ApiClient, withApiOptions } from './api-client';
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
}
