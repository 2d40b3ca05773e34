import { describe, expect, it } from 'vitest';
import type { EditResult } from './codec-result.js';
import { editJsonMap, readJsonMap } from './edit-json-map.js';

const server = { command: 'npx', args: ['-y', 'pkg'] };

function textOf(result: EditResult): string {
  if (!result.ok) throw new Error(`expected success, got ${result.problem.code}: ${result.problem.message}`);
  return result.text;
}

describe('editJsonMap', () => {
  it('creates the file content when the text is empty or missing', () => {
    for (const start of ['', undefined]) {
      const result = editJsonMap(start, { keyPath: ['mcpServers'], set: { a: server } });
      expect(textOf(result)).toBe('{\n  "mcpServers": {\n    "a": {\n      "command": "npx",\n      "args": [\n        "-y",\n        "pkg"\n      ]\n    }\n  }\n}\n');
      expect(result.ok && result.changed).toBe(true);
    }
    expect(editJsonMap('', { keyPath: ['mcpServers'], remove: ['a'] })).toEqual({ ok: true, text: '', changed: false });
  });

  it('creates missing parents, including keys with dots and absolute paths', () => {
    const text = '{\n  "theme": "dark"\n}\n';
    const amp = textOf(editJsonMap(text, { keyPath: ['amp.mcpServers'], set: { a: { url: 'https://x' } } }));
    expect(amp).toBe('{\n  "theme": "dark",\n  "amp.mcpServers": {\n    "a": {\n      "url": "https://x"\n    }\n  }\n}\n');
    const local = textOf(editJsonMap(text, { keyPath: ['projects', '/abs/path', 'mcpServers'], set: { a: { url: 'u' } } }));
    expect(readJsonMap(local, ['projects', '/abs/path', 'mcpServers'])).toEqual({ ok: true, value: { a: { url: 'u' } } });
    expect(local.startsWith('{\n  "theme": "dark",\n  "projects": {\n    "/abs/path": {\n')).toBe(true);
  });

  it('appends after the last entry, keeping comments, trailing commas and an inline-array neighbour', () => {
    const text = '{\n  // my servers\n  "mcpServers": {\n    "mine": { "command": "x", "args": ["1", "2"] }, // keep\n  },\n}\n';
    const added = textOf(editJsonMap(text, { keyPath: ['mcpServers'], set: { ours: { url: 'u' } } }));
    expect(added).toBe('{\n  // my servers\n  "mcpServers": {\n    "mine": { "command": "x", "args": ["1", "2"] }, // keep\n    "ours": {\n      "url": "u"\n    },\n  },\n}\n');
    expect(textOf(editJsonMap(added, { keyPath: ['mcpServers'], remove: ['ours'] }))).toBe(text);
  });

  it('adds a comma to the previous entry when the file has no trailing commas, and removes it again', () => {
    const text = '{\n  "mcpServers": {\n    "mine": {\n      "command": "x"\n    }\n  }\n}';
    const added = textOf(editJsonMap(text, { keyPath: ['mcpServers'], set: { ours: { url: 'u' } } }));
    expect(added).toBe('{\n  "mcpServers": {\n    "mine": {\n      "command": "x"\n    },\n    "ours": {\n      "url": "u"\n    }\n  }\n}');
    expect(textOf(editJsonMap(added, { keyPath: ['mcpServers'], remove: ['ours'] }))).toBe(text);
  });

  it('keeps CRLF line endings and tab indentation', () => {
    const text = '{\r\n\t"servers": {\r\n\t\t"mine": {}\r\n\t}\r\n}\r\n';
    const added = textOf(editJsonMap(text, { keyPath: ['servers'], set: { ours: { command: 'c' } } }));
    expect(added).toBe('{\r\n\t"servers": {\r\n\t\t"mine": {},\r\n\t\t"ours": {\r\n\t\t\t"command": "c"\r\n\t\t}\r\n\t}\r\n}\r\n');
    expect(textOf(editJsonMap(added, { keyPath: ['servers'], remove: ['ours'] }))).toBe(text);
  });

  it('edits a one-line object inline', () => {
    const text = '{ "mcpServers": { "a": 1 } }';
    const added = textOf(editJsonMap(text, { keyPath: ['mcpServers'], set: { b: { c: [1, 2] } } }));
    expect(added).toBe('{ "mcpServers": { "a": 1, "b": { "c": [1, 2] } } }');
    expect(textOf(editJsonMap(added, { keyPath: ['mcpServers'], remove: ['b'] }))).toBe(text);
  });

  it('fills an empty object and collapses it back to {} when its last entry goes, keeping the parent key', () => {
    const text = '{\n  "mcpServers": {}\n}\n';
    const added = textOf(editJsonMap(text, { keyPath: ['mcpServers'], set: { a: { url: 'u' } } }));
    expect(added).toBe('{\n  "mcpServers": {\n    "a": {\n      "url": "u"\n    }\n  }\n}\n');
    expect(textOf(editJsonMap(added, { keyPath: ['mcpServers'], remove: ['a'] }))).toBe(text);
  });

  it('replaces only the value of a changed entry and leaves an equal one alone', () => {
    const text = '{\n  "mcpServers": {\n    "a": { "args": ["1"], "command": "x" }, // note\n    "b": 2\n  }\n}\n';
    const same = editJsonMap(text, { keyPath: ['mcpServers'], set: { a: { command: 'x', args: ['1'] } } });
    expect(same).toEqual({ ok: true, text, changed: false });
    const replaced = textOf(editJsonMap(text, { keyPath: ['mcpServers'], set: { a: { command: 'y' } } }));
    expect(replaced).toBe('{\n  "mcpServers": {\n    "a": {\n      "command": "y"\n    }, // note\n    "b": 2\n  }\n}\n');
  });

  it('is idempotent: a second identical edit changes nothing', () => {
    const text = '{\n  "other": true\n}\n';
    const edit = { keyPath: ['mcpServers'], set: { a: server, b: { url: 'u' } } };
    const once = textOf(editJsonMap(text, edit));
    expect(editJsonMap(once, edit)).toEqual({ ok: true, text: once, changed: false });
  });

  it('appends new entries in the order given', () => {
    const text = textOf(editJsonMap('{}', { keyPath: [], set: { z: 1, a: 2, m: 3 } }));
    expect(Object.keys(JSON.parse(text) as object)).toEqual(['z', 'a', 'm']);
  });

  it('removes a middle entry and keeps the rest', () => {
    const text = '{\n  "s": {\n    "a": 1,\n    "b": 2,\n    "c": 3\n  }\n}\n';
    expect(textOf(editJsonMap(text, { keyPath: ['s'], remove: ['b'] }))).toBe('{\n  "s": {\n    "a": 1,\n    "c": 3\n  }\n}\n');
    expect(textOf(editJsonMap(text, { keyPath: ['s'], remove: ['c'] }))).toBe('{\n  "s": {\n    "a": 1,\n    "b": 2\n  }\n}\n');
  });

  it('keeps a byte-order mark', () => {
    const text = '\uFEFF{\n  "s": {}\n}\n';
    const added = textOf(editJsonMap(text, { keyPath: ['s'], set: { a: 1 } }));
    expect(added.startsWith('\uFEFF{')).toBe(true);
    expect(textOf(editJsonMap(added, { keyPath: ['s'], remove: ['a'] }))).toBe(text);
  });

  it('returns a failure value, and no text, for a file that does not parse', () => {
    const result = editJsonMap('{\n  "mcpServers": {\n    "a": 1 "b"\n}', { keyPath: ['mcpServers'], set: { c: 1 } });
    expect(result).toMatchObject({ ok: false, problem: { code: 'CLIENT_FILE_INVALID', line: 3, column: 12 } });
    expect('text' in result).toBe(false);
    expect(readJsonMap('{ nope', ['x'])).toMatchObject({ ok: false, problem: { code: 'CLIENT_FILE_INVALID' } });
  });

  it('says what is wrong in words, without quoting the offending text (it may be a credential)', () => {
    const token = 'ghp_abcdefghijklmnopqrstuvwxyz0123456789';
    const message = (text: string): string => {
      const result = readJsonMap(text, ['mcpServers']);
      return result.ok ? '' : result.problem.message;
    };
    expect(message('{\n  "mcpServers": { "a": 1 "b": 2 }\n}')).toBe('The file is not valid JSON: a `,` was expected.');
    expect(message(`{ "mcpServers": { "a": { "env": { "TOKEN": ${token} } } } }`)).toBe(
      'The file is not valid JSON: something that is not JSON here (an unquoted word or a stray character).',
    );
    expect(message('{ "mcpServers": { "a": "never closed }')).toContain('a string that is never closed');
  });

  it('refuses layouts it cannot edit safely', () => {
    expect(editJsonMap('{ "mcpServers": [] }', { keyPath: ['mcpServers'], set: { a: 1 } })).toMatchObject({ ok: false, problem: { code: 'CLIENT_FILE_UNSUPPORTED_LAYOUT' } });
    expect(editJsonMap('{ "s": { "a": 1, "a": 2 } }', { keyPath: ['s'], remove: ['a'] })).toMatchObject({ ok: false, problem: { code: 'CLIENT_FILE_UNSUPPORTED_LAYOUT' } });
  });
});

describe('readJsonMap', () => {
  it('reads the map, {} when absent, and keeps __proto__ as data', () => {
    expect(readJsonMap('{ "s": { "a": 1 } } // c', ['s'])).toEqual({ ok: true, value: { a: 1 } });
    expect(readJsonMap('{}', ['s'])).toEqual({ ok: true, value: {} });
    expect(readJsonMap(undefined, ['s'])).toEqual({ ok: true, value: {} });
    const read = readJsonMap('{ "s": { "__proto__": { "x": 1 } } }', ['s']);
    expect(read.ok && Object.hasOwn(read.value, '__proto__')).toBe(true);
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });
});
