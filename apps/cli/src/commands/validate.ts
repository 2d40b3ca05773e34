import { mapConcurrent, pathFor, SkillsyncError, validateSkillFolder, type Env, type SkillFinding, type ValidationMode } from '@skillsync/core';
import type { validateOptions } from '../command-table.js';
import { defineHandler, type CommandInput } from '../define-command.js';
import { displayPath, plural, renderFinding } from '../format.js';
import { localSkillFolders } from '../project.js';
import { expandSkillFolders, isSkillFolder } from '../expand-skill-folders.js';

export interface ValidatedSkill {
  readonly dir: string;
  readonly name?: string;
  readonly version?: string;
  readonly ok: boolean;
  readonly findings: readonly SkillFinding[];
}

export interface ValidateData {
  readonly mode: ValidationMode;
  readonly skills: readonly ValidatedSkill[];
  readonly summary: { readonly skills: number; readonly errors: number; readonly warnings: number; readonly failed: number };
}

export const validateHandler = defineHandler({
  run: async ({ env, positionals, options, progress }: CommandInput<typeof validateOptions>) => {
    const p = pathFor(env);
    const mode: ValidationMode = options.strict ? 'strict' : 'lenient';
    const targets =
      positionals.length > 0
        ? (await Promise.all(positionals.map((target) => expandSkillFolders(p.resolve(env.cwd, target))))).flat()
        : await defaultTargets(env);

    const report = progress(`validating ${plural(targets.length, 'skill')}`);
    let done = 0;
    const skills = await mapConcurrent(targets, 8, async (dir): Promise<ValidatedSkill> => {
      const result = await validateSkillFolder(dir, { mode });
      report.update((done += 1), targets.length);
      // Under --strict a warning fails the skill too: publishing should not carry known problems.
      const ok = result.ok && (mode === 'lenient' || result.findings.every((finding) => finding.severity !== 'warning'));
      return {
        dir,
        ...(result.skill === undefined ? {} : { name: result.skill.name }),
        ...(result.skill?.version === undefined ? {} : { version: result.skill.version }),
        ok,
        findings: result.findings,
      };
    });
    report.done();

    const findings = skills.flatMap((skill) => skill.findings);
    const data: ValidateData = {
      mode,
      skills,
      summary: {
        skills: skills.length,
        errors: findings.filter((finding) => finding.severity === 'error').length,
        warnings: findings.filter((finding) => finding.severity === 'warning').length,
        failed: skills.filter((skill) => !skill.ok).length,
      },
    };
    return { ok: data.summary.failed === 0, data };
  },
  render: (data: ValidateData, ui, env) => {
    const lines: string[] = [];
    for (const skill of data.skills) {
      if (ui.quiet && skill.findings.length === 0) continue;
      const label = `${skill.name ?? displayPath(env, skill.dir)}${skill.version === undefined ? '' : `@${skill.version}`}`;
      const where = skill.name === undefined ? '' : ui.dim(` (${displayPath(env, skill.dir)})`);
      lines.push(`${skill.ok ? ui.green('✓') : ui.red('✗')} ${ui.bold(label)}${where}`);
      for (const finding of skill.findings) lines.push(renderFinding(finding, env, ui));
    }
    const { summary } = data;
    const counts = `${plural(summary.errors, 'error')}, ${plural(summary.warnings, 'warning')}`;
    const verdict =
      summary.failed === 0
        ? ui.green(`${plural(summary.skills, 'skill')} valid`)
        : ui.red(`${summary.failed} of ${plural(summary.skills, 'skill')} failed`);
    if (!ui.quiet || summary.failed > 0) lines.push(`${verdict} (${data.mode}): ${counts}`);
    return lines.join('\n');
  },
});

/** The current folder when it is a skill, else the local skills the project manifest lists. */
async function defaultTargets(env: Env): Promise<string[]> {
  if (await isSkillFolder(env.cwd)) return [env.cwd];
  const folders = await localSkillFolders(env);
  if (folders.length > 0) return folders;
  throw new SkillsyncError('SKILL_MD_MISSING', `${env.cwd} is not a skill folder and no project manifest lists local skills.`, {
    hint: 'Pass skill folders: `skillsync validate <path>…`, or run it inside a skill folder.',
    details: { path: env.cwd },
  });
}
