import { Command, CommanderError } from 'commander';
import { addAppsCommands } from './apps.command';
import { addAuditCommands } from './audit.command';
import { addDocumentsCommands } from './documents.command';
import { addKeysCommands } from './keys.command';
import { type Action, ServerError, UsageError } from './output';
import { addRootKeysCommands } from './root-keys.command';
import { addServerCommands } from './server-commands';

export { serve } from './server-commands';

/**
 * The `keygate` command. Exit codes scripts can rely on: 0 success, 1 the server (or the
 * configuration) refused — its error code on stderr — and 2 wrong usage.
 */
export async function main(argv: string[]): Promise<number> {
  let code = 0;
  const program = new Command('keygate')
    .usage('<command> [options]')
    .description('Keygate: API keys and session tokens. Server commands work on the database; the others talk to a running server.')
    .addHelpText('after', '\nServer commands read the environment and .env; API commands take --url/KEYGATE_URL and --key/KEYGATE_API_KEY.\nRun keygate <command> --help for a command\'s options.')
    .showHelpAfterError()
    .exitOverride();

  const action: Action =
    (work) =>
    async (...args) => {
      try {
        await work(...args);
      } catch (error) {
        if (error instanceof UsageError) {
          process.stderr.write(`keygate: ${error.message}\n`);
          code = 2;
        } else if (error instanceof ServerError) {
          process.stderr.write(`keygate: ${error.code}${error.reason ? ` (${error.reason})` : ''}: ${error.message}\n`);
          code = 1;
        } else throw error;
      }
    };

  addServerCommands(program, (c) => (code = c));
  addAppsCommands(program, action);
  addKeysCommands(program, action);
  addRootKeysCommands(program, action);
  addAuditCommands(program, action);
  addDocumentsCommands(program, action);
  // Subcommands inherit exitOverride only when set on each: commander copies settings at creation.
  for (const command of allCommands(program)) command.exitOverride();

  if (argv.length === 0) {
    program.outputHelp({ error: true });
    return 2;
  }
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    if (error instanceof UsageError) {
      process.stderr.write(`keygate: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
  return code;
}

function allCommands(command: Command): Command[] {
  return command.commands.flatMap((c) => [c, ...allCommands(c)]);
}
