import { pathFor, scaffoldSkill, SkillsyncError } from '@skillsync/core';
import { createSkill, writeSkillFolder } from '../builder/index.js';
import type { newOptions } from '../command-table.js';
import { defineHandler, type CommandInput, type CommandResult } from '../define-command.js';
import { displayPath } from '../format.js';

export interface NewData {
  readonly name: string;
  readonly dir: string;
  /** Relative to `dir`, in byte order. */
  readonly files: readonly string[];
  /** With --add: the manifest it was added to and what was installed. */
  readonly added?: {
    readonly manifest: string;
    readonly scope: 'user' | 'project';
    readonly version: string;
    readonly lockfile: string;
    readonly lockfileWritten: boolean;
  };
}

/**
 * `skillsync new`: a skill folder that passes `validate --strict`, written whole or not
 * at all. With --add it is also added to the manifest as a local skill and installed
 * (`createSkill`), so `skillsync sync` is all that is left: syncing writes into every
 * client, so it stays a step of its own, as after `add` and `install`.
 */
export const newHandler = defineHandler({
  run: async ({ env, paths, positionals, options }: CommandInput<typeof newOptions>): Promise<CommandResult<NewData>> => {
    const name = positionals[0] ?? '';
    if (options.user && !options.add) {
      throw new SkillsyncError('USAGE', '--user chooses the manifest --add adds the skill to; without --add nothing is added.', {
        hint: 'Pass --add --user to add it to your user manifest, or leave out --user.',
        details: { option: '--user' },
      });
    }
    // Scaffold first: an invalid name or description is refused before anything is written.
    const files = scaffoldSkill({ name, ...(options.description === undefined ? {} : { description: options.description }) });
    if (options.add) {
      const created = await createSkill({ env, paths, scope: options.user ? 'user' : 'project', name, files, ...(options.dir === undefined ? {} : { dir: options.dir }) });
      const { manifest, scope, version, lockfile, lockfileWritten } = created;
      return { ok: true, data: { name, dir: created.dir, files: created.files, added: { manifest, scope, version, lockfile, lockfileWritten } } };
    }
    const dir = pathFor(env).resolve(env.cwd, options.dir ?? '.', name);
    return { ok: true, data: { name, dir, files: await writeSkillFolder(dir, files) } };
  },
  render: (data: NewData, ui, env) => {
    const where = displayPath(env, data.dir);
    const lines = [`${ui.green('created')} skill ${ui.bold(data.name)} in ${where}${where.endsWith('/') ? '' : '/'}`, ...data.files.map((file) => `  ${file}`), ''];
    const { added } = data;
    if (added === undefined) {
      lines.push(`Next: write the instructions in ${where}/SKILL.md, then run ${ui.cyan(`skillsync validate ${where} --strict`)}.`);
      return lines.join('\n');
    }
    const lock = added.lockfileWritten ? `${displayPath(env, added.lockfile)} written` : `${displayPath(env, added.lockfile)} unchanged`;
    lines.push(
      `${ui.green('added')} ${ui.bold(data.name)} to ${displayPath(env, added.manifest)} and installed ${data.name}@${added.version}; ${lock}`,
      `Next: ${ui.cyan('skillsync sync')} puts it into your clients. While you write ${where}/SKILL.md, ${ui.cyan(`skillsync dev ${where} --sync`)} checks every save and keeps your clients up to date.`,
    );
    return lines.join('\n');
  },
});
