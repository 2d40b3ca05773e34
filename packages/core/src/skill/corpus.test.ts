import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { corpusAvailable, corpusDir, corpusSkipReason, listCorpusSkills } from '../../../../test/support/corpus.js';
import { parseSkillMd } from './parse-skill-md.js';
import { validateSkillFolder } from './read-skill-folder.js';
import type { SkillFinding } from './skill-finding.js';

/**
 * The verdict of every real-world skill in the shared corpus, pinned. Each entry is the
 * sorted set of finding codes; `~` marks a warning, anything else is an error, so a
 * skill passes a mode when its list has no unmarked code. A change in any verdict (a
 * rule tightened or loosened, a new corpus skill) fails here and must be reviewed.
 *
 * Read from ../shared/corpus at test time; nothing is copied into the repository.
 */
const expected: Record<string, { strict: string; lenient: string }> = {
  'anthropics-claude-plugins-official/access': { strict: 'SKILL_FIELD_INVALID SKILL_UNKNOWN_FIELD SKILL_VERSION_MISSING', lenient: '~SKILL_FIELD_INVALID ~SKILL_UNKNOWN_FIELD' },
  'anthropics-claude-plugins-official/writing-rules': { strict: 'SKILL_NAME_MISMATCH SKILL_UNKNOWN_FIELD SKILL_VERSION_MISSING', lenient: '~SKILL_NAME_MISMATCH ~SKILL_UNKNOWN_FIELD' },
  'anthropics-skills/algorithmic-art': { strict: 'SKILL_VERSION_MISSING', lenient: '' },
  'anthropics-skills/brand-guidelines': { strict: 'SKILL_VERSION_MISSING', lenient: '' },
  'anthropics-skills/canvas-design': { strict: 'SKILL_VERSION_MISSING', lenient: '' },
  'anthropics-skills/claude-api': { strict: '~SKILL_BODY_TOO_LONG SKILL_DESCRIPTION_INVALID SKILL_VERSION_MISSING', lenient: '~SKILL_BODY_TOO_LONG ~SKILL_DESCRIPTION_INVALID' },
  'anthropics-skills/frontend-design': { strict: 'SKILL_VERSION_MISSING', lenient: '' },
  'anthropics-skills/internal-comms': { strict: 'SKILL_VERSION_MISSING', lenient: '' },
  'anthropics-skills/mcp-builder': { strict: 'SKILL_VERSION_MISSING', lenient: '' },
  'anthropics-skills/skill-creator': { strict: 'SKILL_VERSION_MISSING', lenient: '' },
  'anthropics-skills/theme-factory': { strict: 'SKILL_VERSION_MISSING', lenient: '' },
  'anthropics-skills/webapp-testing': { strict: 'SKILL_VERSION_MISSING', lenient: '' },
  'block-ai-rules/debugging': { strict: 'SKILL_VERSION_MISSING', lenient: '' },
  'block-ai-rules/stars-we-prefer': { strict: 'SKILL_VERSION_MISSING', lenient: '' },
  'cline-cline/cline-sdk': { strict: 'SKILL_VERSION_MISSING', lenient: '' },
  'cline-cline/tuistory': { strict: 'SKILL_VERSION_MISSING', lenient: '' },
  'docker-mcp-gateway/otel-instrument': { strict: 'SKILL_NAME_INVALID SKILL_NAME_MISMATCH SKILL_VERSION_MISSING', lenient: '~SKILL_NAME_INVALID ~SKILL_NAME_MISMATCH' },
  'dyoshikawa-rulesync/draft-release-post': { strict: 'SKILL_UNKNOWN_FIELD SKILL_VERSION_MISSING', lenient: '~SKILL_UNKNOWN_FIELD' },
  'dyoshikawa-rulesync/git-worktree-runner': { strict: 'SKILL_UNKNOWN_FIELD SKILL_VERSION_MISSING', lenient: '~SKILL_UNKNOWN_FIELD' },
  'dyoshikawa-rulesync/rulesync': { strict: 'SKILL_UNKNOWN_FIELD SKILL_VERSION_MISSING', lenient: '~SKILL_UNKNOWN_FIELD' },
  'dyoshikawa-rulesync/skill-creator': { strict: 'SKILL_VERSION_MISSING', lenient: '' },
  'getsentry-skills/iterate-pr': { strict: 'SKILL_UNKNOWN_FIELD SKILL_VERSION_MISSING', lenient: '~SKILL_UNKNOWN_FIELD' },
  'github-awesome-copilot/doc-and-modernize': { strict: '~SKILL_BODY_TOO_LONG SKILL_VERSION_MISSING', lenient: '~SKILL_BODY_TOO_LONG' },
  'github-awesome-copilot/mentoring-juniors': { strict: 'SKILL_UNKNOWN_FIELD SKILL_VERSION_MISSING', lenient: '~SKILL_UNKNOWN_FIELD' },
  'github-awesome-copilot/qdrant-scaling': { strict: 'SKILL_FIELD_INVALID ~SKILL_REFERENCE_MISSING SKILL_VERSION_MISSING', lenient: '~SKILL_FIELD_INVALID ~SKILL_REFERENCE_MISSING' },
  'google-gemini-gemini-cli/agent-tui': { strict: 'SKILL_VERSION_MISSING', lenient: '' },
  'google-gemini-gemini-cli/ci': { strict: 'SKILL_VERSION_MISSING', lenient: '' },
  'google-gemini-gemini-cli/code_explorer': { strict: 'SKILL_NAME_INVALID SKILL_VERSION_MISSING', lenient: '~SKILL_NAME_INVALID' },
  'google-gemini-gemini-cli/greeter': { strict: 'SKILL_VERSION_MISSING', lenient: '' },
  'google-gemini-gemini-cli/pirate-skill': { strict: 'SKILL_VERSION_MISSING', lenient: '' },
  'microsoft-apm/apm-issue-autopilot': { strict: '~SKILL_REFERENCE_MISSING SKILL_VERSION_MISSING', lenient: '~SKILL_REFERENCE_MISSING' },
  'microsoft-apm/placeholder': { strict: 'SKILL_FRONTMATTER_MISSING', lenient: 'SKILL_FRONTMATTER_MISSING' },
  'modelcontextprotocol-modelcontextprotocol/draft-sep': { strict: 'SKILL_UNKNOWN_FIELD SKILL_VERSION_MISSING', lenient: '~SKILL_UNKNOWN_FIELD' },
  'numman-ali-openskills/my-first-skill': { strict: 'SKILL_VERSION_MISSING', lenient: '' },
  'obra-superpowers/brainstorming': { strict: 'SKILL_NAME_INVALID SKILL_NAME_MISMATCH SKILL_VERSION_MISSING', lenient: '~SKILL_NAME_INVALID ~SKILL_NAME_MISMATCH' },
  'obra-superpowers/receiving-code-review': { strict: 'SKILL_NAME_INVALID SKILL_NAME_MISMATCH SKILL_VERSION_MISSING', lenient: '~SKILL_NAME_INVALID ~SKILL_NAME_MISMATCH' },
  'openai-skills/skill-installer': { strict: 'SKILL_VERSION_MISSING', lenient: '' },
  'rohitg00-skillkit/handoff-protocols': { strict: 'SKILL_NAME_INVALID SKILL_NAME_MISMATCH SKILL_UNKNOWN_FIELD SKILL_VERSION_MISSING', lenient: '~SKILL_NAME_INVALID ~SKILL_NAME_MISMATCH ~SKILL_UNKNOWN_FIELD' },
  'vercel-labs-skills/find-skills': { strict: 'SKILL_VERSION_MISSING', lenient: '' },
};

function signature(findings: readonly SkillFinding[]): string {
  const codes = new Set(findings.map((finding) => `${finding.severity === 'warning' ? '~' : ''}${finding.code}`));
  return [...codes].sort((a, b) => a.replace('~', '').localeCompare(b.replace('~', ''))).join(' ');
}

function passes(pinned: string): boolean {
  return pinned.split(' ').every((code) => code === '' || code.startsWith('~'));
}

describe.skipIf(!corpusAvailable)(`skill corpus verdicts${corpusAvailable ? '' : ` (skipped: ${corpusSkipReason})`}`, () => {
  const skills = corpusAvailable ? listCorpusSkills() : [];

  it('pins a verdict for exactly the skills in the corpus', () => {
    expect(skills).toEqual(Object.keys(expected).sort());
  });

  it.each(skills)('%s', async (skill) => {
    const dir = path.join(corpusDir, 'skills', skill);
    const pinned = expected[skill];
    const strict = await validateSkillFolder(dir, { mode: 'strict' });
    const lenient = await validateSkillFolder(dir, { mode: 'lenient' });
    expect({ strict: signature(strict.findings), lenient: signature(lenient.findings) }).toEqual(pinned);
    expect(strict.ok).toBe(passes(pinned?.strict ?? ''));
    expect(lenient.ok).toBe(passes(pinned?.lenient ?? ''));
    // Loading keeps every key a skill's author wrote, known or not.
    if (lenient.skill !== undefined) {
      const written = parseSkillMd(readFileSync(path.join(dir, 'SKILL.md'), 'utf8')).frontmatter;
      expect(lenient.skill.frontmatter).toEqual(written);
    }
  });

  it('summary: no corpus skill is publishable as is (none has metadata.version); all but one load', () => {
    const strictPass = Object.values(expected).filter((verdict) => passes(verdict.strict)).length;
    const specOnlyPass = Object.values(expected).filter((verdict) => passes(verdict.strict.replace('SKILL_VERSION_MISSING', '~'))).length;
    const lenientPass = Object.values(expected).filter((verdict) => passes(verdict.lenient)).length;
    expect({ total: Object.keys(expected).length, strictPass, specOnlyPass, lenientPass }).toEqual({ total: 39, strictPass: 0, specOnlyPass: 23, lenientPass: 38 });
  });
});
