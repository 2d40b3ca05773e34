import { describe, expect, it } from 'vitest';
import type { EditResult } from './codec-result.js';
import { hashManagedContent, readManagedBlock, removeManagedBlock, renderManagedBlock } from './render-managed-block.js';

function textOf(result: EditResult): string {
  if (!result.ok) throw new Error(`expected success, got ${result.problem.code}: ${result.problem.message}`);
  return result.text;
}

const id = 'instructions';
const content = '## Team rules\n\n- Use pnpm.\n';
const block = `<!-- skillsync:begin instructions sha256=${hashManagedContent(content)} -->\n## Team rules\n\n- Use pnpm.\n<!-- skillsync:end instructions -->`;

describe('managed Markdown block', () => {
  it('is the whole file when the file is empty', () => {
    expect(textOf(renderManagedBlock('', { id, content }))).toBe(`${block}\n`);
    expect(textOf(removeManagedBlock(`${block}\n`, id))).toBe('');
  });

  it('appends after one blank line, replaces in place, and removes back to the same bytes', () => {
    const text = '# Project\n\nWrite tests.\n';
    const added = textOf(renderManagedBlock(text, { id, content }));
    expect(added).toBe(`${text}\n${block}\n`);
    expect(renderManagedBlock(added, { id, content })).toEqual({ ok: true, text: added, changed: false });
    const changed = textOf(renderManagedBlock(`${added}\nMore of mine.\n`, { id, content: 'new' }));
    expect(changed).toBe(`${text}\n<!-- skillsync:begin instructions sha256=${hashManagedContent('new')} -->\nnew\n<!-- skillsync:end instructions -->\n\nMore of mine.\n`);
    expect(textOf(removeManagedBlock(added, id))).toBe(text);
  });

  it('keeps CRLF and a missing final newline', () => {
    const text = 'Rules\r\nmore';
    const added = textOf(renderManagedBlock(text, { id, content: 'a\nb' }));
    expect(added).toBe(`Rules\r\nmore\r\n\r\n<!-- skillsync:begin instructions sha256=${hashManagedContent('a\nb')} -->\r\na\r\nb\r\n<!-- skillsync:end instructions -->`);
    expect(readManagedBlock(added, id)).toEqual({ ok: true, value: { content: 'a\nb', intact: true } });
    expect(textOf(removeManagedBlock(added, id))).toBe(text);
  });

  it('goes after the frontmatter of an .mdc file and ignores markers inside it and in code fences', () => {
    const mdc = '---\ndescription: x\nnote: <!-- skillsync:begin instructions -->\n---\n';
    expect(textOf(renderManagedBlock(mdc, { id, content }))).toBe(`${mdc}\n${block}\n`);
    const fenced = 'Example:\n\n```md\n<!-- skillsync:begin instructions sha256=0 -->\n```\n';
    expect(readManagedBlock(fenced, id)).toEqual({ ok: true, value: undefined });
  });

  it('reports an edited block as not intact', () => {
    const edited = `${block}\n`.replace('Use pnpm', 'Use npm');
    expect(readManagedBlock(edited, id)).toEqual({ ok: true, value: { content: '## Team rules\n\n- Use npm.', intact: false } });
    expect(readManagedBlock('no block', id)).toEqual({ ok: true, value: undefined });
  });

  it('rejects unbalanced markers with a failure value', () => {
    const open = 'a\n<!-- skillsync:begin instructions sha256=abc -->\nb\n';
    expect(renderManagedBlock(open, { id, content })).toMatchObject({ ok: false, problem: { code: 'CLIENT_FILE_INVALID', line: 2 } });
    expect(removeManagedBlock('<!-- skillsync:end instructions -->\n', id)).toMatchObject({ ok: false, problem: { code: 'CLIENT_FILE_INVALID', line: 1 } });
    expect(readManagedBlock(`${block}\n${block}\n`, id)).toMatchObject({ ok: false, problem: { code: 'CLIENT_FILE_INVALID', line: 6 } });
    // Another id's block is someone else's business.
    expect(readManagedBlock(open, 'other')).toEqual({ ok: true, value: undefined });
  });
});
