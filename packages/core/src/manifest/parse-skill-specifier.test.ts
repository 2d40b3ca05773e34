import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatSkillSpecifier, parseSkillSpecifier, type SkillSpecifier } from './parse-skill-specifier.js';

describe('parseSkillSpecifier', () => {
  it.each<[string, SkillSpecifier]>([
    ['^1.2.0', { kind: 'registry', range: '^1.2.0' }],
    ['1.x', { kind: 'registry', range: '1.x' }],
    ['*', { kind: 'registry', range: '*' }],
    ['latest', { kind: 'registry', range: 'latest' }],
    ['./skills/x', { kind: 'path', path: './skills/x' }],
    ['../x', { kind: 'path', path: '../x' }],
    ['/abs/x', { kind: 'path', path: '/abs/x' }],
    ['~/x', { kind: 'path', path: '~/x' }],
    ['.', { kind: 'path', path: '.' }],
    ['./dist/x-1.0.0.tgz', { kind: 'tarball', path: './dist/x-1.0.0.tgz' }],
    ['x-1.0.0.tgz', { kind: 'tarball', path: 'x-1.0.0.tgz' }],
    ['file:///srv/reg', { kind: 'registry', registry: 'file:///srv/reg', range: 'latest' }],
    ['file:./reg#^1.0.0', { kind: 'registry', registry: 'file:./reg', range: '^1.0.0' }],
    ['https://skills.example.com/api#~2.1', { kind: 'registry', registry: 'https://skills.example.com/api', range: '~2.1' }],
    ['path:weird.tgz', { kind: 'path', path: 'weird.tgz' }],
    ['tarball:./pkg', { kind: 'tarball', path: './pkg' }],
  ])('reads %s', (input, expected) => {
    expect(parseSkillSpecifier(input)).toEqual({ ok: true, specifier: expected });
  });

  it('reads the object form', () => {
    expect(parseSkillSpecifier({ version: '^1.0.0', registry: 'file:./r' })).toEqual({ ok: true, specifier: { kind: 'registry', range: '^1.0.0', registry: 'file:./r' } });
    expect(parseSkillSpecifier({ registry: 'file:./r' })).toMatchObject({ ok: true, specifier: { range: 'latest' } });
    expect(parseSkillSpecifier({ path: './x' })).toEqual({ ok: true, specifier: { kind: 'path', path: './x' } });
    expect(parseSkillSpecifier({ tarball: './x' })).toEqual({ ok: true, specifier: { kind: 'tarball', path: './x' } });
    expect(parseSkillSpecifier({ path: './x', version: '1' }).ok).toBe(false);
  });

  it.each(['', 'pdf', 'file:', 'file://host/x', 'file:./r#nope', 'ftp://x', 'path:'])('refuses %j', (input) => {
    expect(parseSkillSpecifier(input).ok).toBe(false);
  });

  it('formats to a string that parses back to the same specifier (property)', () => {
    const specifier = fc.oneof(
      fc.record({ kind: fc.constant('path' as const), path: fc.string({ minLength: 1 }).filter((s) => s.trim() === s && s !== '' && !s.includes('\0')) }),
      fc.record({ kind: fc.constant('tarball' as const), path: fc.string({ minLength: 1 }).filter((s) => s.trim() === s && s !== '' && !s.includes('\0')) }),
      fc.record({ kind: fc.constant('registry' as const), range: fc.constantFrom('^1.0.0', '*', 'latest', '1.x', '>=2 <3') }),
      fc.record({ kind: fc.constant('registry' as const), range: fc.constantFrom('^1.0.0', 'latest'), registry: fc.constantFrom('file:///r', 'file:./r', 'https://x.example/r') }),
    );
    fc.assert(
      fc.property(specifier, (value) => {
        expect(parseSkillSpecifier(formatSkillSpecifier(value))).toEqual({ ok: true, specifier: value });
      }),
    );
  });
});
