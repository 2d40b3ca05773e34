export {
  resolveSkills,
  type DependencyRequirer,
  type ResolvedPackage,
  type ResolveProblem,
  type ResolveResult,
  type ResolveRoot,
  type ResolveSkillsOptions,
} from './resolve-skills.js';
