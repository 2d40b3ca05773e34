import { SkillsyncError } from '@skillsync/core';
import { packSkill, type PackedSkill } from '../pack/pack-skill.js';
import type { FetchedPackage, SkillSource } from './skill-source.js';

/**
 * A skill folder on disk, packed on first use (once per source). It offers one
 * version: the folder's `metadata.version`. Local folders are the user's own files,
 * so they are never signed.
 */
export function createLocalFolderSource(dir: string, options: { resolved: string }): SkillSource {
  let packed: Promise<PackedSkill> | undefined;
  const pack = (): Promise<PackedSkill> => (packed ??= packSkill(dir));
  const checkName = (skill: PackedSkill, name: string): void => {
    if (skill.name !== name) {
      throw new SkillsyncError('SKILL_NAME_MISMATCH', `The folder ${dir} holds the skill ${skill.name}, not ${name}.`, {
        details: { path: dir, expected: name, actual: skill.name },
        hint: `Name the entry \`${skill.name}\` in skillsync.yaml, or point it at the right folder.`,
      });
    }
  };
  return {
    async listVersions(name) {
      const skill = await pack();
      checkName(skill, name);
      return [skill.version];
    },
    async fetch(name, version): Promise<FetchedPackage> {
      const skill = await pack();
      checkName(skill, name);
      if (skill.version !== version) {
        throw new SkillsyncError('VERSION_NOT_FOUND', `The folder ${dir} holds ${name}@${skill.version}, not ${version}.`, {
          details: { path: dir, name, version, available: [skill.version] },
        });
      }
      return { tarball: skill.tarball };
    },
    describe: () => options.resolved,
  };
}
