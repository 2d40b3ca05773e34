import type { SkillEvals } from './skill-evals.js';
import type { SkillSidecar } from './skill-sidecar.js';

/**
 * A skill as skillsync sees it, normalised from SKILL.md (and the optional sidecar and
 * evals). `frontmatter` is the raw mapping with every key, known or not, so a skill that
 * is loaded and written back keeps what other tools put there.
 */
export interface SkillInfo {
  name: string;
  description: string;
  /** `metadata.version` when it is valid semver (lenient mode also accepts a top-level `version`). */
  version?: string;
  license?: string;
  compatibility?: string;
  /** `allowed-tools`, split into entries; `Bash(git status)` stays one entry. */
  allowedTools: string[];
  /** `metadata` with string values only. */
  metadata: Record<string, string>;
  sidecar?: SkillSidecar;
  evals?: SkillEvals;
  frontmatter: Record<string, unknown>;
}

/** The frontmatter keys the Agent Skills specification allows. */
export const SPEC_FRONTMATTER_KEYS = ['name', 'description', 'license', 'allowed-tools', 'metadata', 'compatibility'] as const;
export type SpecFrontmatterKey = (typeof SPEC_FRONTMATTER_KEYS)[number];

export const SKILL_NAME_MAX_LENGTH = 64;
export const SKILL_DESCRIPTION_MAX_LENGTH = 1024;
export const SKILL_COMPATIBILITY_MAX_LENGTH = 500;
export const SKILL_BODY_MAX_LINES = 500;
