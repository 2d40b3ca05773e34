import { readFile } from 'node:fs/promises';
import { removeSkillFromManifest, SkillsyncError, writeFileAtomic } from '@skillsync/core';
import type { removeOptions } from '../command-table.js';
import { defineHandler, type CommandInput } from '../define-command.js';
import { displayPath } from '../format.js';
import { manifestToEdit } from '../project.js';

export interface RemoveData {
  readonly name: string;
  readonly file: string;
  readonly scope: 'user' | 'project';
}

export const removeHandler = defineHandler({
  run: async ({ env, positionals, options }: CommandInput<typeof removeOptions>) => {
    const name = positionals[0] ?? '';
    const { file, scope } = await manifestToEdit(env, options.user);
    const text = await readFile(file, 'utf8').catch((error: unknown) => {
      throw new SkillsyncError('MANIFEST_NOT_FOUND', `Could not read ${file}.`, { details: { path: file }, cause: error });
    });
    await writeFileAtomic(file, removeSkillFromManifest(text, name));
    const data: RemoveData = { name, file, scope };
    return { ok: true, data };
  },
  render: (data: RemoveData, ui, env) =>
    [
      `${ui.green('removed')} ${ui.bold(data.name)} from ${displayPath(env, data.file)}`,
      `Run ${ui.cyan('skillsync install')} to update skillsync.lock.`,
    ].join('\n'),
});
