import { errorCatalogue, type ErrorCode } from '../errors/index.js';

export type FindingSeverity = 'error' | 'warning';

/** How hard a rule bites: `strict` for publishing, `lenient` for loading skills people already have. */
export type ValidationMode = 'strict' | 'lenient';

/**
 * One problem found in a skill. Findings are values, never thrown: a validator returns
 * every finding it can, so a user fixes them in one pass.
 */
export interface SkillFinding {
  code: ErrorCode;
  severity: FindingSeverity;
  message: string;
  /** The file the finding is about, as the caller named it (a path, or `SKILL.md` for bare text). */
  file: string;
  /** 1-based, when the finding points at a place in the file. */
  line?: number;
  /** 1-based, when known. */
  column?: number;
  /** Dotted path of the field concerned, e.g. `metadata.version` or `requires.skills.pdf`. */
  field?: string;
  hint: string;
}

export interface SourceLocation {
  line: number;
  column: number;
}

export interface FindingInput {
  code: ErrorCode;
  severity: FindingSeverity;
  message: string;
  file: string;
  location?: SourceLocation | undefined;
  field?: string | undefined;
  /** Replaces the catalogue hint when the situation allows a sharper one. */
  hint?: string | undefined;
}

/** Builds a finding whose hint defaults from the error catalogue; absent optional fields are left out. */
export function createFinding(input: FindingInput): SkillFinding {
  const finding: SkillFinding = {
    code: input.code,
    severity: input.severity,
    message: input.message,
    file: input.file,
    hint: input.hint ?? errorCatalogue[input.code].hint,
  };
  if (input.location !== undefined) {
    finding.line = input.location.line;
    finding.column = input.location.column;
  }
  if (input.field !== undefined) finding.field = input.field;
  return finding;
}

/** True when no finding is an error: warnings alone never fail a skill. */
export function hasNoErrors(findings: readonly SkillFinding[]): boolean {
  return findings.every((finding) => finding.severity !== 'error');
}
