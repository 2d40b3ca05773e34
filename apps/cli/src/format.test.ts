import { createEnv } from '@skillsync/core';
import { describe, expect, it } from 'vitest';
import { renderTable, shortPath } from './format.js';
import { createUi } from './ui.js';

describe('shortPath', () => {
  const env = createEnv({ home: '/home/ada', cwd: '/home/ada/code/app' });

  it.each([
    ['/home/ada/.cursor/mcp.json', undefined, '~/.cursor/mcp.json'],
    ['/home/ada', undefined, '~'],
    ['/home/ada/code/app/.mcp.json', '/home/ada/code/app', './.mcp.json'],
    ['/home/ada/code/app', '/home/ada/code/app', '.'],
    // Outside the root but inside HOME: the home form, never `./../…`.
    ['/home/ada/.claude.json', '/home/ada/code/app', '~/.claude.json'],
    ['/home/adam/notes.md', undefined, '/home/adam/notes.md'],
    ['/home/ada/..hidden', undefined, '~/..hidden'],
    ['/etc/claude/managed.json', '/home/ada/code/app', '/etc/claude/managed.json'],
  ])('%s (root %s) → %s', (file, root, expected) => {
    expect(shortPath(env, file, root)).toBe(expected);
  });

  it('uses the platform separator on Windows', () => {
    const windows = createEnv({ platform: 'win32', home: 'C:\\Users\\ada', cwd: 'C:\\src\\app' });
    expect(shortPath(windows, 'C:\\Users\\ada\\.cursor\\mcp.json')).toBe('~\\.cursor\\mcp.json');
    expect(shortPath(windows, 'C:\\src\\app\\.mcp.json', 'C:\\src\\app')).toBe('.\\.mcp.json');
    expect(shortPath(windows, 'D:\\other\\x.json', 'C:\\src\\app')).toBe('D:\\other\\x.json');
  });
});

describe('renderTable', () => {
  const plain = createUi({ color: false });
  it('pads every column but the last to its widest cell, header included', () => {
    const rows = [
      ['claude-code', 'skill', 'review', 'in-sync', '~/.claude/skills/review'],
      ['vscode', 'connector', 'docs', 'missing', ''],
      ['x', 'y'],
    ];
    expect(renderTable(['client', 'kind', 'item', 'status', 'where'], rows, plain)).toEqual([
      'client       kind       item    status   where',
      'claude-code  skill      review  in-sync  ~/.claude/skills/review',
      'vscode       connector  docs    missing  ',
      'x            y',
    ]);
    expect(renderTable(['a', 'b'], [], plain)).toEqual(['a  b']);
    // A row longer than the header: its extra cells are not padded (no width is known for them).
    expect(renderTable(['a', 'b'], [['1', '2', '3', '4']], plain)).toEqual(['a  b', '1  2  3  4']);
  });

  it('paints whole rows', () => {
    const marked = renderTable(['k', 'v'], [['a', '1'], ['b', '2']], plain, (row) => (row[0] === 'b' ? (text) => `*${text}*` : (text) => text));
    expect(marked).toEqual(['k  v', 'a  1', '*b  2*']);
  });
});
