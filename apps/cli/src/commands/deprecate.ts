import { SkillsyncError } from '@skillsync/core';
import type { deprecateOptions } from '../command-table.js';
import { defineHandler, type CommandInput } from '../define-command.js';
import { changeVersionStatus, renderStatusChange, type VersionStatusData } from './yank.js';

/** `skillsync deprecate name@version --message`: it still resolves, with the message as a warning. */
export const deprecateHandler = defineHandler({
  run: ({ env, positionals, options, progress }: CommandInput<typeof deprecateOptions>) => {
    if (!options.undo && (options.message ?? '').trim() === '') {
      throw new SkillsyncError('USAGE', 'deprecate needs --message: say what to use instead.', {
        hint: 'e.g. skillsync deprecate triage-bug@1.0.0 --message "use 2.x"',
      });
    }
    return changeVersionStatus(env, positionals[0] ?? '', {
      registry: options.registry,
      status: options.undo ? 'active' : 'deprecated',
      from: options.undo ? 'deprecated' : undefined,
      message: options.message,
      progress: progress('asking the registry'),
    });
  },
  render: (data: VersionStatusData, ui) => renderStatusChange(data, ui),
});
