import semver from 'semver';
import { isScalar } from 'yaml';
import type { ErrorCode } from '../errors/index.js';
import { suggest } from '../text/suggest.js';
import { isPlainRecord, parseSkillMd, type ParsedSkillMd } from './parse-skill-md.js';
import { createFinding, type SkillFinding, type ValidationMode } from './skill-finding.js';
import {
  SKILL_BODY_MAX_LINES,
  SKILL_COMPATIBILITY_MAX_LENGTH,
  SKILL_DESCRIPTION_MAX_LENGTH,
  SKILL_NAME_MAX_LENGTH,
  SPEC_FRONTMATTER_KEYS,
  type SkillInfo,
} from './skill-info.js';

export interface ValidateSkillMdOptions {
  mode: ValidationMode;
  /** The skill folder's name; `name` must equal it. Omit for text with no folder. */
  folderName?: string | undefined;
  file?: string | undefined;
}

export interface SkillMdValidation {
  parsed: ParsedSkillMd;
  /** Present whenever a name and a description could be determined, even when there are errors. */
  skill: SkillInfo | undefined;
  findings: SkillFinding[];
}

/**
 * Fields that clients read but the specification does not define, with the client
 * that reads them: the message names it so the user knows why the key is there.
 */
const clientFields: Readonly<Record<string, string>> = {
  'argument-hint': 'Claude Code',
  'disable-model-invocation': 'Claude Code',
  'user-invocable': 'Claude Code',
  model: 'Claude Code',
  context: 'Claude Code',
  agent: 'Claude Code',
  hooks: 'Claude Code',
  version: 'ToolHive and Claude Code plugins',
  toolhive: 'ToolHive',
  targets: 'rulesync',
};

const namePattern = /^[a-z0-9-]+$/;
const specKeys: ReadonlySet<string> = new Set(SPEC_FRONTMATTER_KEYS);

/**
 * Checks SKILL.md text against the Agent Skills specification and our publishing
 * conventions. In `strict` mode every spec rule is an error; in `lenient` mode the
 * deviations real skills carry are warnings and the skill still loads. Our own rules
 * (no `<`/`>` in descriptions, `metadata.version` as semver) apply in strict mode only,
 * under their own codes so they can be told apart from the spec's.
 */
export function validateSkillMd(text: string, options: ValidateSkillMdOptions): SkillMdValidation {
  const parsed = parseSkillMd(text, { file: options.file });
  const findings = [...parsed.findings];
  const { mode } = options;
  const file = parsed.file;
  const frontmatter = parsed.frontmatter;

  const report = (code: ErrorCode, severity: 'error' | 'warning', message: string, field?: string, hint?: string): void => {
    const key = field?.split('.').slice(0, 2).join('.');
    findings.push(createFinding({ code, severity, message, file, field, hint, location: key === undefined ? undefined : locationOf(parsed, key) }));
  };
  /** A specification rule: an error when publishing, a warning when loading. */
  const specRule = (code: ErrorCode, message: string, field?: string, hint?: string): void => {
    report(code, mode === 'strict' ? 'error' : 'warning', message, field, hint);
  };

  if (frontmatter === undefined) return { parsed, skill: undefined, findings };

  for (const key of Object.keys(frontmatter)) {
    if (specKeys.has(key)) continue;
    const client = clientFields[key];
    const guess = client === undefined ? suggest(key, SPEC_FRONTMATTER_KEYS) : undefined;
    const why = client === undefined ? 'is not an Agent Skills field' : `is not an Agent Skills field (${client} reads it)`;
    specRule(
      'SKILL_UNKNOWN_FIELD',
      `\`${key}\` ${why}${guess === undefined ? '' : `; did you mean \`${guess}\`?`}`,
      key,
      key === 'version' ? 'Move the version to `metadata.version`.' : undefined,
    );
  }

  const name = checkName(frontmatter.name, parsed, options, report, specRule);
  const description = checkDescription(frontmatter.description, parsed, mode, report, specRule);
  const metadata = checkMetadata(frontmatter.metadata, parsed, specRule);
  const license = checkOptionalString('license', frontmatter.license, parsed, 'SKILL_FIELD_INVALID', specRule);
  const compatibility = checkCompatibility(frontmatter.compatibility, parsed, specRule);
  const allowedTools = checkAllowedTools(frontmatter['allowed-tools'], specRule);
  const version = checkVersion(frontmatter, metadata, mode, report);
  checkBody(parsed, mode, findings);

  if (name === undefined || description === undefined) return { parsed, skill: undefined, findings };
  const skill: SkillInfo = { name, description, allowedTools, metadata, frontmatter };
  if (version !== undefined) skill.version = version;
  if (license !== undefined) skill.license = license;
  if (compatibility !== undefined) skill.compatibility = compatibility;
  return { parsed, skill, findings };
}

type Report = (code: ErrorCode, severity: 'error' | 'warning', message: string, field?: string, hint?: string) => void;
type SpecRule = (code: ErrorCode, message: string, field?: string, hint?: string) => void;

function checkName(value: unknown, parsed: ParsedSkillMd, options: ValidateSkillMdOptions, report: Report, specRule: SpecRule): string | undefined {
  const { folderName, mode } = options;
  if (value === undefined || value === null || (typeof value === 'string' && value.trim() === '')) {
    if (mode === 'lenient' && folderName !== undefined) {
      report('SKILL_NAME_MISSING', 'warning', `\`name\` is missing; using the folder name "${folderName}".`, 'name');
      return folderName;
    }
    report('SKILL_NAME_MISSING', 'error', '`name` is missing.', 'name');
    return undefined;
  }
  const text = scalarText(value, parsed, ['name']);
  if (text === undefined) {
    report('SKILL_NAME_INVALID', 'error', '`name` must be a string.', 'name');
    return undefined;
  }
  if (typeof value !== 'string') specRule('SKILL_NAME_INVALID', `\`name\` must be a string, not ${describeType(value)}.`, 'name');

  const problems: string[] = [];
  const length = codePointLength(text);
  if (length > SKILL_NAME_MAX_LENGTH) problems.push(`is ${length} characters long (at most ${SKILL_NAME_MAX_LENGTH})`);
  if (!namePattern.test(text)) problems.push('may contain only lowercase letters a-z, digits and hyphens');
  if (text.startsWith('-') || text.endsWith('-')) problems.push('may not start or end with a hyphen');
  if (text.includes('--')) problems.push('may not contain two hyphens in a row');
  if (problems.length > 0) specRule('SKILL_NAME_INVALID', `The name "${text}" ${problems.join(', ')}.`, 'name');

  if (folderName !== undefined && text !== folderName) {
    specRule('SKILL_NAME_MISMATCH', `The name "${text}" differs from the folder name "${folderName}".`, 'name');
  }
  return text;
}

function checkDescription(value: unknown, parsed: ParsedSkillMd, mode: ValidationMode, report: Report, specRule: SpecRule): string | undefined {
  if (value === undefined || value === null || (typeof value === 'string' && value.trim() === '')) {
    report('SKILL_DESCRIPTION_MISSING', 'error', '`description` is missing or empty.', 'description');
    return undefined;
  }
  const text = scalarText(value, parsed, ['description']);
  if (text === undefined) {
    report('SKILL_DESCRIPTION_INVALID', 'error', '`description` must be a string.', 'description');
    return undefined;
  }
  if (typeof value !== 'string') specRule('SKILL_DESCRIPTION_INVALID', `\`description\` must be a string, not ${describeType(value)}.`, 'description');
  const length = codePointLength(text);
  if (length > SKILL_DESCRIPTION_MAX_LENGTH) {
    specRule('SKILL_DESCRIPTION_INVALID', `\`description\` is ${length} characters long (at most ${SKILL_DESCRIPTION_MAX_LENGTH}).`, 'description');
  }
  if (mode === 'strict' && /[<>]/.test(text)) {
    report('SKILL_DESCRIPTION_ANGLE_BRACKETS', 'error', '`description` contains `<` or `>`.', 'description');
  }
  return text;
}

function checkMetadata(value: unknown, parsed: ParsedSkillMd, specRule: SpecRule): Record<string, string> {
  const metadata: Record<string, string> = {};
  if (value === undefined || value === null) return metadata;
  if (!isPlainRecord(value)) {
    specRule('SKILL_METADATA_INVALID', `\`metadata\` must be a mapping, not ${describeType(value)}.`, 'metadata');
    return metadata;
  }
  for (const [key, entry] of Object.entries(value)) {
    const field = `metadata.${key}`;
    if (typeof entry === 'string') {
      metadata[key] = entry;
      continue;
    }
    const text = entry === null ? undefined : scalarText(entry, parsed, ['metadata', key]);
    specRule('SKILL_METADATA_INVALID', `\`${field}\` must be a string, not ${describeType(entry)}.`, field);
    if (text !== undefined) metadata[key] = text;
  }
  return metadata;
}

function checkOptionalString(field: string, value: unknown, parsed: ParsedSkillMd, code: ErrorCode, specRule: SpecRule): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value;
  specRule(code, `\`${field}\` must be a string, not ${describeType(value)}.`, field);
  return scalarText(value, parsed, [field]);
}

function checkCompatibility(value: unknown, parsed: ParsedSkillMd, specRule: SpecRule): string | undefined {
  const text = checkOptionalString('compatibility', value, parsed, 'SKILL_COMPATIBILITY_INVALID', specRule);
  if (text === undefined) return undefined;
  const length = codePointLength(text);
  if (length === 0 || length > SKILL_COMPATIBILITY_MAX_LENGTH) {
    specRule('SKILL_COMPATIBILITY_INVALID', `\`compatibility\` is ${length} characters long (1 to ${SKILL_COMPATIBILITY_MAX_LENGTH}).`, 'compatibility');
  }
  return text;
}

function checkAllowedTools(value: unknown, specRule: SpecRule): string[] {
  if (value === undefined || value === null) return [];
  if (typeof value === 'string') return splitAllowedTools(value);
  if (Array.isArray(value) && value.every((item) => typeof item === 'string')) {
    specRule(
      'SKILL_FIELD_INVALID',
      '`allowed-tools` is a YAML list; the specification defines a space-separated string.',
      'allowed-tools',
      'Write `allowed-tools: Read Grep Bash(git:*)` on one line.',
    );
    return value.map((item) => item.trim()).filter((item) => item.length > 0);
  }
  specRule('SKILL_FIELD_INVALID', `\`allowed-tools\` must be a space-separated string, not ${describeType(value)}.`, 'allowed-tools');
  return [];
}

/**
 * Splits `allowed-tools` on spaces and commas (Claude Code accepts both), except inside
 * parentheses, so `Bash(git log:*)` stays one entry.
 */
export function splitAllowedTools(value: string): string[] {
  const tools: string[] = [];
  let depth = 0;
  let current = '';
  for (const char of value) {
    if (char === '(') depth++;
    if (char === ')' && depth > 0) depth--;
    if (depth === 0 && (char === ',' || /\s/.test(char))) {
      if (current.length > 0) tools.push(current);
      current = '';
      continue;
    }
    current += char;
  }
  if (current.length > 0) tools.push(current);
  return tools;
}

function checkVersion(frontmatter: Record<string, unknown>, metadata: Record<string, string>, mode: ValidationMode, report: Report): string | undefined {
  const declared = metadata.version;
  if (declared !== undefined) {
    if (isSemver(declared)) return declared;
    report(
      'SKILL_VERSION_INVALID',
      mode === 'strict' ? 'error' : 'warning',
      `\`metadata.version\` "${declared}" is not a semantic version (MAJOR.MINOR.PATCH).`,
      'metadata.version',
    );
    return undefined;
  }
  if (mode === 'strict') {
    report('SKILL_VERSION_MISSING', 'error', 'Publishing needs `metadata.version`.', 'metadata');
    return undefined;
  }
  // Skills written for ToolHive or Claude Code plugins put it at the top level; reading it there loses nothing.
  const topLevel = frontmatter.version;
  return typeof topLevel === 'string' && isSemver(topLevel) ? topLevel : undefined;
}

function checkBody(parsed: ParsedSkillMd, mode: ValidationMode, findings: SkillFinding[]): void {
  const file = parsed.file;
  if (parsed.body.trim() === '') {
    findings.push(
      createFinding({
        code: 'SKILL_BODY_EMPTY',
        severity: mode === 'strict' ? 'error' : 'warning',
        message: `${file} has no instructions below the frontmatter.`,
        file,
        location: { line: parsed.bodyStartLine, column: 1 },
      }),
    );
    return;
  }
  const lines = parsed.body.replace(/(?:\r\n|\n|\r)$/, '').split(/\r\n|\n|\r/).length;
  if (lines > SKILL_BODY_MAX_LINES) {
    findings.push(
      createFinding({
        code: 'SKILL_BODY_TOO_LONG',
        severity: 'warning',
        message: `The body of ${file} is ${lines} lines long (keep it under ${SKILL_BODY_MAX_LINES}).`,
        file,
        location: { line: parsed.bodyStartLine, column: 1 },
      }),
    );
  }
}

/** True for a strict semantic version, e.g. `1.2.0` or `2.0.0-rc.1` (no `v` prefix, no `1.0`). */
export function isSemver(value: string): boolean {
  // semver.valid alone also admits `v1.0.0`, `=1.0.0` and surrounding spaces.
  return /^\d\S*$/.test(value) && semver.valid(value) !== null;
}

function locationOf(parsed: ParsedSkillMd, key: string): { line: number; column: number } | undefined {
  return parsed.locations.get(key) ?? parsed.locations.get(key.split('.')[0] ?? key);
}

/** The text a scalar was written as (so `1.0` stays "1.0", not "1"); undefined for maps and lists. */
function scalarText(value: unknown, parsed: ParsedSkillMd, path: readonly string[]): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'object' && value !== null) return undefined;
  const node = parsed.document?.getIn(path, true);
  if (isScalar(node) && typeof node.source === 'string') return node.source;
  return String(value);
}

function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return `a ${typeof value}`;
}

/** Length in characters (code points), as the specification counts, not UTF-16 units. */
export function codePointLength(text: string): number {
  let length = 0;
  for (const _ of text) length++;
  return length;
}
