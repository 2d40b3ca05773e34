import { describe, expect, it } from 'vitest';
import type { EditResult } from './codec-result.js';
import { editYamlList, readYamlList } from './edit-yaml-list.js';

function textOf(result: EditResult): string {
  if (!result.ok) throw new Error(`expected success, got ${result.problem.code}: ${result.problem.message}`);
  return result.text;
}

const keyPath = ['mcpServers'];
const idField = 'name';
const text = [
  'name: My config',
  'mcpServers:',
  '  # the database',
  '  - name: sqlite',
  '    command: uvx',
  '    args: [mcp-server-sqlite]',
  '  - name: other',
  '    command: ""',
  'models: []',
].join('\n');

describe('editYamlList', () => {
  it('appends an item with the id first and removes it back to the same bytes', () => {
    const added = textOf(editYamlList(text, { keyPath, idField, set: { ours: { command: 'npx', name: 'ignored' } } }));
    expect(added).toBe(text.replace('models', '  - name: ours\n    command: npx\nmodels'));
    expect(textOf(editYamlList(added, { keyPath, idField, remove: ['ours'] }))).toBe(text);
    expect(editYamlList(added, { keyPath, idField, set: { ours: { command: 'npx' } } })).toEqual({ ok: true, text: added, changed: false });
  });

  it('replaces and removes items in place', () => {
    const replaced = textOf(editYamlList(text, { keyPath, idField, set: { sqlite: { command: 'uv' } } }));
    expect(replaced).toBe(text.replace('  - name: sqlite\n    command: uvx\n    args: [mcp-server-sqlite]', '  - name: sqlite\n    command: uv'));
    const removed = textOf(editYamlList(text, { keyPath, idField, remove: ['other'] }));
    expect(removed).toBe(text.replace('  - name: other\n    command: ""\n', ''));
  });

  it('creates the list, and leaves [] when the last item goes', () => {
    expect(textOf(editYamlList('', { keyPath, idField, set: { a: { command: 'x' } } }))).toBe('mcpServers:\n  - name: a\n    command: x\n');
    const empty = 'mcpServers: []\r\nx: 1\r\n';
    const filled = textOf(editYamlList(empty, { keyPath, idField, set: { a: { command: 'x' } } }));
    expect(filled).toBe('mcpServers:\r\n  - name: a\r\n    command: x\r\nx: 1\r\n');
    expect(textOf(editYamlList(filled, { keyPath, idField, remove: ['a'] }))).toBe(empty);
  });

  it('keeps blank lines that end the file', () => {
    const trailing = 'mcpServers:\n  - name: a\n\n\n';
    const added = textOf(editYamlList(trailing, { keyPath, idField, set: { b: { command: 'y' } } }));
    expect(added).toBe('mcpServers:\n  - name: a\n  - name: b\n    command: y\n\n\n');
    expect(textOf(editYamlList(added, { keyPath, idField, remove: ['b'] }))).toBe(trailing);
  });

  it('follows a non-indented sequence', () => {
    const flat = 'mcpServers:\n- name: a\n  command: x\n';
    expect(textOf(editYamlList(flat, { keyPath, idField, set: { b: { command: 'y' } } }))).toBe(`${flat}- name: b\n  command: y\n`);
  });

  it('refuses duplicate ids and invalid files', () => {
    const duplicated = 'mcpServers:\n  - name: a\n  - name: a\n';
    expect(editYamlList(duplicated, { keyPath, idField, remove: ['a'] })).toMatchObject({ ok: false, problem: { code: 'CLIENT_FILE_UNSUPPORTED_LAYOUT' } });
    expect(editYamlList('mcpServers:\n  - name: "a\n', { keyPath, idField, remove: ['a'] })).toMatchObject({ ok: false, problem: { code: 'CLIENT_FILE_INVALID' } });
  });

  it('reads items by id', () => {
    expect(readYamlList(text, keyPath, idField)).toEqual({
      ok: true,
      value: { sqlite: { name: 'sqlite', command: 'uvx', args: ['mcp-server-sqlite'] }, other: { name: 'other', command: '' } },
    });
  });
});
