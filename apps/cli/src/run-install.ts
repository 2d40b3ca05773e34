import type { Env, SerializedError, SkillsyncPaths } from '@skillsync/core';
import { installSkills, openStore, type InstalledSkill } from '@skillsync/store';
import type { CommandResult } from './define-command.js';
import { displayPath, plural, renderProblem } from './format.js';
import { loadInstallContext, writeLockfileIfChanged } from './project.js';
import type { Progress, Ui } from './ui.js';

export interface InstallData {
  readonly lockfile: string;
  /** True when this run wrote skillsync.lock (never with --frozen). */
  readonly lockfileWritten: boolean;
  readonly frozen: boolean;
  readonly skills: readonly InstalledSkill[];
  /** Why nothing was installed; empty on success. */
  readonly problems: readonly SerializedError[];
}

/** `install` and `update` are one operation: resolve (or take the lock), verify, store, lock. */
export async function runInstall(
  env: Env,
  paths: SkillsyncPaths,
  options: { readonly frozen: boolean; readonly update?: readonly string[] | true; readonly progress: Progress },
): Promise<CommandResult<InstallData>> {
  const context = await loadInstallContext(env);
  options.progress.update(undefined, undefined, plural(context.manifests.effective.skills.length, 'skill'));
  const result = await installSkills({
    env,
    manifest: context.manifests.effective,
    manifestDir: context.manifestDir,
    lockfile: context.lockfile,
    frozen: options.frozen,
    ...(options.update === undefined ? {} : { update: options.update }),
    store: openStore(paths.store),
  }).finally(options.progress.done);
  if (!result.ok) {
    const data: InstallData = { lockfile: context.lockfileFile, lockfileWritten: false, frozen: options.frozen, skills: [], problems: result.problems };
    return { ok: false, data };
  }
  // --frozen never writes the lockfile, whatever install says.
  const lockfileWritten = !options.frozen && (await writeLockfileIfChanged(context.lockfileFile, context.lockfileText, result.lockfile));
  const data: InstallData = { lockfile: context.lockfileFile, lockfileWritten, frozen: options.frozen, skills: result.skills, problems: [] };
  return { ok: true, data };
}

export function renderInstall(data: InstallData, ui: Ui, env: Env): string {
  const lines: string[] = [];
  for (const problem of data.problems) lines.push(renderProblem(problem, ui));
  if (data.problems.length > 0) {
    lines.push(ui.red(`Nothing was installed: ${plural(data.problems.length, 'problem')}.`));
    return lines.join('\n');
  }
  const added = data.skills.filter((skill) => skill.outcome === 'added').length;
  for (const skill of data.skills) {
    if (ui.quiet || (skill.outcome === 'present' && skill.previousVersion === undefined && !ui.verbose)) continue;
    const change = skill.previousVersion === undefined ? '' : ui.dim(` (was ${skill.previousVersion})`);
    const mark = skill.outcome === 'added' ? ui.green('+') : ' ';
    const dependency = skill.root ? '' : ui.dim(' dependency');
    const signed = skill.signedBy === undefined ? '' : ui.dim(` signed by ${skill.signedBy}`);
    lines.push(`${mark} ${skill.name}@${skill.version}${change}${dependency}${signed}`);
  }
  const lock = data.frozen ? 'lockfile not written (--frozen)' : data.lockfileWritten ? `${displayPath(env, data.lockfile)} written` : `${displayPath(env, data.lockfile)} unchanged`;
  if (!ui.quiet) {
    lines.push(`${ui.green('✓')} ${plural(data.skills.length, 'skill')} installed, ${added} new in the store; ${lock}`);
  }
  return lines.join('\n');
}
