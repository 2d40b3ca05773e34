import { parseSkillSidecar, SKILL_SIDECAR_FILE, SkillsyncError } from '@skillsync/core';
import { parseSkillMdHead, SKILL_FILE, type SkillIdentity } from '../format/skill-identity.js';
import type { PackageContents } from './read-package.js';

/** What a decoded package says about itself. */
export interface PackageSkill extends SkillIdentity {
  readonly description: string;
  /** `requires.skills` of its sidecar. */
  readonly dependencies: Readonly<Record<string, string>>;
}

/**
 * Reads the SKILL.md (identity by core's strict rules: the SKILL_* codes) and the sidecar
 * (SKILL_SIDECAR_INVALID) of a package `readPackage` accepted: what install needs of a
 * fetched package and the registry of a published one. `label` names it in messages.
 */
export function readPackageSkill(contents: PackageContents, label: string): PackageSkill {
  const text = (path: string): string | undefined => {
    const file = contents.files.find((entry) => entry.path === path);
    return file === undefined ? undefined : Buffer.from(file.content).toString('utf8');
  };
  const { identity, description } = parseSkillMdHead(text(SKILL_FILE) ?? '', `${label}/${SKILL_FILE}`);
  const sidecarText = text(SKILL_SIDECAR_FILE);
  let dependencies: Readonly<Record<string, string>> = {};
  if (sidecarText !== undefined) {
    const { sidecar, findings } = parseSkillSidecar(sidecarText, { file: `${label}/${SKILL_SIDECAR_FILE}` });
    if (sidecar === undefined) {
      throw new SkillsyncError('SKILL_SIDECAR_INVALID', `${label}: ${findings[0]?.message ?? 'invalid sidecar'}`, { details: { package: label } });
    }
    dependencies = sidecar.requires?.skills ?? {};
  }
  return { ...identity, description, dependencies };
}
