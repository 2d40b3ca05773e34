import {
  applyOrgProfiles,
  isSkillsyncError,
  landingScope,
  mergeManifests,
  parseLockfile,
  pathFor,
  readTextIfExists,
  type EffectiveManifest,
  type Env,
  type Lockfile,
  type ScopedManifest,
  type SerializedError,
  type SkillsyncPaths,
} from '@skillsync/core';
import { installSkills, openStore, type InstalledSkill } from '@skillsync/store';
import type { CommandResult } from './define-command.js';
import { displayPath, plural, renderProblem } from './format.js';
import { loadOrgProfiles, type OrgProfiles } from './org-profiles.js';
import { addsToUserScope, userLockfileFile } from './org-scope.js';
import { manifestViolation, renderViolation, type OrgViolation } from './org-violations.js';
import { loadInstallContext, writeLockfileIfChanged } from './project.js';
import { remoteRegistrySources } from './registry-session.js';
import type { Progress, Ui } from './ui.js';

/** What one lockfile's install did. */
export interface LockfileInstall {
  readonly lockfile: string;
  /** True when this run wrote skillsync.lock (never with --frozen). */
  readonly lockfileWritten: boolean;
  readonly frozen: boolean;
  readonly skills: readonly InstalledSkill[];
  /** Why nothing was installed; empty on success. */
  readonly problems: readonly SerializedError[];
}

export interface InstallData extends LockfileInstall {
  /** Where the manifests break an org profile: a blocked skill is refused (not installed). */
  readonly violations: readonly OrgViolation[];
  /** The org's required skills, locked in the user lockfile, when the project lockfile locks the manifests' skills. */
  readonly orgScope?: LockfileInstall;
  /** About the org profiles: a server not reached, a profile never fetched. */
  readonly warnings: readonly string[];
}

export interface InstallOptions {
  readonly frozen: boolean;
  readonly update?: readonly string[] | true;
  readonly progress: Progress;
  /** `refresh` (install, update): fetch the org profiles first; default: use the cached ones. */
  readonly profiles?: 'refresh' | 'cache';
}

/** One install: the skills to resolve, verify and store, and the lockfile that locks them. */
export interface InstallTarget {
  readonly manifest: EffectiveManifest;
  /** The lockfile's folder: `resolved` paths are relative to it. */
  readonly manifestDir: string;
  readonly lockfileFile: string;
  readonly lockfileText: string | undefined;
  readonly lockfile: Lockfile | undefined;
}

/**
 * `install` and `update` are one operation: resolve (or take the lock), verify, store,
 * lock. The org profiles apply on top of the manifests: a blocked skill is refused (a
 * violation, exit 1), and the org's required skills are locked in the user lockfile —
 * with the rest when that is the manifests' lockfile, on their own when a project
 * lockfile locks the rest (it is committed, and the org's skills are each member's own).
 */
export async function runInstall(env: Env, paths: SkillsyncPaths, options: InstallOptions): Promise<CommandResult<InstallData>> {
  const org = await loadOrgProfiles(env, { refresh: options.profiles === 'refresh' });
  const context = await loadInstallContext(env).catch((error: unknown) => {
    // A member with no manifest at all still gets the org's required skills.
    if (isSkillsyncError(error) && error.code === 'MANIFEST_NOT_FOUND' && addsToUserScope(org)) return undefined;
    throw error;
  });
  if (context === undefined) {
    const alone = await installInto(env, paths, await userScopeTarget(env, undefined, org), options);
    return { ok: alone.problems.length === 0, data: { ...alone, violations: [], warnings: org.warnings } };
  }
  const locksUserScope = context.manifests.project === undefined;
  const layered = applyOrgProfiles(context.manifests.effective, org.layers, { addOrgScope: locksUserScope });
  const violations = layered.violations.map((violation) => manifestViolation(landingScope(violation.source), violation));
  const orgTarget = locksUserScope || !addsToUserScope(org) ? undefined : await userScopeTarget(env, context.manifests.user?.manifest, org);
  const [mainUpdate, orgUpdate] = splitUpdate(options.update, layered.manifest, orgTarget?.manifest);
  const main = await installInto(env, paths, { ...context, manifest: layered.manifest }, { ...options, update: mainUpdate });
  const orgScope = orgTarget === undefined || main.problems.length > 0 ? undefined : await installInto(env, paths, orgTarget, { ...options, update: orgUpdate });
  const ok = main.problems.length === 0 && (orgScope?.problems.length ?? 0) === 0 && violations.length === 0;
  return { ok, data: { ...main, violations, ...(orgScope === undefined ? {} : { orgScope }), warnings: org.warnings } };
}

/**
 * The user lockfile's install: the user manifest (if any) with the org scope on top.
 * What `sync` installs when the org requires a skill that is not installed.
 */
export async function userScopeTarget(env: Env, user: ScopedManifest | undefined, org: OrgProfiles): Promise<InstallTarget> {
  const lockfileFile = userLockfileFile(env);
  const lockfileText = await readTextIfExists(lockfileFile);
  return {
    manifest: applyOrgProfiles(mergeManifests(user, undefined), org.layers, { addOrgScope: true }).manifest,
    manifestDir: pathFor(env).dirname(lockfileFile),
    lockfileFile,
    lockfileText,
    lockfile: lockfileText === undefined ? undefined : parseLockfile(lockfileText, { file: lockfileFile }),
  };
}

/** Resolves, verifies, stores and locks one target's skills; the lockfile is written only when its bytes change. */
export async function installInto(env: Env, paths: SkillsyncPaths, target: InstallTarget, options: Omit<InstallOptions, 'profiles'>): Promise<LockfileInstall> {
  options.progress.update(undefined, undefined, plural(target.manifest.skills.length, 'skill'));
  const result = await installSkills({
    env,
    manifest: target.manifest,
    manifestDir: target.manifestDir,
    remoteSource: remoteRegistrySources(env),
    lockfile: target.lockfile,
    frozen: options.frozen,
    ...(options.update === undefined ? {} : { update: options.update }),
    store: openStore(paths.store),
  }).finally(options.progress.done);
  if (!result.ok) return { lockfile: target.lockfileFile, lockfileWritten: false, frozen: options.frozen, skills: [], problems: result.problems };
  // --frozen never writes the lockfile, whatever install says.
  const lockfileWritten = !options.frozen && (await writeLockfileIfChanged(target.lockfileFile, target.lockfileText, result.lockfile));
  return { lockfile: target.lockfileFile, lockfileWritten, frozen: options.frozen, skills: result.skills, problems: [] };
}

/**
 * `update <names>` for each of the two lockfiles: a name goes to every lockfile whose
 * manifest has it (the user's own skills are in both), and a name neither has to the
 * manifests' lockfile, which says so.
 */
function splitUpdate(update: InstallOptions['update'], main: EffectiveManifest, org: EffectiveManifest | undefined): [InstallOptions['update'], InstallOptions['update']] {
  if (!Array.isArray(update) || org === undefined) return [update, update === true ? true : undefined];
  const names = update as readonly string[];
  const has = (manifest: EffectiveManifest, name: string): boolean => manifest.skills.some((skill) => skill.name === name);
  return [names.filter((name) => has(main, name) || !has(org, name)), names.filter((name) => has(org, name))];
}

export function renderInstall(data: InstallData, ui: Ui, env: Env): string {
  const lines: string[] = [];
  for (const warning of data.warnings) lines.push(ui.yellow(`warning: ${warning}`));
  for (const violation of data.violations) lines.push(...renderViolation(violation, ui, (file) => displayPath(env, file)));
  lines.push(...renderLockfileInstall(data, ui, env));
  if (data.orgScope !== undefined) lines.push(ui.dim('org profile skills (user lockfile):'), ...renderLockfileInstall(data.orgScope, ui, env));
  if (data.violations.length > 0) lines.push(ui.red(`${plural(data.violations.length, 'item')} refused or out of line with your org profile: see above.`));
  return lines.join('\n');
}

function renderLockfileInstall(data: LockfileInstall, ui: Ui, env: Env): string[] {
  const lines: string[] = [];
  for (const problem of data.problems) lines.push(renderProblem(problem, ui));
  if (data.problems.length > 0) {
    lines.push(ui.red(`Nothing was installed: ${plural(data.problems.length, 'problem')}.`));
    return lines;
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
  return lines;
}
