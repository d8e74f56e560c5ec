import type { Command } from 'commander';
import { type ApiOptions, ApiClient, withApiOptions } from './api-client';
import { type Action, details, printJson, secretNotice, table } from './output';

interface RootKeyRow {
  id: string;
  name: string;
  start: string;
  createdAt: string;
  revokedAt: string | null;
  lastUsedAt: string | null;
}

const FIELDS = 'id name start createdAt revokedAt lastUsedAt';

const rootKeyDetails = (k: RootKeyRow) =>
  details([['ID', k.id], ['Name', k.name], ['Start', k.start], ['Created', k.createdAt], ['Revoked', k.revokedAt], ['Last used', k.lastUsedAt]]);

export function addRootKeysCommands(program: Command, action: Action): void {
  const rootKeys = program.command('root-keys').description('list, create and revoke root keys (root key)');

  withApiOptions(rootKeys.command('list').description('list every root key, revoked ones included'))
    .action(action(async (options: ApiOptions) => {
      const { rootKeys: rows } = await new ApiClient(options).request<{ rootKeys: RootKeyRow[] }>(`{ rootKeys { ${FIELDS} } }`);
      if (options.json) return printJson(rows);
      process.stdout.write(table(['ID', 'NAME', 'START', 'CREATED', 'REVOKED', 'LAST USED'], rows.map((k) => [k.id, k.name, k.start, k.createdAt, k.revokedAt, k.lastUsedAt])));
    }));

  withApiOptions(rootKeys.command('create').description('create a root key; its secret is printed once'))
    .option('--name <name>', 'who or what holds it', 'root')
    .action(action(async (options: ApiOptions & { name: string }) => {
      const { createRootKey } = await new ApiClient(options).request<{ createRootKey: { secret: string; rootKey: RootKeyRow } }>(
        `mutation($name: String) { createRootKey(name: $name) { secret rootKey { ${FIELDS} } } }`,
        { name: options.name },
      );
      if (options.json) return printJson(createRootKey);
      process.stdout.write(rootKeyDetails(createRootKey.rootKey) + secretNotice(createRootKey.secret));
    }));

  withApiOptions(rootKeys.command('revoke').description('revoke a root key at once (never the last working one)').argument('<id>', 'the root key'))
    .action(action(async (id: string, options: ApiOptions) => {
      const { revokeRootKey } = await new ApiClient(options).request<{ revokeRootKey: RootKeyRow }>(`mutation($id: ID!) { revokeRootKey(id: $id) { ${FIELDS} } }`, { id });
      if (options.json) return printJson(revokeRootKey);
      process.stdout.write(rootKeyDetails(revokeRootKey));
    }));
}
