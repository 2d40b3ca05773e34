import type { diffOptions } from '../command-table.js';
import { defineHandler, type CommandInput } from '../define-command.js';
import { shortPath } from '../format.js';
import { buildSyncPlans, unifiedDiff, type SyncScope } from '../sync-context.js';

export interface DiffFile {
  readonly scope: SyncScope;
  readonly path: string;
  readonly clients: readonly string[];
  readonly diff: readonly string[];
}

export interface DiffData {
  readonly files: readonly DiffFile[];
  readonly skills: readonly { readonly scope: SyncScope; readonly projectRoot: string | null; readonly dir: string; readonly name: string; readonly action: 'write' | 'remove'; readonly clients: readonly string[] }[];
  readonly problems: readonly { readonly projectRoot: string | null; readonly client: string; readonly path: string; readonly code: string; readonly message: string; readonly line?: number }[];
}

/** `skillsync diff`: the unified diff of every file `sync` would write, and the skill folders it would write or remove. */
export const diffHandler = defineHandler({
  run: async ({ env, paths, options }: CommandInput<typeof diffOptions>) => {
    const plans = await buildSyncPlans({ env, paths, scope: options.scope, clients: options.client });
    const files: DiffFile[] = [];
    const skills: DiffData['skills'][number][] = [];
    const problems: DiffData['problems'][number][] = [];
    for (const { scope, projectRoot, plan } of plans) {
      for (const file of plan.files) {
        const label = shortPath(env, file.path, projectRoot).replace(/^\.\//, '');
        files.push({ scope, path: file.path, clients: file.clients, diff: unifiedDiff(label, file.before, file.after) });
      }
      for (const skill of plan.skills) skills.push({ scope, projectRoot: projectRoot ?? null, dir: skill.dir, name: skill.name, action: skill.action, clients: skill.clients });
      problems.push(...plan.problems.map((problem) => ({ ...problem, projectRoot: projectRoot ?? null })));
    }
    return { ok: problems.length === 0, data: { files, skills, problems } satisfies DiffData };
  },
  render: (data: DiffData, ui, env) => {
    const lines: string[] = [];
    for (const file of data.files) {
      for (const line of file.diff) {
        lines.push(line.startsWith('+++') || line.startsWith('---') ? ui.bold(line) : line.startsWith('@@') ? ui.cyan(line) : line.startsWith('+') ? ui.green(line) : line.startsWith('-') ? ui.red(line) : line);
      }
    }
    for (const skill of data.skills) lines.push(`${skill.action === 'write' ? ui.green('write') : ui.red('remove')} skill folder ${shortPath(env, skill.dir, skill.projectRoot ?? undefined)} (${skill.clients.join(', ')})`);
    for (const problem of data.problems) lines.push(`${ui.red('✗')} ${problem.client}: ${shortPath(env, problem.path, problem.projectRoot ?? undefined)}${problem.line === undefined ? '' : `:${problem.line}`} ${problem.code}: ${problem.message}`);
    if (data.files.length === 0 && data.skills.length === 0 && data.problems.length === 0) lines.push(ui.green('in sync: nothing to write'));
    return lines.join('\n');
  },
});
