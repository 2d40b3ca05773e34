import type { installOptions } from '../command-table.js';
import { defineHandler, type CommandInput } from '../define-command.js';
import { renderInstall, runInstall } from '../run-install.js';

export const installHandler = defineHandler({
  run: ({ env, paths, options, progress }: CommandInput<typeof installOptions>) =>
    runInstall(env, paths, { frozen: options.frozen, progress: progress('installing'), profiles: 'refresh' }),
  render: renderInstall,
});
