import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseSkillMd } from './parse-skill-md.js';
import { setSkillVersion } from './set-skill-version.js';

const version = '2.1.0';

describe('setSkillVersion', () => {
  it.each([
    ['no metadata', '---\nname: a\ndescription: b\n---\nbody\n', '---\nname: a\ndescription: b\nmetadata:\n  version: "2.1.0"\n---\nbody\n'],
    ['metadata without version', '---\nname: a # keep\nmetadata:\n    author: me\n    # trailing comment\nx: 1\n---\n', '---\nname: a # keep\nmetadata:\n    author: me\n    version: "2.1.0"\n    # trailing comment\nx: 1\n---\n'],
    ['a plain version with a comment', '---\nmetadata:\n  version: 1.0.0 # bump me\n  author: x\n---\n', '---\nmetadata:\n  version: 2.1.0 # bump me\n  author: x\n---\n'],
    ['a single-quoted version', "---\nmetadata:\n  version: '0.1.0'\n---\n", "---\nmetadata:\n  version: '2.1.0'\n---\n"],
    ['a number that was not semver', '---\nmetadata:\n  version: 1.0\n---\n', '---\nmetadata:\n  version: 2.1.0\n---\n'],
    ['a flow mapping', "---\nmetadata: {author: 'x'}\n---\n", "---\nmetadata: {author: 'x', version: \"2.1.0\"}\n---\n"],
    ['an empty flow mapping', '---\nmetadata: {}\n---\n', '---\nmetadata: { version: "2.1.0" }\n---\n'],
    ['an empty metadata key with a comment', '---\nmetadata:   # note\nname: a\n---\n', '---\nmetadata:   # note\n  version: "2.1.0"\nname: a\n---\n'],
    ['a null metadata', '---\nmetadata: ~ # c\n---\n', '---\nmetadata: { version: "2.1.0" } # c\n---\n'],
    ['an empty frontmatter', '---\n---\nbody', '---\nmetadata:\n  version: "2.1.0"\n---\nbody'],
    ['a frontmatter at the end of the file', '---\nname: a\n---', '---\nname: a\nmetadata:\n  version: "2.1.0"\n---'],
  ])('edits %s in place', (_, input, expected) => {
    expect(setSkillVersion(input, version)).toBe(expected);
  });

  it('keeps a BOM and CRLF line endings', () => {
    const input = '\uFEFF---\r\nname: a\r\nmetadata:\r\n  author: me\r\n---\r\nbody\r\n';
    expect(setSkillVersion(input, version)).toBe('\uFEFF---\r\nname: a\r\nmetadata:\r\n  author: me\r\n  version: "2.1.0"\r\n---\r\nbody\r\n');
    expect(setSkillVersion('---\r\nname: a\r\n---\r\n', version)).toBe('---\r\nname: a\r\nmetadata:\r\n  version: "2.1.0"\r\n---\r\n');
  });

  it('refuses a version that is not semver and text it cannot edit safely', () => {
    expect(() => setSkillVersion('---\nname: a\n---\n', '1.0')).toThrow(expect.objectContaining({ code: 'SKILL_VERSION_INVALID' }));
    expect(() => setSkillVersion('# no frontmatter', version)).toThrow(expect.objectContaining({ code: 'SKILL_FRONTMATTER_MISSING' }));
    expect(() => setSkillVersion('---\nname: [\n---\n', version)).toThrow(expect.objectContaining({ code: 'SKILL_FRONTMATTER_INVALID_YAML' }));
    expect(() => setSkillVersion('---\nmetadata: [a]\n---\n', version)).toThrow(expect.objectContaining({ code: 'SKILL_METADATA_INVALID' }));
  });

  it('only ever changes the version: the rest of the file is byte-identical (property)', () => {
    const key = fc.stringMatching(/^[a-z][a-z-]{0,8}$/).filter((k) => k !== 'metadata');
    const value = fc.oneof(fc.stringMatching(/^[A-Za-z0-9 .,]{1,20}$/).map((v) => JSON.stringify(v)), fc.integer().map(String));
    const comment = fc.option(fc.stringMatching(/^[a-z ]{0,10}$/).map((c) => ` # ${c}`), { nil: '' });
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.tuple(key, value, comment), { selector: ([k]) => k, maxLength: 6 }),
        fc.uniqueArray(fc.tuple(key, value), { selector: ([k]) => k, maxLength: 4 }),
        fc.option(fc.constantFrom('1.0.0', "'0.0.1'", '"3.2.1"'), { nil: undefined }),
        fc.constantFrom('\n', '\r\n'),
        fc.string(),
        (top, meta, oldVersion, eol, body) => {
          const metaLines = [...meta.filter(([k]) => k !== 'version').map(([k, v]) => `  ${k}: ${v}`), ...(oldVersion === undefined ? [] : [`  version: ${oldVersion}`])];
          const lines = ['---', ...top.map(([k, v, c]) => `${k}: ${v}${c}`), ...(metaLines.length > 0 ? ['metadata:', ...metaLines] : []), '---', body];
          const input = lines.join(eol);
          const output = setSkillVersion(input, '9.8.7');
          const parsedIn = parseSkillMd(input);
          const parsedOut = parseSkillMd(output);
          const { metadata: metaOut, ...restOut } = parsedOut.frontmatter ?? {};
          const { metadata: metaIn, ...restIn } = parsedIn.frontmatter ?? {};
          expect(restOut).toEqual(restIn);
          expect(metaOut).toEqual({ ...(metaIn as object | undefined), version: '9.8.7' });
          expect(parsedOut.body).toBe(parsedIn.body);
          // Apart from the version line (and a new `metadata:` header), every line is the original's.
          const outLines = output.split(eol);
          const inLines = input.split(eol);
          const isVersionLine = (line: string): boolean => /^ {2}version: ["']?9\.8\.7["']?$/.test(line);
          if (oldVersion === undefined) {
            const kept = outLines.filter((line) => !isVersionLine(line) && !(metaLines.length === 0 && line === 'metadata:'));
            expect(kept.join(eol)).toBe(input);
          } else {
            expect(outLines.length).toBe(inLines.length);
            const differing = outLines.flatMap((line, index) => (line === inLines[index] ? [] : [line]));
            expect(differing.length).toBe(1);
            expect(isVersionLine(differing[0]!)).toBe(true);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
