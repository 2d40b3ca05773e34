import { toSkillsyncError, type Env, type SkillsyncPaths } from '@skillsync/core';
import { displayPath } from './format.js';
import { loadOrgProfiles, type OrgProfiles, type OrgProfileState } from './org-profiles.js';
import { orgSkillsToInstall } from './org-scope.js';
import { readManifests } from './project.js';
import type { LockfileInstall } from './run-install.js';
import { silentProgress, type Ui } from './ui.js';

/** What a sync says about the org profiles it applied. */
export interface OrgSyncReport {
  readonly profiles: readonly OrgProfileState[];
  /** A server not reached, a profile never fetched. */
  readonly warnings: readonly string[];
  /** The org's required skills this sync installed (into the user lockfile) before planning, when any needed it. */
  readonly installed?: LockfileInstall;
}

export interface PreparedOrgScope {
  readonly profiles: OrgProfiles;
  readonly report: OrgSyncReport;
  /** False when installing the org's skills failed (the sync goes on without them). */
  readonly ok: boolean;
}

/**
 * The org profiles a sync applies (`refresh`: fetched anew, else cached) and, with
 * `install`, the org's required skills installed first when the user lockfile does not
 * lock them yet (or at a version the requirement no longer admits). The install code
 * loads only then: a sync with nothing to install stays as fast as before.
 */
export async function prepareOrgScope(env: Env, paths: SkillsyncPaths, options: { readonly refresh: boolean; readonly install: boolean }): Promise<PreparedOrgScope> {
  const profiles = await loadOrgProfiles(env, { refresh: options.refresh });
  const report: OrgSyncReport = { profiles: profiles.profiles, warnings: profiles.warnings };
  if (!options.install || profiles.layers.length === 0) return { profiles, report, ok: true };
  const manifests = await readManifests(env);
  // A user manifest with errors is refused by the plan; installing without it would drop its skills from the user lockfile.
  if (manifests.findings.some((finding) => finding.severity === 'error')) return { profiles, report, ok: true };
  if ((await orgSkillsToInstall(env, paths.store, manifests, profiles)).length === 0) return { profiles, report, ok: true };
  const { installInto, userScopeTarget } = await import('./run-install.js');
  const target = await userScopeTarget(env, manifests.user?.manifest, profiles);
  // A failure here (a registry down, a token refused) must not stop the sync: it goes on without those skills, each reported.
  const installed = await installInto(env, paths, target, { frozen: false, progress: silentProgress }).catch(
    (error: unknown): LockfileInstall => ({ lockfile: target.lockfileFile, lockfileWritten: false, frozen: false, skills: [], problems: [toSkillsyncError(error).toJSON()] }),
  );
  return { profiles, report: { ...report, installed }, ok: installed.problems.length === 0 };
}

/** The org lines of a sync's output: each profile applied, warnings, and what was installed for it. */
export function renderOrgReport(report: OrgSyncReport, ui: Ui, env: Env): string[] {
  const lines: string[] = [];
  for (const profile of report.profiles) {
    if (profile.source === 'none') continue;
    const when = profile.fetchedAt === undefined ? '' : `, fetched ${profile.fetchedAt}`;
    lines.push(ui.dim(`org profile ${profile.org} (${profile.registry}${profile.source === 'cached' ? ', cached' : ''}${when})`));
  }
  for (const warning of report.warnings) lines.push(ui.yellow(`warning: ${warning}`));
  const { installed } = report;
  if (installed !== undefined) {
    for (const problem of installed.problems) lines.push(`  ${ui.red('✗')} ${problem.code}: ${problem.message}`);
    const roots = installed.skills.filter((skill) => skill.root && (skill.outcome === 'added' || skill.previousVersion !== undefined));
    if (roots.length > 0) lines.push(`${ui.green('+')} installed for the org profile: ${roots.map((skill) => `${skill.name}@${skill.version}`).join(', ')} ${ui.dim(`(${displayPath(env, installed.lockfile)})`)}`);
  }
  return lines;
}
