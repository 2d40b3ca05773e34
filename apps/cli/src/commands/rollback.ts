import { listRuns, rollback, type RunSummary } from '@skillsync/sync';
import type { rollbackOptions } from '../command-table.js';
import { defineHandler, type CommandInput, type CommandResult } from '../define-command.js';
import { renderTable, shortPath } from '../format.js';

export type RollbackData =
  | { readonly action: 'list'; readonly runs: readonly RunSummary[] }
  | { readonly action: 'rollback'; readonly runId: string; readonly restored: readonly string[] };

/** `skillsync rollback [run-id]`: restores every file of the last (or named) sync run byte for byte; `--list` shows runs. */
export const rollbackHandler = defineHandler({
  run: async ({ paths, positionals, options }: CommandInput<typeof rollbackOptions>): Promise<CommandResult<RollbackData>> => {
    if (options.list) {
      const data: RollbackData = { action: 'list', runs: await listRuns(paths.state) };
      return { ok: true, data };
    }
    const runId = positionals[0];
    const result = await rollback({ stateDir: paths.state, ...(runId === undefined ? {} : { runId }), force: options.force });
    const data: RollbackData = { action: 'rollback', runId: result.runId, restored: result.restored };
    return { ok: true, data };
  },
  render: (data: RollbackData, ui, env) => {
    if (data.action === 'list') {
      if (data.runs.length === 0) return 'No sync runs yet.';
      const rows = data.runs.map((run) => [run.runId, run.startedAt, run.rolledBackAt === undefined ? run.status : 'rolled back', run.scope, String(run.paths.length)]);
      return renderTable(['run', 'started', 'status', 'scope', 'paths'], rows, ui).join('\n');
    }
    const lines = [`${ui.green('✓')} rolled back run ${ui.bold(data.runId)}: ${data.restored.length} restored`];
    for (const file of data.restored) lines.push(`  ${shortPath(env, file, env.cwd)}`);
    return lines.join('\n');
  },
});
