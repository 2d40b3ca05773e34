import { readdir } from 'node:fs/promises';
import { pathFor, scaffoldSkill, SkillsyncError, writeFileAtomic } from '@skillsync/core';
import type { newOptions } from '../command-table.js';
import { defineHandler, type CommandInput } from '../define-command.js';
import { displayPath } from '../format.js';

export interface NewData {
  readonly name: string;
  readonly dir: string;
  /** Relative to `dir`, in the order they were written. */
  readonly files: readonly string[];
}

export const newHandler = defineHandler({
  run: async ({ env, positionals, options }: CommandInput<typeof newOptions>) => {
    const p = pathFor(env);
    const name = positionals[0] ?? '';
    // Scaffold first: an invalid name or description is refused before anything is written.
    const files = scaffoldSkill({ name, ...(options.description === undefined ? {} : { description: options.description }) });
    const dir = p.resolve(env.cwd, options.dir ?? '.', name);
    const existing = await readdir(dir).catch(() => undefined);
    if (existing !== undefined && existing.length > 0) {
      throw new SkillsyncError('FILE_WRITE_FAILED', `${dir} already exists and is not empty.`, {
        hint: 'Choose another name or --dir, or remove the folder first.',
        details: { path: dir },
      });
    }
    const written = Object.keys(files).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    for (const relative of written) await writeFileAtomic(p.join(dir, ...relative.split('/')), files[relative] ?? '');
    const data: NewData = { name, dir, files: written };
    return { ok: true, data };
  },
  render: (data: NewData, ui, env) => {
    const where = displayPath(env, data.dir);
    return [
      `${ui.green('created')} skill ${ui.bold(data.name)} in ${where}${where.endsWith('/') ? '' : '/'}`,
      ...data.files.map((file) => `  ${file}`),
      '',
      `Next: write the instructions in ${where}/SKILL.md, then run ${ui.cyan(`skillsync validate ${where} --strict`)}.`,
    ].join('\n');
  },
});
