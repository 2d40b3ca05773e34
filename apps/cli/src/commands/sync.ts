import type { syncOptions } from '../command-table.js';
import { defineHandler, type CommandInput } from '../define-command.js';
import { renderSync, runSync, type SyncData } from '../run-sync.js';

/** `skillsync sync`: puts the desired state into every target client (or, with --dry-run / --check, says what it would do). */
export const syncHandler = defineHandler({
  run: ({ env, paths, options }: CommandInput<typeof syncOptions>) => {
    const mode: SyncData['mode'] = options.check ? 'check' : options['dry-run'] ? 'dry-run' : 'apply';
    return runSync(env, paths, { mode, scope: options.scope, clients: options.client, profiles: mode === 'apply' ? 'refresh' : 'cache' });
  },
  render: renderSync,
});
