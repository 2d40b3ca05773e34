import { describe, expect, it } from 'vitest';
import type { SkillDraft } from '../daemon/contract.js';
import { checkDraft } from './check-draft.js';

const good: SkillDraft = {
  name: 'triage-bug',
  description: 'Triage a bug report. Use when a user files a bug.',
  extra: { metadata: { version: '1.0.0' } },
  body: '# Triage a bug\n\n1. Reproduce it.\n',
};

const codes = (draft: SkillDraft): { code: string; severity: string; field?: string }[] =>
  checkDraft(draft).findings.map(({ code, severity, field }) => ({ code, severity, ...(field === undefined ? {} : { field }) }));

describe('checkDraft', () => {
  it('passes a complete draft with no findings and renders its SKILL.md', () => {
    const checked = checkDraft(good);
    expect(checked.findings).toEqual([]);
    expect(checked.skillMd).toBe(
      '---\nname: triage-bug\ndescription: Triage a bug report. Use when a user files a bug.\nmetadata:\n  version: 1.0.0\n---\n\n# Triage a bug\n\n1. Reproduce it.\n',
    );
  });

  it('takes name and description from their own fields, never from extra', () => {
    const checked = checkDraft({ ...good, extra: { ...good.extra, name: 'other', description: 'other' } });
    expect(checked.findings).toEqual([]);
    expect(checked.skillMd).toContain('name: triage-bug\n');
    expect(checked.skillMd).not.toContain('other');
  });

  it('gives the same text whatever order the form sent the fields in', () => {
    const one = checkDraft({ ...good, extra: { license: 'MIT', metadata: { version: '1.0.0' }, compatibility: 'Needs git' } });
    const two = checkDraft({ ...good, extra: { compatibility: 'Needs git', metadata: { version: '1.0.0' }, license: 'MIT' } });
    expect(one.skillMd).toBe(two.skillMd);
    expect(one.skillMd.indexOf('license:')).toBeLessThan(one.skillMd.indexOf('metadata:'));
  });

  it.each([
    ['uppercase letters', 'Triage-Bug'],
    ['a leading hyphen', '-triage'],
    ['two hyphens in a row', 'triage--bug'],
    ['a path', '../triage'],
    ['65 characters', 'a'.repeat(65)],
  ])('marks the name field for a name with %s', (_label, name) => {
    expect(codes({ ...good, name })).toEqual([{ code: 'SKILL_NAME_INVALID', severity: 'error', field: 'name' }]);
  });

  it('marks a missing name and a missing description', () => {
    expect(codes({ ...good, name: '' })).toEqual([{ code: 'SKILL_NAME_MISSING', severity: 'error', field: 'name' }]);
    expect(codes({ ...good, description: '  ' })).toEqual([{ code: 'SKILL_DESCRIPTION_MISSING', severity: 'error', field: 'description' }]);
  });

  it('marks a description over 1024 characters, or with angle brackets', () => {
    expect(codes({ ...good, description: 'x'.repeat(1025) })).toEqual([{ code: 'SKILL_DESCRIPTION_INVALID', severity: 'error', field: 'description' }]);
    expect(codes({ ...good, description: 'x'.repeat(1024) })).toEqual([]);
    expect(codes({ ...good, description: 'Use <b>this</b>' })).toEqual([{ code: 'SKILL_DESCRIPTION_ANGLE_BRACKETS', severity: 'error', field: 'description' }]);
  });

  it('marks unknown fields, with the client that reads them', () => {
    const checked = checkDraft({ ...good, extra: { ...good.extra, 'user-invocable': true, lisence: 'MIT' } });
    expect(checked.findings.map(({ code, field }) => [code, field])).toEqual([
      ['SKILL_UNKNOWN_FIELD', 'lisence'],
      ['SKILL_UNKNOWN_FIELD', 'user-invocable'],
    ]);
    expect(checked.findings[0]?.message).toContain('did you mean `license`');
    expect(checked.findings[1]?.message).toContain('Claude Code');
  });

  it('asks for metadata.version, as publishing does', () => {
    expect(codes({ ...good, extra: {} })).toEqual([{ code: 'SKILL_VERSION_MISSING', severity: 'error', field: 'metadata' }]);
    expect(codes({ ...good, extra: { metadata: { version: 'one' } } })).toEqual([{ code: 'SKILL_VERSION_INVALID', severity: 'error', field: 'metadata.version' }]);
  });

  it('marks the body when it is empty, too long, or links to a file the draft does not have', () => {
    expect(codes({ ...good, body: '' })).toEqual([{ code: 'SKILL_BODY_EMPTY', severity: 'error', field: 'body' }]);
    expect(codes({ ...good, body: '\n \n' })).toEqual([{ code: 'SKILL_BODY_EMPTY', severity: 'error', field: 'body' }]);
    expect(codes({ ...good, body: 'line\n'.repeat(501) })).toEqual([{ code: 'SKILL_BODY_TOO_LONG', severity: 'warning', field: 'body' }]);
    expect(codes({ ...good, body: 'See [the guide](references/guide.md).\n' })).toEqual([{ code: 'SKILL_REFERENCE_MISSING', severity: 'warning', field: 'body' }]);
  });

  it('reports every problem of a draft at once', () => {
    expect(codes({ name: 'Bad', description: '', body: '' }).map((finding) => finding.code)).toEqual([
      'SKILL_NAME_INVALID',
      'SKILL_DESCRIPTION_MISSING',
      'SKILL_VERSION_MISSING',
      'SKILL_BODY_EMPTY',
    ]);
  });
});
