import type { syncOptions } from '../command-table.js';
import { defineHandler, type CommandInput, type CommandResult } from '../define-command.js';
import { reportingRegistries } from '../org-profiles.js';
import { renderSync, runSync, type SyncData } from '../run-sync.js';

/** `skillsync sync`: puts the desired state into every target client (or, with --dry-run / --check, says what it would do). */
export const syncHandler = defineHandler({
  run: async ({ env, paths, options }: CommandInput<typeof syncOptions>): Promise<CommandResult<SyncData>> => {
    const mode: SyncData['mode'] = options.check ? 'check' : options['dry-run'] ? 'dry-run' : 'apply';
    const result = await runSync(env, paths, { mode, scope: options.scope, clients: options.client, profiles: mode === 'apply' ? 'refresh' : 'cache' });
    // Only a sync that applied tells the org how this machine stands; the code loads only for an org that collects reports.
    const registries = mode === 'apply' ? reportingRegistries(result.data.org?.profiles ?? []) : [];
    if (registries.length === 0) return result;
    const { reportAfterSync } = await import('../org-reports.js');
    return { ...result, data: { ...result.data, reports: await reportAfterSync(env, result.data, registries) } };
  },
  render: renderSync,
});
