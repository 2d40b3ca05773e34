import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isErrorCode } from '../errors/index.js';
import { parseSkillMd } from './parse-skill-md.js';
import { validateSkillMd } from './validate-skill-md.js';

const skill = ['---', 'name: pdf', 'description: Reads PDFs.', 'x-custom:', '  nested: [1, 2]', '---', '# PDF', '', 'Body.', ''].join('\n');

describe('parseSkillMd', () => {
  it('splits frontmatter and body and keeps unknown keys intact', () => {
    const parsed = parseSkillMd(skill);
    expect(parsed.findings).toEqual([]);
    expect(parsed.frontmatter).toEqual({ name: 'pdf', description: 'Reads PDFs.', 'x-custom': { nested: [1, 2] } });
    expect(parsed.body).toBe('# PDF\n\nBody.\n');
    expect(parsed.bodyStartLine).toBe(7);
    expect(parsed.locations.get('description')).toEqual({ line: 3, column: 1 });
    expect(parsed.locations.get('x-custom.nested')).toEqual({ line: 5, column: 3 });
  });

  it('tolerates a BOM and CRLF line endings, with the same lines and data', () => {
    const parsed = parseSkillMd(`\uFEFF${skill.replaceAll('\n', '\r\n')}`);
    expect(parsed.findings).toEqual([]);
    expect(parsed.hasBom).toBe(true);
    expect(parsed.lineEnding).toBe('\r\n');
    expect(parsed.frontmatter).toEqual(parseSkillMd(skill).frontmatter);
    expect(parsed.body).toBe('# PDF\r\n\r\nBody.\r\n');
    expect(parsed.bodyStartLine).toBe(7);
    expect(parsed.locations.get('x-custom')).toEqual({ line: 4, column: 1 });
  });

  it('accepts trailing spaces on the fences', () => {
    expect(parseSkillMd('---  \nname: a\n--- \nbody').frontmatter).toEqual({ name: 'a' });
  });

  it('reports a missing frontmatter and keeps the whole text as body', () => {
    const parsed = parseSkillMd('# Just markdown\n');
    expect(parsed.findings.map((f) => f.code)).toEqual(['SKILL_FRONTMATTER_MISSING']);
    expect(parsed.frontmatter).toBeUndefined();
    expect(parsed.body).toBe('# Just markdown\n');
  });

  it('reports an unclosed frontmatter', () => {
    const parsed = parseSkillMd('---\nname: a\ndescription: b\n');
    expect(parsed.findings.map((f) => [f.code, f.line])).toEqual([['SKILL_FRONTMATTER_UNCLOSED', 1]]);
  });

  it('reports invalid YAML at its line in the file', () => {
    const parsed = parseSkillMd('---\nname: a\ndescription: [unclosed\nlicense: MIT\n---\nbody');
    expect(parsed.frontmatter).toBeUndefined();
    expect(parsed.findings[0]?.code).toBe('SKILL_FRONTMATTER_INVALID_YAML');
    expect(parsed.findings[0]?.line).toBeGreaterThanOrEqual(3);
  });

  it('reports duplicate keys as invalid YAML', () => {
    const parsed = parseSkillMd('---\nname: a\nname: b\n---\n');
    expect(parsed.findings.map((f) => [f.code, f.line])).toEqual([['SKILL_FRONTMATTER_INVALID_YAML', 3]]);
  });

  it('reports a frontmatter that is a list or a scalar', () => {
    expect(parseSkillMd('---\n- a\n- b\n---\n').findings.map((f) => f.code)).toEqual(['SKILL_FRONTMATTER_NOT_MAPPING']);
    expect(parseSkillMd('---\njust text\n---\n').findings.map((f) => f.code)).toEqual(['SKILL_FRONTMATTER_NOT_MAPPING']);
  });

  it('reads an empty frontmatter as an empty mapping', () => {
    const parsed = parseSkillMd('---\n---\nbody');
    expect(parsed.findings).toEqual([]);
    expect(parsed.frontmatter).toEqual({});
  });

  it('refuses alias bombs without hanging', () => {
    const bomb = ['---', 'a: &a [x, x, x, x, x, x, x, x, x]', 'b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]', 'c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]', 'd: [*c, *c, *c, *c, *c, *c, *c, *c, *c]', '---', ''].join('\n');
    expect(parseSkillMd(bomb).findings.map((f) => f.code)).toEqual(['SKILL_FRONTMATTER_INVALID_YAML']);
  });

  it('names the file it was given in findings', () => {
    expect(parseSkillMd('nothing', { file: 'skills/x/SKILL.md' }).findings[0]?.file).toBe('skills/x/SKILL.md');
  });
});

describe('parsing and validating arbitrary input (property)', () => {
  const frontmatterish = fc
    .array(
      fc.oneof(
        fc.constantFrom('---', 'name: x', 'description: y', 'metadata:', '  version: 1.0', 'allowed-tools: [a, b]', '- item', 'key: "unterminated', '\t', '&a [*a]', '\uFEFF', '\r', ': :', '? x'),
        fc.string(),
      ),
      { maxLength: 12 },
    )
    .map((lines) => lines.join(fc.sample(fc.constantFrom('\n', '\r\n', '\r'), 1)[0] ?? '\n'));

  it('never throws, always returns findings whose codes are in the catalogue', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), frontmatterish, fc.string().map((s) => `---\n${s}\n---\n`)), (text) => {
        for (const mode of ['strict', 'lenient'] as const) {
          const result = validateSkillMd(text, { mode, folderName: 'x' });
          expect(Array.isArray(result.findings)).toBe(true);
          for (const finding of result.findings) {
            expect(isErrorCode(finding.code)).toBe(true);
            expect(finding.hint.length).toBeGreaterThan(0);
            if (finding.line !== undefined) expect(finding.line).toBeGreaterThanOrEqual(1);
          }
          if (result.skill !== undefined) expect(typeof result.skill.name).toBe('string');
        }
      }),
      { numRuns: 500 },
    );
  });
});
