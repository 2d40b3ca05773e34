export { parseSkillMd, type ParsedSkillMd, type ParseSkillMdOptions } from './parse-skill-md.js';
export { validateSkillMd, splitAllowedTools, isSemver, type SkillMdValidation, type ValidateSkillMdOptions } from './validate-skill-md.js';
export { validateSkill, type SkillFolderContents, type SkillReport, type ValidateSkillOptions } from './validate-skill.js';
export { readSkillFolder, validateSkillFolder } from './read-skill-folder.js';
export { isExcludedFromSkill } from './skill-exclusions.js';
export {
  parseSkillSidecar,
  skillSidecarJsonSchema,
  skillSidecarSchema,
  SKILL_SIDECAR_FILE,
  SKILL_SIDECAR_SCHEMA_ID,
  DEFAULT_EVALS_PATH,
  type SkillSidecar,
  type SkillSidecarInput,
  type SkillSidecarResult,
} from './skill-sidecar.js';
export { parseSkillEvals, skillEvalsSchema, type SkillEvals, type SkillEvalCase, type SkillEvalsResult, type ParseSkillEvalsOptions } from './skill-evals.js';
export { findSkillReferences, type SkillReference } from './skill-references.js';
export { setSkillVersion } from './set-skill-version.js';
export { scaffoldSkill, isValidSkillName, type ScaffoldSkillOptions } from './scaffold-skill.js';
export { renderSkillMd, type SkillMdParts } from './render-skill-md.js';
export { createFinding, hasNoErrors, type FindingSeverity, type SkillFinding, type SourceLocation, type ValidationMode } from './skill-finding.js';
export {
  SPEC_FRONTMATTER_KEYS,
  SKILL_NAME_MAX_LENGTH,
  SKILL_DESCRIPTION_MAX_LENGTH,
  SKILL_COMPATIBILITY_MAX_LENGTH,
  SKILL_BODY_MAX_LINES,
  type SkillInfo,
  type SpecFrontmatterKey,
} from './skill-info.js';
