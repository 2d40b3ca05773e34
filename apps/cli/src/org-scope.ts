import {
  applyOrgProfiles,
  LOCKFILE_FILE,
  meetsRequirement,
  mergeManifests,
  pathFor,
  skillsyncPaths,
  type EffectiveManifest,
  type EffectiveSkill,
  type Env,
  type LoadedManifests,
  type ScopedManifest,
} from '@skillsync/core';
import { installedSkills } from '@skillsync/store';
import type { OrgProfiles } from './org-profiles.js';
import { manifestViolation, missingRequired, type OrgViolation } from './org-violations.js';
import { readLockfile } from './project.js';

/** One scope a sync plans: its manifest, if it has one, and the file it is (or would be) in. */
export interface SyncScopeSource {
  readonly scope: 'user' | 'project';
  /** The scope's manifest file; for a user scope the org profile alone fills, where the user manifest would be. */
  readonly file: string;
  readonly manifest: ScopedManifest | undefined;
}

/**
 * The scopes there is something to sync for: the project's when a project manifest
 * exists, the user's when the user manifest does or an org profile adds to it (a member
 * with no manifest at all still gets the required skills). Project first.
 */
export function syncScopesOf(env: Env, manifests: Pick<LoadedManifests, 'user' | 'project'>, org: OrgProfiles): SyncScopeSource[] {
  const scopes: SyncScopeSource[] = [];
  if (manifests.project !== undefined) scopes.push({ scope: 'project', file: manifests.project.file, manifest: manifests.project.manifest });
  if (manifests.user !== undefined || addsToUserScope(org)) {
    scopes.push({ scope: 'user', file: manifests.user?.file ?? skillsyncPaths(env).userManifest, manifest: manifests.user?.manifest });
  }
  return scopes;
}

/** Whether some profile adds to the user scope (a required skill, instructions), so it is synced even without a user manifest. */
export function addsToUserScope(org: OrgProfiles): boolean {
  return org.layers.some((layer) => layer.required.length > 0 || (layer.instructions ?? '').trim() !== '');
}

export interface LayeredScope {
  /** The scope's desired state: its own manifest with the org profiles on top. */
  readonly effective: EffectiveManifest;
  /** The skills the org scope added (the user scope only): they may not be installed yet. */
  readonly orgSkills: readonly EffectiveSkill[];
  readonly violations: readonly OrgViolation[];
  /** The violations of the org skills among `names` that are not installed. */
  readonly missing: (names: readonly string[]) => OrgViolation[];
}

/** One scope's manifest with the org profiles applied: the org scope added to the user's, the blocks to both. */
export function layerScope(source: SyncScopeSource, org: OrgProfiles): LayeredScope {
  const { scope } = source;
  const own = scope === 'project' ? mergeManifests(undefined, source.manifest) : mergeManifests(source.manifest, undefined);
  const { manifest: effective, violations } = applyOrgProfiles(own, org.layers, { addOrgScope: scope === 'user' });
  const orgSkills = effective.skills.filter((skill) => skill.source.scope === 'org');
  return {
    effective,
    orgSkills,
    violations: violations.map((violation) => manifestViolation(scope, violation)),
    missing: (names) => missingRequired(scope, orgSkills.filter((skill) => names.includes(skill.name)), org.layers),
  };
}

/**
 * The org's required skills that the user lockfile does not lock at a version meeting the
 * requirement, or that the store does not hold: what `sync` installs before it plans.
 * Reads only (the lockfile, a stat per package), so a sync with nothing to install pays
 * nothing more.
 */
export async function orgSkillsToInstall(env: Env, storeRoot: string, manifests: Pick<LoadedManifests, 'user' | 'project'>, org: OrgProfiles): Promise<string[]> {
  const user = syncScopesOf(env, manifests, org).find((source) => source.scope === 'user');
  if (user === undefined) return [];
  const { orgSkills } = layerScope(user, org);
  if (orgSkills.length === 0) return [];
  const lockfile = await readLockfile(userLockfileFile(env));
  const { missing } = installedSkills(
    orgSkills.map((skill) => skill.name),
    lockfile === undefined ? [] : [lockfile],
    storeRoot,
  );
  return orgSkills
    .filter((skill) => {
      const locked = lockfile?.skills[skill.name]?.version;
      const requirement = typeof skill.specifier === 'string' ? skill.specifier : (skill.specifier.version ?? 'latest');
      return missing.includes(skill.name) || locked === undefined || !meetsRequirement(locked, requirement);
    })
    .map((skill) => skill.name);
}

/** The user lockfile, beside the user manifest: it locks the org's skills. */
export function userLockfileFile(env: Env): string {
  const p = pathFor(env);
  return p.join(p.dirname(skillsyncPaths(env).userManifest), LOCKFILE_FILE);
}
