import { errorCatalogue, isSkillsyncError, type Lockfile, type SerializedError } from '@skillsync/core';
import semver from 'semver';
import { planRoots, type ManifestInput } from './plan-roots.js';

export interface OutdatedSkill {
  readonly name: string;
  /** The manifest's source, canonical form. */
  readonly specifier: string;
  /** The locked version; undefined when the lock does not have the skill yet. */
  readonly current: string | undefined;
  /** The highest version the specifier allows (what `update` would take, dependencies aside). */
  readonly wanted: string | undefined;
  /** The highest release the source has, whatever the specifier says. */
  readonly latest: string | undefined;
  /** The source, as the lockfile's `resolved`. */
  readonly resolved: string;
}

export interface OutdatedResult {
  /** Every root skill, by name, outdated or not: `current !== wanted` or `wanted !== latest` tells. */
  readonly skills: readonly OutdatedSkill[];
  /** Skills whose source could not be asked (per skill in `details.name`). */
  readonly problems: readonly SerializedError[];
}

export interface OutdatedSkillsOptions extends ManifestInput {
  readonly lockfile?: Lockfile | undefined;
}

/** For each skill of the manifest: the locked, wanted and latest versions. Reads sources; writes nothing. */
export async function outdatedSkills(options: OutdatedSkillsOptions): Promise<OutdatedResult> {
  const plan = planRoots(options);
  const problems: SerializedError[] = [...plan.problems];
  const skills: OutdatedSkill[] = [];
  for (const root of plan.roots) {
    let versions: string[];
    try {
      versions = (await root.source.listVersions(root.name)).filter((version) => semver.valid(version) !== null);
    } catch (error) {
      if (!isSkillsyncError(error)) throw error;
      problems.push({ ...error.toJSON(), details: { ...error.details, name: root.name } });
      continue;
    }
    const wanted = root.anyVersion ? versions[0] : (semver.maxSatisfying(versions, root.range) ?? undefined);
    const releases = versions.filter((version) => semver.prerelease(version) === null);
    const latest = [...(releases.length > 0 ? releases : versions)].sort(semver.rcompare)[0];
    if (wanted === undefined && !root.anyVersion) {
      problems.push({
        code: 'VERSION_NOT_FOUND',
        message: `${root.source.describe()} has no version of ${root.name} matching ${root.canonical}.`,
        hint: errorCatalogue.VERSION_NOT_FOUND.hint,
        details: { name: root.name },
      });
    }
    skills.push({
      name: root.name,
      specifier: root.canonical,
      current: options.lockfile?.skills[root.name]?.version,
      wanted,
      latest,
      resolved: root.source.describe(),
    });
  }
  return { skills, problems };
}
