import { type Command, InvalidArgumentError, Option } from 'commander';
import { type ApiOptions, ApiClient, withApiOptions } from './api-client';
import { type Action, UsageError, details, printJson, secretNotice, table } from './output';

interface KeyRow {
  id: string;
  name: string;
  kind: string;
  mode: string;
  role: string | null;
  status: string;
  start: string;
  createdAt: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
  scopes: string[];
}

const KEY_FIELDS = 'id name kind mode role status start createdAt expiresAt lastUsedAt scopes';

const modeOption = () => new Option('--mode <mode>', 'live or test').choices(['live', 'test']);

function keyDetails(key: KeyRow): string {
  return details([
    ['ID', key.id],
    ['Name', key.name],
    ['Kind', key.kind],
    ['Mode', key.mode],
    ['Role', key.role],
    ['Status', key.status],
    ['Start', key.start],
    ['Expires', key.expiresAt],
    ['Scopes', key.scopes.join(' ')],
  ]);
}

function grace(value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError('must be a whole number of seconds');
  return Number(value);
}

export function addKeysCommands(program: Command, action: Action): void {
  const keys = program.command('keys').description("list, create, revoke and rotate an app's API keys");

  withApiOptions(keys.command('list').description("list an app's keys"))
    .requiredOption('--app <id>', 'the app')
    .addOption(modeOption())
    .action(action(async (options: ApiOptions & { app: string; mode?: string }) => {
      const rows = await new ApiClient(options).all<KeyRow>(
        `query($app: ID!, $mode: KeyMode, $after: String) { app(id: $app) { apiKeys(mode: $mode, first: 100, after: $after) { nodes { ${KEY_FIELDS} } pageInfo { hasNextPage endCursor } } } }`,
        { app: options.app, mode: options.mode?.toUpperCase() ?? null },
        (d) => {
          if (!d.app) throw new UsageError(`no app ${options.app}`);
          return d.app.apiKeys;
        },
      );
      if (options.json) return printJson(rows);
      process.stdout.write(
        table(['ID', 'NAME', 'KIND', 'MODE', 'ROLE', 'STATUS', 'START', 'LAST USED'], rows.map((k) => [k.id, k.name, k.kind, k.mode, k.role, k.status, k.start, k.lastUsedAt])),
      );
    }));

  withApiOptions(keys.command('create').description('create a key; its secret is printed once'))
    .requiredOption('--app <id>', 'the app')
    .requiredOption('--name <name>', 'a name for people')
    .addOption(new Option('--kind <kind>', 'publishable or secret').choices(['publishable', 'secret']).makeOptionMandatory())
    .addOption(modeOption().default('test'))
    .addOption(new Option('--role <role>', 'secret keys: read_only, read_write or admin').choices(['read_only', 'read_write', 'admin']))
    .option('--expires <time>', 'when the key stops working (ISO 8601, e.g. 2027-01-01T00:00:00Z)')
    .option('--scope <name>', 'grant a custom scope the app declares (repeat for more)', (name: string, all: string[]) => [...all, name], [] as string[])
    .action(action(async (options: ApiOptions & { app: string; name: string; kind: string; mode: string; role?: string; expires?: string; scope: string[] }) => {
      if (options.expires !== undefined && Number.isNaN(Date.parse(options.expires))) throw new UsageError(`--expires must be an ISO 8601 time (got ${options.expires})`);
      const input = {
        appId: options.app,
        name: options.name,
        kind: options.kind.toUpperCase(),
        mode: options.mode.toUpperCase(),
        ...(options.role ? { role: options.role.toUpperCase() } : {}),
        ...(options.expires ? { expiresAt: new Date(options.expires).toISOString() } : {}),
        ...(options.scope.length > 0 ? { scopes: options.scope } : {}),
      };
      const { createApiKey } = await new ApiClient(options).request<{ createApiKey: { apiKey: KeyRow; secret: string } }>(
        `mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { secret apiKey { ${KEY_FIELDS} } } }`,
        { input },
      );
      if (options.json) return printJson(createApiKey);
      process.stdout.write(keyDetails(createApiKey.apiKey) + secretNotice(createApiKey.secret));
    }));

  withApiOptions(keys.command('revoke').description('revoke a key at once').argument('<id>', 'the key'))
    .option('--reason <text>', 'why (kept with the key and in the audit log)')
    .action(action(async (id: string, options: ApiOptions & { reason?: string }) => {
      const { revokeApiKey } = await new ApiClient(options).request<{ revokeApiKey: KeyRow & { revokedAt: string; revokedReason: string } }>(
        `mutation($id: ID!, $reason: String) { revokeApiKey(id: $id, reason: $reason) { ${KEY_FIELDS} revokedAt revokedReason } }`,
        { id, reason: options.reason ?? null },
      );
      if (options.json) return printJson(revokeApiKey);
      process.stdout.write(keyDetails(revokeApiKey) + details([['Revoked', revokeApiKey.revokedAt], ['Reason', revokeApiKey.revokedReason]]));
    }));

  withApiOptions(keys.command('rotate').description('replace a key; the old one works until the grace period ends').argument('<id>', 'the key'))
    .option('--grace <seconds>', 'how long the old key keeps working (default 86400; 0 = stop it now)', grace)
    .action(action(async (id: string, options: ApiOptions & { grace?: number }) => {
      const { rotateApiKey } = await new ApiClient(options).request<{ rotateApiKey: { secret: string; rotation: { id: string; graceEndsAt: string; oldKey: KeyRow; newKey: KeyRow } } }>(
        `mutation($id: ID!, $grace: Int) { rotateApiKey(id: $id, gracePeriodSeconds: $grace) { secret rotation { id graceEndsAt oldKey { ${KEY_FIELDS} } newKey { ${KEY_FIELDS} } } } }`,
        { id, grace: options.grace ?? null },
      );
      if (options.json) return printJson(rotateApiKey);
      const { rotation } = rotateApiKey;
      process.stdout.write(
        details([['Rotation', rotation.id], ['Old key', rotation.oldKey.id], ['Old key works until', rotation.graceEndsAt], ['New key', rotation.newKey.id], ['New key start', rotation.newKey.start]]) +
          secretNotice(rotateApiKey.secret),
      );
    }));
}
