import path from 'node:path';
import { readSkillFolder, SkillsyncError, validateSkillMd, type ErrorCode, type SkillFinding } from '@skillsync/core';

/** What makes a package addressable: `name@version`. */
export interface SkillIdentity {
  readonly name: string;
  readonly version: string;
}

export const SKILL_FILE = 'SKILL.md';

/** Reads `name` and `metadata.version` from the SKILL.md of a skill folder (core's reader). */
export async function readSkillIdentity(dir: string): Promise<SkillIdentity> {
  const contents = await readSkillFolder(dir);
  const text = contents.texts[SKILL_FILE];
  if (text === undefined) {
    throw new SkillsyncError('SKILL_MD_MISSING', `No ${SKILL_FILE} in ${dir}.`, { details: { path: dir } });
  }
  return parseSkillIdentity(text, path.join(dir, SKILL_FILE));
}

/** The findings that leave a package without a name or a version; every other finding is for `validate`. */
const identityCodes: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'SKILL_FRONTMATTER_MISSING',
  'SKILL_FRONTMATTER_UNCLOSED',
  'SKILL_FRONTMATTER_INVALID_YAML',
  'SKILL_FRONTMATTER_NOT_MAPPING',
  'SKILL_NAME_MISSING',
  'SKILL_NAME_INVALID',
  'SKILL_VERSION_MISSING',
  'SKILL_VERSION_INVALID',
]);

function blocksIdentity(finding: SkillFinding): boolean {
  if (finding.severity !== 'error') return false;
  if (identityCodes.has(finding.code)) return true;
  return finding.code === 'SKILL_METADATA_INVALID' && (finding.field === 'metadata' || finding.field === 'metadata.version');
}

/**
 * The package identity from SKILL.md text, with core's strict rules for `name`
 * and `metadata.version`. Other findings (description, body length…) do not
 * stop packing: checking a skill for publishing is `validate`'s job.
 */
export function parseSkillIdentity(text: string, source: string): SkillIdentity {
  return parseSkillMdHead(text, source).identity;
}

/** `parseSkillIdentity`, plus the description (empty when SKILL.md has none: describing is not identifying). */
export function parseSkillMdHead(text: string, source: string): { identity: SkillIdentity; description: string } {
  const { parsed, skill, findings } = validateSkillMd(text, { mode: 'strict', file: source });
  const blocking = findings.find(blocksIdentity);
  if (blocking !== undefined) {
    throw new SkillsyncError(blocking.code, blocking.message, {
      hint: blocking.hint,
      details: { path: source, ...(blocking.field === undefined ? {} : { field: blocking.field }) },
    });
  }
  const name = parsed.frontmatter?.name;
  const metadata = parsed.frontmatter?.metadata;
  const version = typeof metadata === 'object' && metadata !== null ? (metadata as Record<string, unknown>).version : undefined;
  if (typeof name !== 'string' || typeof version !== 'string') {
    // The validator reports both cases above; this guards against its rules changing under us.
    throw new SkillsyncError(typeof name === 'string' ? 'SKILL_VERSION_MISSING' : 'SKILL_NAME_MISSING', `${source} has no usable name or version.`, {
      details: { path: source },
    });
  }
  return { identity: { name, version }, description: skill?.description ?? '' };
}
