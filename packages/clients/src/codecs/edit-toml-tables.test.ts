import { describe, expect, it } from 'vitest';
import type { EditResult } from './codec-result.js';
import { editTomlTables, readTomlTables } from './edit-toml-tables.js';

function textOf(result: EditResult): string {
  if (!result.ok) throw new Error(`expected success, got ${result.problem.code}: ${result.problem.message}`);
  return result.text;
}

const ours = { command: 'npx', args: ['-y', 'pkg'], env: { TOKEN_VAR: 'x' } };
const rendered = '[mcp_servers.ours]\ncommand = "npx"\nargs = [ "-y", "pkg" ]\n\n[mcp_servers.ours.env]\nTOKEN_VAR = "x"';

describe('editTomlTables', () => {
  it('creates the content of an empty file', () => {
    expect(textOf(editTomlTables('', { prefix: 'mcp_servers', set: { ours } }))).toBe(`${rendered}\n`);
    expect(editTomlTables(undefined, { prefix: 'mcp_servers', remove: ['ours'] })).toEqual({ ok: true, text: '', changed: false });
  });

  it('appends at the end after one blank line and removes back to the same bytes', () => {
    const text = '# settings\nmodel = "o3" # pinned\n\n[mcp_servers.mine]\ncommand = "x"\n\n[tui]\ntheme = "dark"\n';
    const added = textOf(editTomlTables(text, { prefix: 'mcp_servers', set: { ours } }));
    expect(added).toBe(`${text}\n${rendered}\n`);
    expect(textOf(editTomlTables(added, { prefix: 'mcp_servers', remove: ['ours'] }))).toBe(text);
  });

  it('keeps CRLF and a missing final newline', () => {
    const text = 'a = 1\r\n\r\n[b]\r\nc = 2';
    const added = textOf(editTomlTables(text, { prefix: 'mcp_servers', set: { ours: { command: 'x' } } }));
    expect(added).toBe('a = 1\r\n\r\n[b]\r\nc = 2\r\n\r\n[mcp_servers.ours]\r\ncommand = "x"');
    expect(textOf(editTomlTables(added, { prefix: 'mcp_servers', remove: ['ours'] }))).toBe(text);
  });

  it('replaces a section and all its sub-tables in place, leaving other lines alone', () => {
    const text = [
      '[mcp_servers.ours]',
      'command = "old" # inside, goes with it',
      '',
      '[mcp_servers.ours.env]',
      'OLD = "1"',
      '',
      '# about theirs',
      '[mcp_servers.theirs]',
      'url = "https://t"',
      '',
    ].join('\n');
    const replaced = textOf(editTomlTables(text, { prefix: 'mcp_servers', set: { ours } }));
    expect(replaced).toBe(`${rendered}\n\n# about theirs\n[mcp_servers.theirs]\nurl = "https://t"\n`);
    const removed = textOf(editTomlTables(text, { prefix: 'mcp_servers', remove: ['ours'] }));
    expect(removed).toBe('# about theirs\n[mcp_servers.theirs]\nurl = "https://t"\n');
  });

  it('handles quoted names', () => {
    const text = '[mcp_servers."my.server"]\ncommand = "a"\n\n[mcp_servers."my.server".env]\nK = "v"\n\n[other]\nq = 1\n';
    expect(readTomlTables(text, 'mcp_servers')).toEqual({ ok: true, value: { 'my.server': { command: 'a', env: { K: 'v' } } } });
    const replaced = textOf(editTomlTables(text, { prefix: 'mcp_servers', set: { 'my.server': { command: 'b' } } }));
    expect(replaced).toBe('[mcp_servers."my.server"]\ncommand = "b"\n\n[other]\nq = 1\n');
    const added = textOf(editTomlTables('', { prefix: 'mcp_servers', set: { 'a.b': { command: 'c' } } }));
    expect(added).toBe('[mcp_servers."a.b"]\ncommand = "c"\n');
  });

  it('rewrites the inline-table form in place', () => {
    const text = '[mcp_servers]\nours = { command = "old" } # mine\ntheirs = { command = "t" }\n';
    const replaced = textOf(editTomlTables(text, { prefix: 'mcp_servers', set: { ours: { command: 'new', args: ['a'] } } }));
    expect(replaced).toBe('[mcp_servers]\nours = { command = "new", args = [ "a" ] }\ntheirs = { command = "t" }\n');
    expect(textOf(editTomlTables(text, { prefix: 'mcp_servers', remove: ['ours'] }))).toBe('[mcp_servers]\ntheirs = { command = "t" }\n');
  });

  it('is a no-op for an equal table (integral floats and key order included)', () => {
    const text = '[mcp_servers.ours]\ntool_timeout_sec = 10.0\ncommand = "x"\n';
    expect(editTomlTables(text, { prefix: 'mcp_servers', set: { ours: { command: 'x', tool_timeout_sec: 10 } } })).toEqual({ ok: true, text, changed: false });
    const once = textOf(editTomlTables(text, { prefix: 'mcp_servers', set: { more: ours } }));
    expect(editTomlTables(once, { prefix: 'mcp_servers', set: { more: ours } })).toEqual({ ok: true, text: once, changed: false });
  });

  it('does not mistake brackets inside multi-line arrays and strings for headers', () => {
    const text = 'notes = """\n[mcp_servers.fake]\n"""\nargs = [\n  "[x]",\n  ["y"],\n]\n\n[mcp_servers.ours]\ncommand = "x"\n';
    const removed = textOf(editTomlTables(text, { prefix: 'mcp_servers', remove: ['ours'] }));
    expect(removed).toBe('notes = """\n[mcp_servers.fake]\n"""\nargs = [\n  "[x]",\n  ["y"],\n]\n');
  });

  it('refuses dotted-key layouts instead of writing something wrong', () => {
    const dotted = 'mcp_servers.ours.command = "x"\n';
    expect(editTomlTables(dotted, { prefix: 'mcp_servers', set: { ours: { command: 'y' } } })).toMatchObject({ ok: false, problem: { code: 'CLIENT_FILE_UNSUPPORTED_LAYOUT', line: 1 } });
    expect(editTomlTables(dotted, { prefix: 'mcp_servers', remove: ['ours'] })).toMatchObject({ ok: false, problem: { code: 'CLIENT_FILE_UNSUPPORTED_LAYOUT' } });
    const inlineRoot = 'mcp_servers = { ours = { command = "x" } }\n';
    expect(editTomlTables(inlineRoot, { prefix: 'mcp_servers', set: { new: { command: 'y' } } })).toMatchObject({ ok: false, problem: { code: 'CLIENT_FILE_UNSUPPORTED_LAYOUT' } });
  });

  it('returns a failure value for a file that does not parse', () => {
    const result = editTomlTables('a = 1\nb = \n', { prefix: 'mcp_servers', set: { ours } });
    expect(result).toMatchObject({ ok: false, problem: { code: 'CLIENT_FILE_INVALID', line: 2 } });
    expect(readTomlTables('[a\n', 'mcp_servers')).toMatchObject({ ok: false, problem: { code: 'CLIENT_FILE_INVALID' } });
  });
});
