import path from 'node:path';
import { createFinding, hasNoErrors, type SkillFinding, type ValidationMode } from './skill-finding.js';
import { parseSkillEvals } from './skill-evals.js';
import type { SkillInfo } from './skill-info.js';
import { findSkillReferences } from './skill-references.js';
import { DEFAULT_EVALS_PATH, parseSkillSidecar, SKILL_SIDECAR_FILE } from './skill-sidecar.js';
import { validateSkillMd } from './validate-skill-md.js';

/**
 * What validation needs from a skill folder: the list of its files and the text of the
 * few it reads. `readSkillFolder` builds this from disk; tests and packers build it
 * from memory.
 */
export interface SkillFolderContents {
  dir: string;
  /** Every file, relative to `dir`, with `/` separators, sorted; ignored names are left out. */
  files: string[];
  /** Text of SKILL.md (or skill.md), the sidecar and the evals file, by relative path, when present. */
  texts: Record<string, string>;
}

export interface SkillReport {
  dir: string;
  skill?: SkillInfo;
  findings: SkillFinding[];
  /** True when no finding is an error. */
  ok: boolean;
}

export interface ValidateSkillOptions {
  mode: ValidationMode;
}

/** Validates a skill folder's contents. Pure: all I/O happened in `readSkillFolder`. */
export function validateSkill(contents: SkillFolderContents, options: ValidateSkillOptions): SkillReport {
  const { dir, files, texts } = contents;
  const { mode } = options;
  const findings: SkillFinding[] = [];
  const fileSet = new Set(files);
  const inDir = (relative: string): string => (dir === '' ? relative : path.join(dir, relative));

  const skillMdName = fileSet.has('SKILL.md') ? 'SKILL.md' : fileSet.has('skill.md') ? 'skill.md' : undefined;
  if (skillMdName === undefined) {
    findings.push(createFinding({ code: 'SKILL_MD_MISSING', severity: 'error', message: `${dir} has no SKILL.md.`, file: inDir('SKILL.md') }));
    return { dir, findings, ok: false };
  }
  if (skillMdName === 'skill.md') {
    findings.push(
      createFinding({ code: 'SKILL_MD_LOWERCASE', severity: 'warning', message: 'The skill file is named skill.md; the specification names it SKILL.md.', file: inDir(skillMdName) }),
    );
  }
  const skillMdText = texts[skillMdName];
  if (skillMdText === undefined) {
    findings.push(createFinding({ code: 'FILE_READ_FAILED', severity: 'error', message: `${skillMdName} could not be read.`, file: inDir(skillMdName) }));
    return { dir, findings, ok: false };
  }

  const checked = validateSkillMd(skillMdText, { mode, folderName: folderNameOf(dir), file: inDir(skillMdName) });
  findings.push(...checked.findings);
  const skill = checked.skill;

  for (const reference of findSkillReferences(checked.parsed.body, checked.parsed.bodyStartLine)) {
    const exists = fileSet.has(reference.path) || files.some((file) => file.startsWith(`${reference.path}/`));
    if (exists) continue;
    const outside = reference.path === '..' || reference.path.startsWith('../');
    findings.push(
      createFinding({
        code: 'SKILL_REFERENCE_MISSING',
        severity: 'warning',
        message: outside
          ? `The link to ${reference.target} points outside the skill folder; it will not be packaged with the skill.`
          : `The link to ${reference.target} points to a file that is not in the skill folder.`,
        file: inDir(skillMdName),
        location: { line: reference.line, column: reference.column },
      }),
    );
  }

  let evalsPath = DEFAULT_EVALS_PATH;
  const sidecarText = texts[SKILL_SIDECAR_FILE];
  if (sidecarText !== undefined) {
    const sidecar = parseSkillSidecar(sidecarText, { file: inDir(SKILL_SIDECAR_FILE) });
    findings.push(...sidecar.findings);
    if (sidecar.sidecar !== undefined) {
      evalsPath = sidecar.sidecar.tests;
      if (skill !== undefined) skill.sidecar = sidecar.sidecar;
      if (evalsPath !== DEFAULT_EVALS_PATH && !fileSet.has(evalsPath)) {
        findings.push(
          createFinding({
            code: 'SKILL_EVALS_INVALID',
            severity: 'warning',
            message: `The sidecar names ${evalsPath} as the tests, but there is no such file.`,
            file: inDir(SKILL_SIDECAR_FILE),
            field: 'tests',
          }),
        );
      }
    }
  }

  const evalsText = texts[evalsPath];
  if (evalsText !== undefined) {
    const evals = parseSkillEvals(evalsText, { file: inDir(evalsPath), skillName: skill?.name });
    findings.push(...evals.findings);
    if (evals.evals !== undefined && skill !== undefined) skill.evals = evals.evals;
  }

  const report: SkillReport = { dir, findings, ok: hasNoErrors(findings) };
  if (skill !== undefined) report.skill = skill;
  return report;
}

/** The folder name a skill's `name` must equal; undefined when `dir` does not end in one (e.g. `.`). */
function folderNameOf(dir: string): string | undefined {
  const base = path.basename(dir);
  return base === '' || base === '.' || base === '..' ? undefined : base;
}
