import type { Env, SkillsyncPaths } from '@skillsync/core';
import { applyPlan, type ApplyResult, type SyncItem, type SyncProblem, type SyncWarning } from '@skillsync/sync';
import type { CommandResult } from './define-command.js';
import { plural, shortPath } from './format.js';
import type { ReportOutcome } from './org-reports.js';
import { prepareOrgScope, renderOrgReport, type OrgSyncReport } from './org-sync.js';
import { renderViolation, VIOLATION_CODE, type OrgViolation } from './org-violations.js';
import { buildSyncPlans, clientChanges, driftItems, fixHint, saveFingerprints, unifiedDiff, type ScopePlan, type SyncScope } from './sync-context.js';
import type { Ui } from './ui.js';

export interface SyncFileChange {
  readonly path: string;
  readonly clients: readonly string[];
  readonly action: 'create' | 'update' | 'delete';
  /** Only with --dry-run: the unified diff of the change. */
  readonly diff?: readonly string[];
}

export interface SyncScopeReport {
  readonly scope: SyncScope;
  readonly manifest: string;
  readonly projectRoot: string | null;
  readonly clients: readonly string[];
  /** Per client, what the plan changes (`+github (connector)`). */
  readonly changes: Readonly<Record<string, readonly string[]>>;
  readonly files: readonly SyncFileChange[];
  readonly skills: readonly { readonly dir: string; readonly name: string; readonly action: 'write' | 'remove'; readonly clients: readonly string[] }[];
  readonly items: readonly SyncItem[];
  readonly drift: readonly (SyncItem & { readonly fix: string })[];
  readonly problems: readonly SyncProblem[];
  readonly warnings: readonly SyncWarning[];
  /** What the org profiles refused here (not synced) or find wanting: each makes the sync exit 1. */
  readonly violations: readonly OrgViolation[];
  /** Without --dry-run and --check: what was written. */
  readonly applied?: ApplyResult;
}

export interface SyncData {
  readonly mode: 'apply' | 'dry-run' | 'check';
  /** True when nothing needed (or needs) writing in any scope. */
  readonly inSync: boolean;
  readonly scopes: readonly SyncScopeReport[];
  /** The org profiles applied (absent where a caller passed plans of its own). */
  readonly org?: OrgSyncReport;
  /** `skillsync sync` (applying): the parity report sent to each org that collects them (docs/org-profiles.md "Reporting"). */
  readonly reports?: readonly ReportOutcome[];
}

export interface RunSyncOptions {
  readonly mode: SyncData['mode'];
  /** `--scope`: one scope, or undefined for every scope that has a manifest. */
  readonly scope: string | undefined;
  /** `--client`: only these clients (empty: every target client). */
  readonly clients: readonly string[];
  /** `refresh`: fetch the org profiles first (`sync`, the daemon's Sync now); default: the cached ones. */
  readonly profiles?: 'refresh' | 'cache';
}

/**
 * `skillsync sync` and the daemon's "Sync now": plans every scope asked for and applies
 * (or only reports) the plans. Applying first installs what the org profiles require and
 * is not installed yet; `--dry-run` and `--check` only read.
 */
export async function runSync(env: Env, paths: SkillsyncPaths, options: RunSyncOptions): Promise<CommandResult<SyncData>> {
  const org = await prepareOrgScope(env, paths, { refresh: options.profiles === 'refresh', install: options.mode === 'apply' });
  const plans = await buildSyncPlans({ env, paths, scope: options.scope, clients: options.clients, org: org.profiles });
  const result = await syncPlans(plans, { env, paths, mode: options.mode });
  return { ok: result.ok && org.ok, data: { ...result.data, org: org.report } };
}

/** A scope's plan to apply, with (the daemon's repairs) only some of its files and skill folders to write. */
export interface PlanToSync extends ScopePlan {
  /** The planned paths to write (`applyPlan`'s `only`); undefined: all of them. */
  readonly only?: ReadonlySet<string>;
}

/**
 * Applies plans already made (or, with `dry-run` / `check`, reports them) and says how
 * it went. The daemon calls it with plans whose `only` names what its settings let it repair.
 */
export async function syncPlans(
  plans: readonly PlanToSync[],
  options: { readonly env: Env; readonly paths: SkillsyncPaths; readonly mode: SyncData['mode'] },
): Promise<CommandResult<SyncData>> {
  const { env, paths, mode } = options;
  const scopes: SyncScopeReport[] = [];
  for (const { scope, manifest, projectRoot, clients, plan, fingerprints, only, violations } of plans) {
    const root = projectRoot ?? env.home;
    const applied =
      mode === 'apply'
        ? await applyPlan(plan, {
            env,
            stateDir: paths.state,
            scope,
            ...(projectRoot === undefined ? {} : { projectRoot }),
            storeRoot: paths.store,
            fingerprints,
            ...(only === undefined ? {} : { only }),
          })
        : undefined;
    scopes.push({
      scope,
      manifest,
      projectRoot: projectRoot ?? null,
      clients,
      changes: Object.fromEntries(clientChanges(plan)),
      files: plan.files.map((file) => ({
        path: file.path,
        clients: file.clients,
        action: file.before === undefined ? 'create' : file.after === undefined ? 'delete' : 'update',
        ...(mode === 'dry-run' ? { diff: unifiedDiff(shortPath(env, file.path, root).replace(/^\.\//, ''), file.before, file.after) } : {}),
      })),
      skills: plan.skills.map(({ dir, name, action, clients: skillClients }) => ({ dir, name, action, clients: skillClients })),
      items: plan.items,
      drift: driftItems(plan).map((item) => ({ ...item, fix: fixHint(item) })),
      problems: plan.problems,
      warnings: plan.warnings,
      violations,
      ...(applied === undefined ? {} : { applied }),
    });
  }
  // applyPlan saved them under the sync lock; --check and --dry-run only read.
  if (mode !== 'apply') await saveFingerprints(plans);
  const inSync = scopes.every((scope) => scope.files.length === 0 && scope.skills.length === 0 && scope.drift.length === 0);
  const problems = scopes.some((scope) => scope.problems.length > 0);
  const skipped = scopes.some((scope) => (scope.applied?.skipped.length ?? 0) > 0);
  const conflicts = scopes.some((scope) => scope.drift.some((item) => item.status === 'conflict'));
  const violations = scopes.some((scope) => scope.violations.length > 0);
  const ok = !violations && (mode === 'check' ? !problems && scopes.every((scope) => scope.drift.length === 0) : !problems && !skipped && !conflicts);
  const data: SyncData = { mode, inSync, scopes };
  return { ok, data };
}

export function renderSync(data: SyncData, ui: Ui, env: Env): string {
  const lines: string[] = data.org === undefined ? [] : renderOrgReport(data.org, ui, env);
  for (const scope of data.scopes) {
    const root = scope.projectRoot ?? undefined;
    const show = (file: string): string => shortPath(env, file, root);
    const header = `${ui.bold(`${scope.scope} scope`)}${ui.dim(` · ${show(scope.manifest)} · ${scope.clients.length === 0 ? 'no clients' : scope.clients.join(', ')}`)}`;
    lines.push(header);
    if (scope.clients.length === 0) lines.push(`  No target client: none found here, and the manifest sets no \`clients:\`.`);
    if (data.mode === 'check') {
      for (const item of scope.drift) {
        lines.push(`  ${ui.red('✗')} ${item.client} ${scope.scope} ${item.kind} ${ui.bold(item.name)}: ${ui.yellow(item.status)}${item.path === undefined ? '' : ui.dim(` (${show(item.path)})`)}`);
        lines.push(`    ${ui.dim('fix:')} ${item.fix}`);
      }
      if (scope.drift.length === 0 && scope.problems.length === 0) lines.push(`  ${ui.green('✓')} in sync`);
    } else {
      const changed = Object.entries(scope.changes);
      const verb = data.mode === 'dry-run' ? 'would change' : 'changed';
      for (const [client, changes] of changed) lines.push(`  ${ui.bold(client)}: ${changes.join(', ')}`);
      if (changed.length === 0 && scope.problems.length === 0 && scope.clients.length > 0) lines.push(`  ${ui.green('✓')} in sync`);
      if (data.mode === 'dry-run') {
        for (const file of scope.files) {
          lines.push('', `  ${ui.dim(`${file.action} ${show(file.path)} (${file.clients.join(', ')})`)}`);
          for (const line of file.diff ?? []) lines.push(`    ${line.startsWith('+') ? ui.green(line) : line.startsWith('-') ? ui.red(line) : line}`);
        }
        for (const skill of scope.skills) lines.push(`  ${ui.dim(`${skill.action === 'write' ? 'write' : 'remove'} skill folder ${show(skill.dir)} (${skill.clients.join(', ')})`)}`);
        if (scope.files.length + scope.skills.length > 0) lines.push(ui.dim(`  ${plural(scope.files.length, 'file')} and ${plural(scope.skills.length, 'skill folder')} ${verb}; nothing was written (--dry-run).`));
      } else if (scope.applied !== undefined && scope.applied.runId !== undefined) {
        const { written, skillsWritten, skillsRemoved, runId } = scope.applied;
        lines.push(ui.dim(`  run ${runId}: ${plural(written.length, 'file')} written, ${plural(skillsWritten.length, 'skill folder')} written, ${skillsRemoved.length} removed · undo with \`skillsync rollback\``));
      }
      for (const skipped of scope.applied?.skipped ?? []) lines.push(`  ${ui.yellow('skipped')} ${show(skipped.path)}: ${skipped.reason}`);
      for (const item of scope.drift.filter((drift) => drift.status === 'conflict')) {
        lines.push(`  ${ui.red('conflict')} ${item.client} ${item.kind} ${ui.bold(item.name)}${item.path === undefined ? '' : ` in ${show(item.path)}`}: not overwritten`);
        lines.push(`    ${ui.dim('hint:')} ${item.fix}`);
      }
    }
    for (const problem of scope.problems) {
      const where = [show(problem.path), problem.line, problem.line === undefined ? undefined : problem.column].filter((part) => part !== undefined).join(':');
      lines.push(`  ${ui.red('✗')} ${problem.client}: ${ui.bold(where)} ${problem.code}: ${problem.message}`);
      lines.push(`    ${ui.dim('hint:')} the file was left untouched; fix it, then run \`skillsync sync\` again.`);
    }
    for (const item of scope.items.filter((entry) => entry.status === 'needs-gateway' || entry.status === 'unsupported')) {
      if (!ui.verbose && item.status === 'unsupported') continue;
      lines.push(`  ${ui.dim(`${item.status}:`)} ${item.client} ${item.kind} ${item.name}${item.detail === undefined ? '' : ` — ${item.detail}`}`);
    }
    const unsupported = scope.items.filter((item) => item.status === 'unsupported').length;
    if (!ui.verbose && unsupported > 0) lines.push(ui.dim(`  ${plural(unsupported, 'item')} unsupported by a client (--verbose lists them).`));
    for (const warning of scope.warnings) lines.push(`  ${ui.yellow('warning')} ${warning.client}: ${warning.message}`);
    for (const violation of scope.violations) lines.push(...renderViolation(violation, ui, show));
  }
  if (data.mode === 'check') {
    const drift = data.scopes.reduce((count, scope) => count + scope.drift.length, 0);
    lines.push(drift === 0 ? ui.green('in sync') : ui.red(`${plural(drift, 'item')} drifted · run \`skillsync sync\` to repair`));
  } else if (data.inSync && data.scopes.every((scope) => scope.problems.length === 0)) {
    lines.push(ui.green('in sync'));
  }
  for (const report of data.reports ?? []) {
    lines.push(ui.dim(report.sent ? `parity report sent to ${report.registry} as ${report.device}` : `warning: ${report.warning ?? `no parity report reached ${report.registry}`}`));
  }
  const violations = data.scopes.reduce((count, scope) => count + scope.violations.length, 0);
  if (violations > 0) lines.push(ui.red(`${plural(violations, 'item')} refused or out of line with your org profile (${VIOLATION_CODE}): see above`));
  return lines.join('\n');
}
