import type { updateOptions } from '../command-table.js';
import { defineHandler, type CommandInput } from '../define-command.js';
import { renderInstall, runInstall } from '../run-install.js';

export const updateHandler = defineHandler({
  run: ({ env, paths, positionals, progress }: CommandInput<typeof updateOptions>) =>
    runInstall(env, paths, { frozen: false, update: positionals.length === 0 ? true : positionals, progress: progress('updating'), profiles: 'refresh' }),
  render: renderInstall,
});
