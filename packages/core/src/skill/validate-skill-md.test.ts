import { describe, expect, it } from 'vitest';
import type { ValidationMode } from './skill-finding.js';
import { splitAllowedTools, validateSkillMd } from './validate-skill-md.js';

interface Fields {
  [key: string]: string | undefined;
}

/** A SKILL.md that passes strict validation, with `overrides` spliced in as raw YAML lines. */
function skillMd(overrides: Fields = {}, body = '# Title\n\nDo the thing.\n'): string {
  const fields: Fields = { name: 'pdf-tools', description: 'Reads PDFs. Use when the user mentions a PDF.', metadata: '\n  version: "1.0.0"', ...overrides };
  const lines = Object.entries(fields)
    .filter((entry): entry is [string, string] => entry[1] !== undefined)
    .map(([key, value]) => `${key}:${value.startsWith('\n') ? '' : ' '}${value}`);
  return ['---', ...lines, '---', body].join('\n');
}

/** `folderName` null means "no folder". */
function codes(text: string, mode: ValidationMode, folderName: string | null = 'pdf-tools'): string[] {
  return validateSkillMd(text, { mode, folderName: folderName ?? undefined }).findings.map((f) => `${f.severity}:${f.code}`);
}

describe('validateSkillMd: a valid skill', () => {
  it('passes strict and lenient with no findings and normalises the info', () => {
    const text = skillMd({ license: 'MIT', compatibility: 'Needs python3', 'allowed-tools': 'Read Bash(git log:*)' });
    expect(codes(text, 'strict')).toEqual([]);
    expect(codes(text, 'lenient')).toEqual([]);
    const { skill } = validateSkillMd(text, { mode: 'strict', folderName: 'pdf-tools' });
    expect(skill).toMatchObject({
      name: 'pdf-tools',
      version: '1.0.0',
      license: 'MIT',
      compatibility: 'Needs python3',
      allowedTools: ['Read', 'Bash(git log:*)'],
      metadata: { version: '1.0.0' },
    });
  });
});

describe('validateSkillMd: name', () => {
  it.each([
    ['Uppercase', 'PDF'],
    ['underscore', 'pdf_tools'],
    ['space', 'pdf tools'],
    ['leading hyphen', '-pdf'],
    ['trailing hyphen', 'pdf-'],
    ['double hyphen', 'pdf--tools'],
    ['non-ASCII letter', 'pdé'],
    ['65 characters', 'a'.repeat(65)],
  ])('rejects a name with %s', (_, name) => {
    expect(codes(skillMd({ name }), 'strict', name)).toEqual(['error:SKILL_NAME_INVALID']);
    expect(codes(skillMd({ name }), 'lenient', name)).toEqual(['warning:SKILL_NAME_INVALID']);
  });

  it.each(['a', 'a'.repeat(64), 'pdf2-tools-3', '"123"'])('accepts %s', (name) => {
    expect(codes(skillMd({ name }), 'strict', name.replaceAll('"', ''))).toEqual([]);
  });

  it('requires the name to equal the folder name (a warning when loading)', () => {
    expect(codes(skillMd(), 'strict', 'other')).toEqual(['error:SKILL_NAME_MISMATCH']);
    expect(codes(skillMd(), 'lenient', 'other')).toEqual(['warning:SKILL_NAME_MISMATCH']);
    expect(codes(skillMd(), 'strict', null)).toEqual([]);
  });

  it('takes the folder name for a missing name when loading, and points at the line', () => {
    const text = skillMd({ name: undefined });
    expect(codes(text, 'strict')).toEqual(['error:SKILL_NAME_MISSING']);
    const lenient = validateSkillMd(text, { mode: 'lenient', folderName: 'pdf-tools' });
    expect(lenient.findings.map((f) => `${f.severity}:${f.code}`)).toEqual(['warning:SKILL_NAME_MISSING']);
    expect(lenient.skill?.name).toBe('pdf-tools');
    expect(codes(text, 'lenient', null)).toEqual(['error:SKILL_NAME_MISSING']);
  });

  it('coerces a scalar name when loading but not when publishing', () => {
    expect(codes(skillMd({ name: '123' }), 'strict', '123')).toEqual(['error:SKILL_NAME_INVALID']);
    expect(codes(skillMd({ name: '123' }), 'lenient', '123')).toEqual(['warning:SKILL_NAME_INVALID']);
    expect(validateSkillMd(skillMd({ name: '1.10' }), { mode: 'lenient' }).skill?.name).toBe('1.10');
    expect(codes(skillMd({ name: '[a]' }), 'lenient')).toEqual(['error:SKILL_NAME_INVALID']);
  });
});

describe('validateSkillMd: description', () => {
  it('requires a non-empty description in both modes', () => {
    expect(codes(skillMd({ description: undefined }), 'strict')).toEqual(['error:SKILL_DESCRIPTION_MISSING']);
    expect(codes(skillMd({ description: '""' }), 'lenient')).toEqual(['error:SKILL_DESCRIPTION_MISSING']);
    expect(validateSkillMd(skillMd({ description: '   ' }), { mode: 'lenient' }).skill).toBeUndefined();
  });

  it('limits the description to 1024 characters (a warning when loading)', () => {
    expect(codes(skillMd({ description: 'x'.repeat(1024) }), 'strict')).toEqual([]);
    expect(codes(skillMd({ description: 'x'.repeat(1025) }), 'strict')).toEqual(['error:SKILL_DESCRIPTION_INVALID']);
    expect(codes(skillMd({ description: 'x'.repeat(1025) }), 'lenient')).toEqual(['warning:SKILL_DESCRIPTION_INVALID']);
  });

  it('counts characters, not UTF-16 units', () => {
    expect(codes(skillMd({ description: '😀'.repeat(1000) }), 'strict')).toEqual([]);
  });

  it('refuses < and > when publishing only, under its own code', () => {
    expect(codes(skillMd({ description: '"Use for <html> files"' }), 'strict')).toEqual(['error:SKILL_DESCRIPTION_ANGLE_BRACKETS']);
    expect(codes(skillMd({ description: '"Use for <html> files"' }), 'lenient')).toEqual([]);
  });

  it('reads block scalars', () => {
    const { skill } = validateSkillMd(skillMd({ description: '>-\n  Folded\n  text.' }), { mode: 'strict' });
    expect(skill?.description).toBe('Folded text.');
  });
});

describe('validateSkillMd: other spec fields', () => {
  it('limits compatibility to a string of 1-500 characters', () => {
    expect(codes(skillMd({ compatibility: 'x'.repeat(500) }), 'strict')).toEqual([]);
    expect(codes(skillMd({ compatibility: 'x'.repeat(501) }), 'strict')).toEqual(['error:SKILL_COMPATIBILITY_INVALID']);
    expect(codes(skillMd({ compatibility: '""' }), 'strict')).toEqual(['error:SKILL_COMPATIBILITY_INVALID']);
    expect(codes(skillMd({ compatibility: '[a]' }), 'strict')).toEqual(['error:SKILL_COMPATIBILITY_INVALID']);
    expect(codes(skillMd({ compatibility: 'x'.repeat(501) }), 'lenient')).toEqual(['warning:SKILL_COMPATIBILITY_INVALID']);
  });

  it('requires metadata to map strings to strings, reading numbers as written when loading', () => {
    expect(codes(skillMd({ metadata: '\n  version: "1.0.0"\n  author: me' }), 'strict')).toEqual([]);
    expect(codes(skillMd({ metadata: '[a, b]' }), 'strict')).toEqual(['error:SKILL_METADATA_INVALID', 'error:SKILL_VERSION_MISSING']);
    const numeric = skillMd({ metadata: '\n  version: "1.0.0"\n  level: 1.50' });
    expect(codes(numeric, 'strict')).toEqual(['error:SKILL_METADATA_INVALID']);
    const lenient = validateSkillMd(numeric, { mode: 'lenient' });
    expect(lenient.findings.map((f) => [f.severity, f.code, f.field, f.line])).toEqual([['warning', 'SKILL_METADATA_INVALID', 'metadata.level', 6]]);
    expect(lenient.skill?.metadata).toEqual({ version: '1.0.0', level: '1.50' });
  });

  it('requires license to be a string', () => {
    expect(codes(skillMd({ license: 'Apache-2.0' }), 'strict')).toEqual([]);
    expect(codes(skillMd({ license: '{ a: b }' }), 'strict')).toEqual(['error:SKILL_FIELD_INVALID']);
  });

  it('reads allowed-tools as a string; a YAML list is an error when publishing and a warning when loading', () => {
    const list = skillMd({ 'allowed-tools': '\n  - Read\n  - Bash(ls *)' });
    expect(codes(list, 'strict')).toEqual(['error:SKILL_FIELD_INVALID']);
    expect(codes(list, 'lenient')).toEqual(['warning:SKILL_FIELD_INVALID']);
    expect(validateSkillMd(list, { mode: 'lenient' }).skill?.allowedTools).toEqual(['Read', 'Bash(ls *)']);
    expect(codes(skillMd({ 'allowed-tools': '42' }), 'strict')).toEqual(['error:SKILL_FIELD_INVALID']);
  });

  it('splits allowed-tools on spaces and commas outside parentheses', () => {
    expect(splitAllowedTools('Read, Grep  Bash(git log:*) Bash(ls *)')).toEqual(['Read', 'Grep', 'Bash(git log:*)', 'Bash(ls *)']);
    expect(splitAllowedTools('  ')).toEqual([]);
  });
});

describe('validateSkillMd: unknown fields', () => {
  it('refuses client-specific keys when publishing and keeps them intact when loading', () => {
    const text = skillMd({ 'argument-hint': '"[file]"', 'user-invocable': 'true', 'x-team': '\n  owners: [a, b]' });
    expect(codes(text, 'strict')).toEqual(['error:SKILL_UNKNOWN_FIELD', 'error:SKILL_UNKNOWN_FIELD', 'error:SKILL_UNKNOWN_FIELD']);
    const lenient = validateSkillMd(text, { mode: 'lenient', folderName: 'pdf-tools' });
    expect(lenient.findings.every((f) => f.severity === 'warning')).toBe(true);
    expect(lenient.findings[0]?.message).toContain('Claude Code');
    expect(lenient.findings.map((f) => f.line)).toEqual([6, 7, 8]);
    expect(lenient.skill?.frontmatter).toMatchObject({ 'argument-hint': '[file]', 'user-invocable': true, 'x-team': { owners: ['a', 'b'] } });
  });

  it('suggests the spec key a typo was meant to be', () => {
    const [finding] = validateSkillMd(skillMd({ licence: 'MIT' }), { mode: 'strict', folderName: 'pdf-tools' }).findings;
    expect(finding?.message).toContain('did you mean `license`?');
    expect(finding?.field).toBe('licence');
  });
});

describe('validateSkillMd: version (our convention)', () => {
  it('requires metadata.version as semver when publishing, under its own codes', () => {
    expect(codes(skillMd({ metadata: undefined }), 'strict')).toEqual(['error:SKILL_VERSION_MISSING']);
    expect(codes(skillMd({ metadata: '\n  version: "1.0"' }), 'strict')).toEqual(['error:SKILL_VERSION_INVALID']);
    expect(codes(skillMd({ metadata: '\n  version: "v1.0.0"' }), 'strict')).toEqual(['error:SKILL_VERSION_INVALID']);
    expect(codes(skillMd({ metadata: '\n  version: " 1.0.0"' }), 'strict')).toEqual(['error:SKILL_VERSION_INVALID']);
    expect(codes(skillMd({ metadata: '\n  version: "2.0.0-rc.1+build.5"' }), 'strict')).toEqual([]);
  });

  it('does not require a version when loading and reads a top-level one', () => {
    expect(codes(skillMd({ metadata: undefined }), 'lenient')).toEqual([]);
    expect(codes(skillMd({ metadata: '\n  version: "1.0"' }), 'lenient')).toEqual(['warning:SKILL_VERSION_INVALID']);
    const topLevel = validateSkillMd(skillMd({ metadata: undefined, version: '0.3.1' }), { mode: 'lenient', folderName: 'pdf-tools' });
    expect(topLevel.skill?.version).toBe('0.3.1');
    expect(topLevel.findings.map((f) => f.code)).toEqual(['SKILL_UNKNOWN_FIELD']);
    expect(topLevel.findings[0]?.hint).toContain('metadata.version');
  });

  it('points at metadata.version with its line', () => {
    const [finding] = validateSkillMd(skillMd({ metadata: '\n  author: me\n  version: nope' }), { mode: 'strict', folderName: 'pdf-tools' }).findings;
    expect(finding).toMatchObject({ code: 'SKILL_VERSION_INVALID', field: 'metadata.version', line: 6, column: 3 });
  });
});

describe('validateSkillMd: body', () => {
  it('refuses an empty body when publishing and warns when loading', () => {
    expect(codes(skillMd({}, '\n  \n'), 'strict')).toEqual(['error:SKILL_BODY_EMPTY']);
    expect(codes(skillMd({}, ''), 'lenient')).toEqual(['warning:SKILL_BODY_EMPTY']);
  });

  it('warns when the body is over 500 lines', () => {
    expect(codes(skillMd({}, 'line\n'.repeat(500)), 'strict')).toEqual([]);
    const long = validateSkillMd(skillMd({}, 'line\n'.repeat(501)), { mode: 'strict', folderName: 'pdf-tools' });
    expect(long.findings.map((f) => [f.severity, f.code, f.line])).toEqual([['warning', 'SKILL_BODY_TOO_LONG', 7]]);
  });
});

describe('validateSkillMd: findings', () => {
  it('carry file, line, column, field and the catalogue hint', () => {
    const [finding] = validateSkillMd(skillMd({ name: 'Bad_Name' }), { mode: 'strict', file: 'skills/x/SKILL.md' }).findings;
    expect(finding).toEqual({
      code: 'SKILL_NAME_INVALID',
      severity: 'error',
      message: expect.stringContaining('Bad_Name') as string,
      file: 'skills/x/SKILL.md',
      line: 2,
      column: 1,
      field: 'name',
      hint: 'Use 1-64 lowercase letters, digits and single hyphens, not starting or ending with a hyphen.',
    });
  });
});
