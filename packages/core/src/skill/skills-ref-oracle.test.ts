import path from 'node:path';
import { parseFrontmatter, validate as skillsRefValidate, validateMetadata } from 'skills-ref';
import { describe, expect, it } from 'vitest';
import { corpusAvailable, corpusDir, corpusSkipReason, listCorpusSkills } from '../../../../test/support/corpus.js';
import type { ErrorCode } from '../errors/index.js';
import { validateSkillFolder } from './read-skill-folder.js';
import { validateSkillMd } from './validate-skill-md.js';

/**
 * The reference validator (`skills-ref`, the npm port of agentskills' Python library)
 * is the oracle for the specification's rules. Both run over every corpus skill; our
 * strict errors, minus the rules that are ours and not the spec's, must name the same
 * rule categories as skills-ref's messages. Every difference is listed below with its
 * reason; an unlisted one fails the test.
 */

/** Strict-mode rules that are skillsync's, not the specification's: skills-ref cannot judge them. */
const ourRules: ReadonlySet<ErrorCode> = new Set([
  'SKILL_VERSION_MISSING',
  'SKILL_VERSION_INVALID',
  'SKILL_DESCRIPTION_ANGLE_BRACKETS',
  'SKILL_BODY_EMPTY',
  'SKILL_SIDECAR_INVALID',
  'SKILL_EVALS_INVALID',
]);

/** skills-ref messages, mapped onto our codes. */
const messageCodes: readonly [RegExp, ErrorCode][] = [
  [/^Unexpected fields in frontmatter/, 'SKILL_UNKNOWN_FIELD'],
  [/^Directory name .* must match skill name/, 'SKILL_NAME_MISMATCH'],
  [/^Missing required field in frontmatter: name|^Field 'name' must be/, 'SKILL_NAME_MISSING'],
  [/^Skill name |^Skill name cannot/, 'SKILL_NAME_INVALID'],
  [/^Missing required field in frontmatter: description|^Field 'description' must be/, 'SKILL_DESCRIPTION_MISSING'],
  [/^Description exceeds/, 'SKILL_DESCRIPTION_INVALID'],
  [/compatibility/i, 'SKILL_COMPATIBILITY_INVALID'],
  [/must start with YAML frontmatter/, 'SKILL_FRONTMATTER_MISSING'],
  [/not properly closed/, 'SKILL_FRONTMATTER_UNCLOSED'],
  [/^Invalid YAML/, 'SKILL_FRONTMATTER_INVALID_YAML'],
  [/must be a YAML mapping/, 'SKILL_FRONTMATTER_NOT_MAPPING'],
  [/^Missing required file: SKILL.md/, 'SKILL_MD_MISSING'],
];

interface Disagreement {
  skill: string;
  code: ErrorCode;
  /** `ours`: only we report it; `theirs`: only skills-ref does. */
  side: 'ours' | 'theirs';
  reason: string;
}

const knownDisagreements: readonly Disagreement[] = [
  {
    skill: 'anthropics-claude-plugins-official/access',
    code: 'SKILL_FIELD_INVALID',
    side: 'ours',
    reason: 'allowed-tools is a YAML list; the spec defines a space-separated string, and skills-ref does not check the type of allowed-tools.',
  },
  {
    skill: 'github-awesome-copilot/qdrant-scaling',
    code: 'SKILL_FIELD_INVALID',
    side: 'ours',
    reason: 'allowed-tools is a YAML list; the spec defines a space-separated string, and skills-ref does not check the type of allowed-tools.',
  },
];

function mapMessage(message: string): ErrorCode | 'UNMAPPED' {
  return messageCodes.find(([pattern]) => pattern.test(message))?.[1] ?? 'UNMAPPED';
}

describe.skipIf(!corpusAvailable)(`strict validation agrees with skills-ref on the spec's rules${corpusAvailable ? '' : ` (skipped: ${corpusSkipReason})`}`, () => {
  const skills = corpusAvailable ? listCorpusSkills() : [];

  it('finds no disagreement beyond the listed ones, and every listed one still happens', async () => {
    const found: Disagreement[] = [];
    for (const skill of skills) {
      const dir = path.join(corpusDir, 'skills', skill);
      const theirs = new Set((await skillsRefValidate(dir)).map(mapMessage));
      const report = await validateSkillFolder(dir, { mode: 'strict' });
      const ours = new Set(report.findings.filter((f) => f.severity === 'error' && !ourRules.has(f.code)).map((f) => f.code));
      for (const code of ours) if (!theirs.has(code)) found.push({ skill, code, side: 'ours', reason: '' });
      for (const code of theirs) if (!ours.has(code as ErrorCode)) found.push({ skill, code: code as ErrorCode, side: 'theirs', reason: '' });
    }
    const key = (d: Disagreement): string => `${d.skill} ${d.side} ${d.code}`;
    expect(found.map(key).sort()).toEqual(knownDisagreements.map(key).sort());
  });

  it('agrees on the pass/fail verdict wherever no disagreement is listed', async () => {
    const listed = new Set(knownDisagreements.map((d) => d.skill));
    for (const skill of skills.filter((s) => !listed.has(s))) {
      const dir = path.join(corpusDir, 'skills', skill);
      const theirsOk = (await skillsRefValidate(dir)).length === 0;
      const report = await validateSkillFolder(dir, { mode: 'strict' });
      const oursOk = report.findings.every((f) => f.severity !== 'error' || ourRules.has(f.code));
      expect({ skill, ok: oursOk }).toEqual({ skill, ok: theirsOk });
    }
  });
});

/**
 * Rules where we deliberately differ from skills-ref, run against skills-ref itself on
 * small inputs, so each difference stays true and documented even when no corpus skill
 * exercises it. `theirs` / `ours` are the codes each side reports (our own rules excluded).
 */
const ruleDifferences: readonly { why: string; frontmatter: string; theirs: string[]; ours: string[] }[] = [
  { why: 'skills-ref admits Unicode letters in names; the spec allows only a-z, 0-9 and -', frontmatter: 'name: pdé', theirs: [], ours: ['SKILL_NAME_INVALID'] },
  { why: 'skills-ref does not check the type of allowed-tools; the spec defines a space-separated string', frontmatter: 'allowed-tools: [Read, Grep]', theirs: [], ours: ['SKILL_FIELD_INVALID'] },
  { why: 'skills-ref coerces metadata values to strings; the spec says string to string', frontmatter: 'metadata:\n  level: 1', theirs: [], ours: ['SKILL_METADATA_INVALID'] },
  { why: 'skills-ref accepts an empty compatibility; the spec says 1-500 characters', frontmatter: 'compatibility: ""', theirs: [], ours: ['SKILL_COMPATIBILITY_INVALID'] },
  { why: 'skills-ref does not check license; the spec defines it as a string', frontmatter: 'license: [MIT]', theirs: [], ours: ['SKILL_FIELD_INVALID'] },
  { why: 'skills-ref counts UTF-16 units; we count characters as the spec does', frontmatter: `description: "${'😀'.repeat(600)}"`, theirs: ['SKILL_DESCRIPTION_INVALID'], ours: [] },
  {
    why: 'skills-ref splits the file on any `---`, even inside a line, and loses the rest; we split on fence lines',
    frontmatter: 'name: pdf # see a---b',
    theirs: ['SKILL_DESCRIPTION_MISSING'],
    ours: [],
  },
  { why: 'skills-ref does not check `<` or `>` (skill-creator does); ours is its own code, excluded above', frontmatter: 'description: "a <b> c"', theirs: [], ours: [] },
];

describe('rule differences with skills-ref, checked against skills-ref itself', () => {
  it.each(ruleDifferences)('$why', ({ frontmatter, theirs, ours }) => {
    const base: Record<string, string> = { name: 'name: pdf', description: 'description: Reads PDFs.' };
    const key = frontmatter.split(':')[0] ?? '';
    const lines = { ...base, [key]: frontmatter };
    const text = `---\n${Object.values(lines).join('\n')}\n---\nbody\n`;
    let theirCodes: string[];
    try {
      theirCodes = validateMetadata(parseFrontmatter(text)[0]).map(mapMessage);
    } catch (error) {
      theirCodes = [mapMessage(error instanceof Error ? error.message : String(error))];
    }
    const ourCodes = validateSkillMd(text, { mode: 'strict' })
      .findings.filter((f) => f.severity === 'error' && !ourRules.has(f.code))
      .map((f) => f.code);
    expect({ theirs: theirCodes, ours: ourCodes }).toEqual({ theirs, ours });
  });
});
