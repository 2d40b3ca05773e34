export {
  installSkills,
  type InstalledSkill,
  type InstallOutcome,
  type InstallProblem,
  type InstallResult,
  type InstallSkillsOptions,
  type InstallTrust,
} from './install-skills.js';
export { outdatedSkills, type OutdatedResult, type OutdatedSkill, type OutdatedSkillsOptions } from './outdated-skills.js';
export { installedSkills, type InstalledSkillEntry, type InstalledSkillsResult } from './installed-skills.js';
export type { ManifestInput } from './plan-roots.js';
