import { skillsyncPaths, type Env } from '@skillsync/core';
import type {
  auditOptions,
  auditVerifyOptions,
  clientsOptions,
  diffOptions,
  importOptions,
  listOptions,
  outdatedOptions,
  policyCheckOptions,
  statusOptions,
  validateOptions,
} from '../../command-table.js';
import { commandTable } from '../../command-table.js';
import type { CommandResult, OptionValue, OptionValues } from '../../define-command.js';
import { parseCommandLine } from '../../parse-command-line.js';
import { silentProgress } from '../../ui.js';
import type { AuditListData, AuditVerifyData } from '../../commands/audit.js';
import type { ClientsData } from '../../commands/clients.js';
import type { DiffData } from '../../commands/diff.js';
import type { ImportData } from '../../commands/import.js';
import type { ListData } from '../../commands/list.js';
import type { OutdatedData } from '../../commands/outdated.js';
import type { PolicyCheckData } from '../../commands/policy.js';
import type { StatusData } from '../../commands/status.js';
import type { ValidateData } from '../../commands/validate.js';

/** The commands the dashboard may run, with their options and the data each returns. */
interface DashboardCommands {
  status: { options: typeof statusOptions; data: StatusData };
  clients: { options: typeof clientsOptions; data: ClientsData };
  list: { options: typeof listOptions; data: ListData };
  outdated: { options: typeof outdatedOptions; data: OutdatedData };
  validate: { options: typeof validateOptions; data: ValidateData };
  diff: { options: typeof diffOptions; data: DiffData };
  audit: { options: typeof auditOptions; data: AuditListData };
  'audit verify': { options: typeof auditVerifyOptions; data: AuditVerifyData };
  'policy check': { options: typeof policyCheckOptions; data: PolicyCheckData };
  import: { options: typeof importOptions; data: ImportData };
}

export type DashboardCommand = keyof DashboardCommands;

/** The allow-list, checked at run time too: nothing else (serve, secret get, rollback…) is reachable from the page. */
const dashboardCommands: ReadonlySet<string> = new Set<DashboardCommand>([
  'status',
  'clients',
  'list',
  'outdated',
  'validate',
  'diff',
  'audit',
  'audit verify',
  'policy check',
  'import',
]);

export interface RunCommandRequest<N extends DashboardCommand> {
  readonly options?: Partial<OptionValues<DashboardCommands[N]['options']>>;
  readonly positionals?: readonly string[];
}

/**
 * Runs one allowed CLI command in this process, exactly as `skillsync <name> --json`
 * would (the command line is built and parsed by the CLI's own parser, so defaults
 * and checks are the same), and returns its data. Values are passed as `--name=value`
 * and positionals after `--`, so no value can turn into an option.
 */
export async function runCommand<N extends DashboardCommand>(env: Env, name: N, request: RunCommandRequest<N> = {}): Promise<CommandResult<DashboardCommands[N]['data']>> {
  if (!dashboardCommands.has(name)) throw new Error(`${name} is not a dashboard command`);
  const argv = [...name.split(' ')];
  const options: Readonly<Record<string, OptionValue>> = request.options ?? {};
  for (const [option, value] of Object.entries(options)) {
    if (value === true) argv.push(`--${option}`);
    else if (typeof value === 'string') argv.push(`--${option}=${value}`);
    else if (Array.isArray(value)) for (const item of value) argv.push(`--${option}=${item}`);
  }
  if (request.positionals !== undefined && request.positionals.length > 0) argv.push('--', ...request.positionals);
  const parsed = parseCommandLine(argv, commandTable);
  if (parsed.kind !== 'command') throw new Error(`${name} did not parse as a command`);
  const handler = await parsed.spec.load();
  const result = await handler.execute({
    env,
    paths: skillsyncPaths(env),
    positionals: parsed.positionals,
    options: parsed.options,
    flags: { json: true, quiet: false, verbose: false, color: false },
    progress: () => silentProgress,
  });
  // The allow-list pairs each name with its handler's data type.
  return { ok: result.ok, data: result.data as DashboardCommands[N]['data'] };
}
