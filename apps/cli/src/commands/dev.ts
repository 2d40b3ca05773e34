import { stat } from 'node:fs/promises';
import { pathFor, SkillsyncError, toSkillsyncError, type Env } from '@skillsync/core';
import { runDevPass, watchSkillFolder, type DevPass } from '../builder/index.js';
import type { devOptions } from '../command-table.js';
import { defineHandler, type CommandInput, type CommandResult } from '../define-command.js';
import { displayPath, plural, renderFinding, renderPairs, renderProblem, shortPath } from '../format.js';
import type { Ui } from '../ui.js';

export interface DevData extends DevPass {
  /** False when the pass found exactly what the one before it did (watch mode; always true with --once). */
  readonly changed: boolean;
}

/** What watching ends with; never printed, since every pass was printed as it came. */
export interface DevStopped {
  readonly dir: string;
  readonly stopped: NodeJS.Signals;
}

/** Quiet time after the last change before a pass: an editor's save is a burst of events. */
const SETTLE_MS = 100;

/**
 * `skillsync dev`: the skill author's inner loop. Each pass validates the folder as
 * `validate --strict` does and shows where SKILL.md lands in each target client; with
 * --sync it installs and syncs too, so the clients have the skill live. With --once it
 * makes one pass and exits 1 on any finding; otherwise it makes one now and one after
 * every save (a save that changes nothing prints one line) until SIGINT or SIGTERM.
 */
export const devHandler = defineHandler({
  run: async ({ env, paths, positionals, options, emit }: CommandInput<typeof devOptions>): Promise<CommandResult<DevData | DevStopped>> => {
    const dir = pathFor(env).resolve(env.cwd, positionals[0] ?? '.');
    const info = await stat(dir).catch(() => undefined);
    if (info?.isDirectory() !== true) {
      throw new SkillsyncError('FILE_NOT_FOUND', `${dir} is not a folder.`, {
        hint: 'Pass a skill folder (`skillsync dev skills/<name>`), or run it inside one.',
        details: { path: dir },
      });
    }
    const pass = (): Promise<DevPass> => runDevPass({ env, paths, dir, sync: options.sync });
    if (options.once) {
      const data: DevData = { ...(await pass()), changed: true };
      return { ok: devPassOk(data), data };
    }
    // Only the CLI reads a stream; the dashboard runs commands for their data and never this one.
    if (emit === undefined) throw new Error('skillsync dev watches only where its passes can be printed: pass --once');

    const emitProblem = (error: unknown): void => {
      const problem = toSkillsyncError(error).toJSON();
      emit({ ok: false, data: { dir, error: problem }, render: (ui) => renderProblem(problem, ui) });
    };
    let lastKey: string | undefined;
    const emitPass = async (): Promise<void> => {
      try {
        const result = await pass();
        const key = JSON.stringify(result);
        const data: DevData = { ...result, changed: key !== lastKey };
        lastKey = key;
        emit({ ok: devPassOk(data), data, render: (ui) => renderDevPass(data, ui, env) });
      } catch (error) {
        // A manifest may be mid-edit: say so, and look again at the next save.
        lastKey = undefined;
        emitProblem(error);
      }
    };

    let stop: (signal: NodeJS.Signals) => void = () => undefined;
    const stopped = new Promise<NodeJS.Signals>((resolve) => (stop = resolve));
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    try {
      const watcher = await watchSkillFolder(dir, { settleMs: SETTLE_MS, onSettled: emitPass, onError: emitProblem });
      const signal = await stopped;
      await watcher.close();
      // Every pass has been printed; a person stopping the loop is a clean exit.
      return { ok: true, data: { dir, stopped: signal }, streamed: true };
    } finally {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
    }
  },
  render: (data: DevData | DevStopped, ui, env) => ('stopped' in data ? '' : renderDevPass(data, ui, env)),
});

/** As `validate --strict`: any finding fails; so does a sync that failed or left something in a client alone. */
function devPassOk(pass: DevPass): boolean {
  const { sync } = pass;
  if (!pass.valid || sync?.state === 'failed') return false;
  return sync?.state !== 'synced' || sync.problems.length + sync.skipped.length + sync.conflicts.length === 0;
}

function renderDevPass(data: DevData, ui: Ui, env: Env): string {
  const label = `${data.name ?? displayPath(env, data.dir)}${data.version === undefined ? '' : `@${data.version}`}`;
  const where = data.name === undefined ? '' : ui.dim(` (${displayPath(env, data.dir)})`);
  const errors = data.findings.filter((finding) => finding.severity === 'error').length;
  const warnings = data.findings.length - errors;
  if (!data.changed) return ui.dim(`${label}: saved, nothing changed (${plural(errors, 'error')}, ${plural(warnings, 'warning')})`);

  const verdict = data.valid ? ui.green('valid (strict)') : ui.red(`${plural(errors, 'error')}, ${plural(warnings, 'warning')}`);
  const lines = [`${data.valid ? ui.green('✓') : ui.red('✗')} ${ui.bold(label)}${where}: ${verdict}`];
  for (const finding of data.findings) lines.push(renderFinding(finding, env, ui));

  const listed = data.manifest === undefined ? 'no manifest lists it yet' : `listed in ${displayPath(env, data.manifest)}`;
  lines.push(`  lands in (${data.scope} scope, ${listed}):`);
  const show = (file: string): string => shortPath(env, file, data.projectRoot);
  if (data.landings.length === 0) lines.push(`    No target client: none found here, and the manifest sets no \`clients:\`.`);
  lines.push(...renderPairs(data.landings.map((landing) => [landing.client, landing.path === undefined ? ui.dim(landing.note ?? '') : show(landing.path)] as const), ui, '    '));
  if (data.manifest === undefined) {
    lines.push(ui.dim(`  \`skillsync add ${displayPath(env, data.dir)}\` adds it to the ${data.scope} manifest; then \`skillsync install\` and \`skillsync sync\`.`));
  }

  const { sync } = data;
  if (sync?.state === 'skipped') lines.push(`  ${ui.yellow('not synced')}: ${sync.reason}`);
  if (sync?.state === 'failed') lines.push(`  ${ui.red('not synced')}:`, ...sync.problems.map((problem) => renderProblem(problem, ui)));
  if (sync?.state === 'synced') {
    const { runIds, filesWritten, skillFoldersWritten } = sync;
    lines.push(
      runIds.length === 0
        ? `  ${ui.green('synced')}: the clients were already up to date`
        : `  ${ui.green('synced')}: ${plural(skillFoldersWritten, 'skill folder')} and ${plural(filesWritten, 'file')} written ${ui.dim(`(run ${runIds.join(', ')}; undo with \`skillsync rollback\`)`)}`,
    );
    for (const skipped of sync.skipped) lines.push(`  ${ui.yellow('skipped')} ${show(skipped.path)}: ${skipped.reason}`);
    for (const problem of sync.problems) lines.push(`  ${ui.red('✗')} ${problem.client}: ${show(problem.path)} ${problem.code}: ${problem.message}`);
    for (const item of sync.conflicts) lines.push(`  ${ui.red('conflict')} ${item.client}: ${item.detail ?? item.name}`);
  }
  return lines.join('\n');
}
