import { parseSkillMd, renderSkillMd, validateSkill, type SkillFinding } from '@skillsync/core';
import type { DraftFinding, SkillDraft } from '../daemon/contract.js';

export interface CheckedDraft {
  readonly findings: readonly DraftFinding[];
  /** The SKILL.md text the draft makes (frontmatter + body). */
  readonly skillMd: string;
}

/** The one file a draft becomes; its folder holds nothing else. */
export const DRAFT_FILE = 'SKILL.md';

/**
 * The SKILL.md text of a draft: `name` and `description` from their own fields (the
 * same keys in `extra` are ignored), the other frontmatter fields from `extra`, in
 * `renderSkillMd`'s stable order. Pure.
 */
export function renderDraft(draft: SkillDraft): string {
  return renderSkillMd({ frontmatter: { ...draft.extra, name: draft.name, description: draft.description }, body: draft.body });
}

/**
 * Validates a draft by the rules of `skillsync validate --strict`, as if it were a
 * folder named after the skill holding only its SKILL.md (a link to any other file is
 * reported). Every finding names the form field it is about: its frontmatter field,
 * or `body`. Under `--strict` a warning fails validation too; only errors stop
 * `createSkillFromDraft`. Pure.
 */
export function checkDraft(draft: SkillDraft): CheckedDraft {
  const skillMd = renderDraft(draft);
  // No folder name: the folder is named after the draft, so the two can never differ.
  const report = validateSkill({ dir: '', files: [DRAFT_FILE], texts: { [DRAFT_FILE]: skillMd } }, { mode: 'strict' });
  const { bodyStartLine } = parseSkillMd(skillMd);
  return { skillMd, findings: report.findings.map((finding) => toDraftFinding(finding, bodyStartLine)) };
}

function toDraftFinding(finding: SkillFinding, bodyStartLine: number): DraftFinding {
  const { severity, code, message } = finding;
  // Findings without a field point at a line; the frontmatter is generated, so a line in it always comes with its field.
  const field = finding.field ?? (finding.line !== undefined && finding.line >= bodyStartLine ? 'body' : undefined);
  return { severity, code, message, ...(field === undefined ? {} : { field }) };
}
