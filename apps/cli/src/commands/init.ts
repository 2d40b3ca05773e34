import { access } from 'node:fs/promises';
import { createManifestText, MANIFEST_FILE, pathFor, SkillsyncError, writeFileAtomic } from '@skillsync/core';
import type { initOptions } from '../command-table.js';
import { defineHandler, type CommandInput } from '../define-command.js';
import { displayPath } from '../format.js';

export interface InitData {
  readonly file: string;
  readonly scope: 'user' | 'project';
}

export const initHandler = defineHandler({
  run: async ({ env, paths, options }: CommandInput<typeof initOptions>) => {
    const scope = options.user ? 'user' : 'project';
    const file = options.user ? paths.userManifest : pathFor(env).join(env.cwd, MANIFEST_FILE);
    const exists = await access(file).then(
      () => true,
      () => false,
    );
    if (exists && !options.force) {
      throw new SkillsyncError('MANIFEST_EXISTS', `${file} already exists.`, { details: { path: file } });
    }
    await writeFileAtomic(file, createManifestText());
    const data: InitData = { file, scope };
    return { ok: true, data };
  },
  render: (data: InitData, ui, env) =>
    [
      `${ui.green('created')} ${displayPath(env, data.file)} ${ui.dim(`(${data.scope} manifest)`)}`,
      `Next: ${ui.cyan(`skillsync add <source>${data.scope === 'user' ? ' --user' : ''}`)}, then ${ui.cyan('skillsync install')}.`,
    ].join('\n'),
});
