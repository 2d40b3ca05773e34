import { describe, expect, it } from 'vitest';
import { addSkillToManifest, createManifestText, removeSkillFromManifest, setSkillSpecifier } from './edit-manifest.js';
import { parseManifest } from './parse-manifest.js';

const base = `# Team skills — keep sorted by hand
version: 1   # format

skills:
  # PDF work
  pdf: ^1.2.0  # pinned minor
  review:
    version: ^2.0.0
    registry: "file:///srv/reg"

  local: ./skills/local
# connectors below
connectors: {}
`;

/** Asserts `after` equals `before` except for lines in [from, to) of `before` replaced by `inserted`. */
function expectOnlyChanged(before: string, after: string, expected: string): void {
  expect(after).toBe(expected);
  expect(parseManifest(after).findings).toEqual([]);
}

describe('addSkillToManifest', () => {
  it('appends after the last entry with the same indentation, keeping every other byte', () => {
    const after = addSkillToManifest(base, 'new-one', '*');
    expectOnlyChanged(base, after, base.replace('  local: ./skills/local\n', '  local: ./skills/local\n  new-one: "*"\n'));
  });

  it('writes the object form on one line', () => {
    const after = addSkillToManifest(base, 'x', { version: '^1.0.0', registry: 'file:./reg' });
    expect(after).toContain('  x: { version: ^1.0.0, registry: file:./reg }\n');
    expect(parseManifest(after).manifest?.skills.x).toEqual({ version: '^1.0.0', registry: 'file:./reg' });
  });

  it('creates the section when there is none, and fills an empty one', () => {
    expect(addSkillToManifest('version: 1 # v\n', 'pdf', '^1')).toBe('version: 1 # v\nskills:\n  pdf: ^1\n');
    expect(addSkillToManifest('version: 1', 'pdf', '^1')).toBe('version: 1\nskills:\n  pdf: ^1\n');
    expect(addSkillToManifest('version: 1\nskills: {} # none yet\nclients: [zed]\n', 'pdf', '^1')).toBe(
      'version: 1\nskills: # none yet\n  pdf: ^1\nclients: [zed]\n',
    );
    expect(addSkillToManifest('version: 1\nskills:\nclients: [zed]\n', 'pdf', '^1')).toBe('version: 1\nskills:\n  pdf: ^1\nclients: [zed]\n');
  });

  it('keeps a flow section flow', () => {
    expect(addSkillToManifest('version: 1\nskills: { a: ^1 }  # c\n', 'b', './b')).toBe('version: 1\nskills: { a: ^1, b: ./b }  # c\n');
  });

  it('keeps CRLF line endings', () => {
    expect(addSkillToManifest('version: 1\r\nskills:\r\n  a: ^1\r\n', 'b', '^2')).toBe('version: 1\r\nskills:\r\n  a: ^1\r\n  b: ^2\r\n');
  });

  it('refuses a duplicate, a bad name, a bad source and bad YAML with codes', () => {
    expect(() => addSkillToManifest(base, 'pdf', '^2')).toThrow(expect.objectContaining({ code: 'SKILL_ALREADY_ADDED' }));
    expect(() => addSkillToManifest(base, 'Bad', '^2')).toThrow(expect.objectContaining({ code: 'SKILL_NAME_INVALID' }));
    expect(() => addSkillToManifest(base, 'ok', 'not a range')).toThrow(expect.objectContaining({ code: 'SOURCE_INVALID' }));
    expect(() => addSkillToManifest('a: [', 'ok', '^1')).toThrow(expect.objectContaining({ code: 'MANIFEST_INVALID_YAML' }));
  });
});

describe('removeSkillFromManifest', () => {
  it('removes a one-line entry with its trailing comment only', () => {
    expectOnlyChanged(base, removeSkillFromManifest(base, 'pdf'), base.replace('  pdf: ^1.2.0  # pinned minor\n', ''));
  });

  it('removes a block entry but not the blank line and comments after it', () => {
    expectOnlyChanged(base, removeSkillFromManifest(base, 'review'), base.replace('  review:\n    version: ^2.0.0\n    registry: "file:///srv/reg"\n', ''));
  });

  it('leaves `skills: {}` when the last entry goes', () => {
    const after = removeSkillFromManifest('version: 1\nskills:\n  a: ^1\nclients: [zed]\n', 'a');
    expect(after).toBe('version: 1\nskills: {}\nclients: [zed]\n');
    expect(removeSkillFromManifest('version: 1\nskills: { a: ^1, b: ^2 }\n', 'a')).toBe('version: 1\nskills: { b: ^2 }\n');
  });

  it('says SKILL_NOT_IN_MANIFEST for an unknown name', () => {
    expect(() => removeSkillFromManifest(base, 'nope')).toThrow(expect.objectContaining({ code: 'SKILL_NOT_IN_MANIFEST' }));
    expect(() => removeSkillFromManifest('version: 1\n', 'nope')).toThrow(expect.objectContaining({ code: 'SKILL_NOT_IN_MANIFEST' }));
  });
});

describe('setSkillSpecifier', () => {
  it('replaces the value and keeps its comment', () => {
    expectOnlyChanged(base, setSkillSpecifier(base, 'pdf', '^1.3.0'), base.replace('pdf: ^1.2.0  # pinned', 'pdf: ^1.3.0  # pinned'));
  });

  it('replaces a block value with a one-line one', () => {
    const after = setSkillSpecifier(base, 'review', '^3.0.0');
    expectOnlyChanged(base, after, base.replace('  review:\n    version: ^2.0.0\n    registry: "file:///srv/reg"\n', '  review: ^3.0.0\n'));
  });

  it('edits flow sections and refuses unknown names', () => {
    expect(setSkillSpecifier('version: 1\nskills: { a: ^1, b: ^2 }\n', 'b', './b')).toBe('version: 1\nskills: { a: ^1, b: ./b }\n');
    expect(() => setSkillSpecifier(base, 'nope', '^1')).toThrow(expect.objectContaining({ code: 'SKILL_NOT_IN_MANIFEST' }));
  });
});

describe('createManifestText', () => {
  it('writes a valid, commented starter', () => {
    const text = createManifestText();
    expect(text).toContain('# ');
    expect(parseManifest(text).findings).toEqual([]);
    const filled = createManifestText({ registry: 'file:///srv/r', skills: { pdf: '^1.0.0', local: './skills/local' }, clients: ['cursor'] });
    expect(parseManifest(filled).manifest).toMatchObject({
      registry: 'file:///srv/r',
      skills: { pdf: '^1.0.0', local: './skills/local' },
      clients: ['cursor'],
    });
    expect(addSkillToManifest(filled, 'x', '^2')).toContain('  pdf: ^1.0.0\n  x: ^2\n');
  });
});
