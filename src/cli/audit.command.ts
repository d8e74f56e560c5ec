import { type Command, InvalidArgumentError, Option } from 'commander';
import { type ApiOptions, ApiClient, withApiOptions } from './api-client';
import { type Action, printJson, table } from './output';

interface EventRow {
  id: string;
  at: string;
  mode: string | null;
  actorType: string;
  actorId: string | null;
  action: string;
  targetId: string | null;
  ip: string | null;
  details: unknown;
}

function count(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1 || Number(value) > 100) throw new InvalidArgumentError('must be 1 to 100');
  return Number(value);
}

export function addAuditCommands(program: Command, action: Action): void {
  const audit = program.command('audit').description("read an app's audit log (ADMIN or root key)");

  withApiOptions(audit.command('tail').description("the latest audit events of an app, oldest first, like tail(1)"))
    .requiredOption('--app <id>', 'the app')
    .addOption(new Option('--mode <mode>', 'live or test').choices(['live', 'test']))
    .option('-n, --lines <count>', 'how many events (1-100)', count, 20)
    .action(action(async (options: ApiOptions & { app: string; mode?: string; lines: number }) => {
      const { auditEvents } = await new ApiClient(options).request<{ auditEvents: { nodes: EventRow[] } }>(
        `query($app: ID!, $mode: KeyMode, $first: Int) { auditEvents(appId: $app, mode: $mode, first: $first) { nodes { id at mode actorType actorId action targetId ip details } } }`,
        { app: options.app, mode: options.mode?.toUpperCase() ?? null, first: options.lines },
      );
      // The API answers newest first; a tail reads oldest first, the latest last.
      const events = [...auditEvents.nodes].reverse();
      if (options.json) return printJson(events);
      process.stdout.write(
        table(['AT', 'ACTION', 'MODE', 'ACTOR', 'TARGET', 'IP', 'DETAILS'], events.map((e) => [e.at, e.action, e.mode, e.actorId ?? e.actorType, e.targetId, e.ip, e.details ? JSON.stringify(e.details) : null])),
      );
    }));
}
