import type { ScopedRulesLocation } from '@skillsync/clients';
import { parseYamlText } from '@skillsync/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { renderInstructionsContent, renderScopedRuleFile, scopedRuleFileNames, type ScopedInstruction } from './render-instructions.js';

describe('renderInstructionsContent', () => {
  it('puts each instruction under its heading, and says which files a scoped one is for', () => {
    expect(
      renderInstructionsContent([
        { id: 'style', content: 'Prefer small functions.\r\n' },
        { id: 'tests', content: 'Use vitest.', scope: 'src/**/*.test.ts' },
      ]),
    ).toBe('## style\n\nPrefer small functions.\n\n## tests\n\nApplies to files matching `src/**/*.test.ts`.\n\nUse vitest.');
  });
});

describe('renderScopedRuleFile', () => {
  const base = { dir: '/p/rules', extension: '.md', format: 'markdown', docs: 'https://example.com', evidence: 'official' } as const;
  const tests: ScopedInstruction = { id: 'tests', content: 'Use vitest.\n', scope: 'src/**/*.{ts,tsx}, test/**' };
  const body = (text: string): string => text.slice(text.indexOf('<!-- skillsync:begin'));

  it('writes the glob under the key and in the form each client reads', () => {
    const list: ScopedRulesLocation = { ...base, globKey: 'paths', globForm: 'list' };
    expect(renderScopedRuleFile(tests, list)).toMatch(/^---\npaths:\n {2}- "src\/\*\*\/\*\.\{ts,tsx\}"\n {2}- "test\/\*\*"\n---\n\n<!-- skillsync:begin instructions /);

    const string: ScopedRulesLocation = { ...base, extension: '.instructions.md', nameKey: 'description', globKey: 'applyTo', globForm: 'string' };
    expect(renderScopedRuleFile(tests, string)).toMatch(/^---\ndescription: tests\napplyTo: "src\/\*\*\/\*\.\{ts,tsx\},test\/\*\*"\n---\n\n/);

    // Cursor splits on every comma and reads no quotes: braces expanded, no spaces, unquoted.
    const cursor: ScopedRulesLocation = { ...base, extension: '.mdc', format: 'mdc', nameKey: 'description', frontmatter: { alwaysApply: false }, globKey: 'globs', globForm: 'comma-separated' };
    expect(renderScopedRuleFile(tests, cursor)).toMatch(/^---\ndescription: tests\nalwaysApply: false\nglobs: src\/\*\*\/\*\.ts,src\/\*\*\/\*\.tsx,test\/\*\*\n---\n\n/);

    const kiro: ScopedRulesLocation = { ...base, frontmatter: { inclusion: 'fileMatch' }, globKey: 'fileMatchPattern', globForm: 'string' };
    expect(renderScopedRuleFile({ ...tests, scope: '**/*.test.ts' }, kiro)).toMatch(/^---\ninclusion: fileMatch\nfileMatchPattern: "\*\*\/\*\.test\.ts"\n---\n\n/);
  });

  it('keeps the "Applies to" line in the block, so a new scope changes what the journal hashes', () => {
    const list: ScopedRulesLocation = { ...base, globKey: 'paths', globForm: 'list' };
    const text = renderScopedRuleFile(tests, list);
    expect(body(text)).toContain('## tests\n\nApplies to files matching `src/**/*.{ts,tsx}, test/**`.\n\nUse vitest.\n<!-- skillsync:end instructions -->\n');
    expect(body(renderScopedRuleFile({ ...tests, scope: 'lib/**' }, list))).not.toBe(body(text));
  });

  it('expands nested braces and leaves a group without a comma, or unclosed, as written', () => {
    const cursor: ScopedRulesLocation = { ...base, globKey: 'globs', globForm: 'comma-separated' };
    const globs = (scope: string): string => /globs: (.*)\n/.exec(renderScopedRuleFile({ ...tests, scope }, cursor))?.[1] ?? '';
    expect(globs('a/{b,{c,d}}/*.{x,y}')).toBe('a/b/*.x,a/b/*.y,a/c/*.x,a/c/*.y,a/d/*.x,a/d/*.y');
    expect(globs('a/{b}/c')).toBe('a/{b}/c');
    expect(globs('a/{b,c')).toBe('a/{b,c');
  });

  it('never lets a scope with a line break add a frontmatter key', () => {
    const cursor: ScopedRulesLocation = { ...base, globKey: 'globs', globForm: 'comma-separated' };
    const text = renderScopedRuleFile({ ...tests, scope: '**/*.ts\nalwaysApply: true' }, cursor);
    expect(text).toMatch(/^---\nglobs: "\*\*\/\*\.ts\\nalwaysApply: true"\n---\n/);
    const list: ScopedRulesLocation = { ...base, globKey: 'paths', globForm: 'list' };
    expect(renderScopedRuleFile({ ...tests, scope: 'a\nb: c' }, list)).toMatch(/^---\npaths:\n {2}- "a\\nb: c"\n---\n/);
  });
});

describe('scopedRuleFileNames', () => {
  it('makes each id a safe, lowercase, unique file name with the skillsync prefix', () => {
    const scoped = (id: string): ScopedInstruction => ({ id, content: 'x', scope: '**' });
    expect(scopedRuleFileNames(['Tests', 'tests', 'API docs/v2', '../escape', 'стиль', 'стиль-2', 'x'.repeat(80)].map(scoped), '.mdc')).toEqual([
      'skillsync-tests.mdc',
      'skillsync-tests-2.mdc',
      'skillsync-api-docs-v2.mdc',
      'skillsync-escape.mdc',
      'skillsync-instruction.mdc',
      'skillsync-2.mdc',
      `skillsync-${'x'.repeat(64)}.mdc`,
    ]);
  });
});

describe('rule files from any manifest text', () => {
  const base = { dir: '/p/rules', extension: '.md', format: 'markdown', nameKey: 'name', docs: 'https://example.com', evidence: 'official' } as const;
  const frontmatterOf = (text: string): string => text.slice(4, text.indexOf('\n---\n'));

  it('read back as exactly the keys written, with the id and globs as given', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), fc.string({ minLength: 1 }), fc.constantFrom('string' as const, 'list' as const), (id, scope, globForm) => {
        const rules: ScopedRulesLocation = { ...base, globKey: 'paths', globForm };
        const parsed = parseYamlText(frontmatterOf(renderScopedRuleFile({ id, content: 'x', scope }, rules)));
        expect(parsed.ok).toBe(true);
        const value = (parsed.ok ? parsed.value : undefined) as Record<string, unknown>;
        expect(Object.keys(value)).toEqual(['name', 'paths']);
        expect(value.name).toBe(id);
        const globs = globForm === 'list' ? (value.paths as unknown[]) : [value.paths];
        for (const glob of globs) expect(typeof glob).toBe('string');
      }),
    );
  });

  it('an unquoted glob stays one line, and every name is one safe file name', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), fc.array(fc.string(), { minLength: 1, maxLength: 5 }), (scope, ids) => {
        const rules: ScopedRulesLocation = { ...base, globKey: 'globs', globForm: 'comma-separated' };
        expect(frontmatterOf(renderScopedRuleFile({ id: 'x', content: 'x', scope }, rules)).split('\n')).toHaveLength(2);
        const names = scopedRuleFileNames(ids.map((id) => ({ id, content: 'x', scope })), '.md');
        expect(new Set(names).size).toBe(names.length);
        for (const name of names) expect(name).toMatch(/^skillsync-[a-z0-9_][a-z0-9._-]{0,70}\.md$/);
      }),
    );
  });
});
