import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { type ApiOptions, ApiClient, withApiOptions } from './api-client';
import { type Action, UsageError, printJson } from './output';

/** The manifest as graphql-codegen's client preset writes it; the server checks each hash. */
function readManifest(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new UsageError(`cannot read ${path}`);
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new UsageError(`${path} is not JSON: expected a persisted-documents manifest ({"<sha256>": "<document>"})`);
  }
}

export function addDocumentsCommands(program: Command, action: Action): void {
  const documents = program.command('documents').description("an app's trusted documents for the gateway (ADMIN or root key)");

  withApiOptions(documents.command('push').description('register the documents of a persisted-documents manifest (graphql-codegen)').argument('<manifest>', 'path to persisted-documents.json'))
    .requiredOption('--app <id>', 'the app')
    .action(action(async (manifest: string, options: ApiOptions & { app: string }) => {
      const { registerTrustedDocuments: added } = await new ApiClient(options).request<{ registerTrustedDocuments: number }>(
        'mutation($appId: ID!, $documents: JSON!) { registerTrustedDocuments(appId: $appId, documents: $documents) }',
        { appId: options.app, documents: readManifest(manifest) },
      );
      if (options.json) return printJson({ added });
      process.stdout.write(`${added} new document${added === 1 ? '' : 's'} registered\n`);
    }));
}
