import type { SerializedError } from '@skillsync/core';
import { outdatedSkills, type OutdatedSkill } from '@skillsync/store';
import type { outdatedOptions } from '../command-table.js';
import { defineHandler, type CommandInput } from '../define-command.js';
import { plural, renderProblem, renderTable } from '../format.js';
import { loadInstallContext } from '../project.js';
import { remoteRegistrySources } from '../registry-session.js';

export interface OutdatedData {
  /** Every skill of the manifests, with `outdated` set where the lock is behind what the source has. */
  readonly skills: readonly (OutdatedSkill & { readonly outdated: boolean })[];
  readonly problems: readonly SerializedError[];
}

export const outdatedHandler = defineHandler({
  run: async ({ env, progress }: CommandInput<typeof outdatedOptions>) => {
    const context = await loadInstallContext(env);
    const spinner = progress('asking the sources');
    spinner.update();
    const result = await outdatedSkills({
      env,
      manifest: context.manifests.effective,
      manifestDir: context.manifestDir,
      remoteSource: remoteRegistrySources(env),
      lockfile: context.lockfile,
    }).finally(spinner.done);
    const skills = result.skills.map((skill) => ({
      ...skill,
      // Behind what the range allows, or the range itself is behind the newest release.
      outdated: skill.current !== skill.wanted || (skill.latest !== undefined && skill.wanted !== skill.latest),
    }));
    const data: OutdatedData = { skills, problems: result.problems };
    return { ok: result.problems.length === 0 && skills.every((skill) => !skill.outdated), data };
  },
  render: (data: OutdatedData, ui) => {
    const lines: string[] = [];
    const shown = data.skills.filter((skill) => skill.outdated || ui.verbose);
    if (shown.length > 0) {
      const rows = shown.map((skill) => [skill.name, skill.current ?? '-', skill.wanted ?? '-', skill.latest ?? '-', skill.specifier]);
      lines.push(
        ...renderTable(['skill', 'current', 'wanted', 'latest', 'source'], rows, ui, (_row, index) =>
          shown[index]?.outdated === true ? ui.yellow : (text) => text,
        ),
      );
    }
    for (const problem of data.problems) lines.push(renderProblem(problem, ui));
    const outdated = data.skills.filter((skill) => skill.outdated).length;
    if (outdated === 0 && data.problems.length === 0) {
      if (!ui.quiet) lines.push(`${ui.green('✓')} ${plural(data.skills.length, 'skill')}, all up to date`);
    } else if (outdated > 0) {
      lines.push(`${plural(outdated, 'skill')} outdated: run ${ui.cyan('skillsync update')} to take the wanted versions.`);
    }
    return lines.join('\n');
  },
});
