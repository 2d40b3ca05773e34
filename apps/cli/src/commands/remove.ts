import { readFile } from 'node:fs/promises';
import { removeManifestConnector, removeSkillFromManifest, SkillsyncError, writeFileAtomic } from '@skillsync/core';
import type { removeOptions } from '../command-table.js';
import { defineHandler, type CommandInput } from '../define-command.js';
import { displayPath } from '../format.js';
import { manifestToEdit } from '../project.js';

export interface RemoveData {
  readonly name: string;
  readonly kind: 'skill' | 'connector';
  readonly file: string;
  readonly scope: 'user' | 'project';
}

export const removeHandler = defineHandler({
  run: async ({ env, positionals, options }: CommandInput<typeof removeOptions>) => {
    const skill = positionals[0];
    const connector = options.connector;
    if ((skill === undefined) === (connector === undefined)) {
      throw new SkillsyncError('USAGE', skill === undefined ? '`skillsync remove` needs <name>: the skill to remove (or --connector <name>).' : 'Give either a skill <name> or --connector <name>, not both.', {
        hint: 'Usage: skillsync remove <name> | skillsync remove --connector <name>',
      });
    }
    const { file, scope } = await manifestToEdit(env, options.user);
    const text = await readFile(file, 'utf8').catch((error: unknown) => {
      throw new SkillsyncError('MANIFEST_NOT_FOUND', `Could not read ${file}.`, { details: { path: file }, cause: error });
    });
    await writeFileAtomic(file, connector === undefined ? removeSkillFromManifest(text, skill ?? '') : removeManifestConnector(text, connector, file));
    const data: RemoveData = { name: connector ?? skill ?? '', kind: connector === undefined ? 'skill' : 'connector', file, scope };
    return { ok: true, data };
  },
  render: (data: RemoveData, ui, env) =>
    [
      `${ui.green('removed')} ${data.kind === 'connector' ? 'connector ' : ''}${ui.bold(data.name)} from ${displayPath(env, data.file)}`,
      data.kind === 'connector' ? `Run ${ui.cyan('skillsync sync')} to take it out of your clients.` : `Run ${ui.cyan('skillsync install')} to update skillsync.lock.`,
    ].join('\n'),
});
