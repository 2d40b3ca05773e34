import { describe, expect, it } from 'vitest';
import type { EditResult } from './codec-result.js';
import { editYamlMap, readYamlMap } from './edit-yaml-map.js';

function textOf(result: EditResult): string {
  if (!result.ok) throw new Error(`expected success, got ${result.problem.code}: ${result.problem.message}`);
  return result.text;
}

const goose = [
  'GOOSE_MODEL: gpt-4o   # pinned',
  'extensions:',
  '  developer:   # built in',
  '    bundled: true',
  "    name: 'developer'",
  '',
  '  # mine',
  '  github:',
  '    cmd: npx',
  '    args: [-y, gh]',
  'GOOSE_PROVIDER: openai',
  '',
].join('\n');
const ours = { cmd: 'npx', args: ['-y', 'pkg'], enabled: true, type: 'stdio' };

describe('editYamlMap', () => {
  it('appends after the last entry and removes back to the same bytes, comments kept', () => {
    const added = textOf(editYamlMap(goose, { keyPath: ['extensions'], set: { ours } }));
    expect(added).toBe(goose.replace('GOOSE_PROVIDER', '  ours:\n    cmd: npx\n    args:\n      - -y\n      - pkg\n    enabled: true\n    type: stdio\nGOOSE_PROVIDER'));
    expect(textOf(editYamlMap(added, { keyPath: ['extensions'], remove: ['ours'] }))).toBe(goose);
    expect(editYamlMap(added, { keyPath: ['extensions'], set: { ours } })).toEqual({ ok: true, text: added, changed: false });
  });

  it('replaces one entry in place without touching its neighbours', () => {
    const replaced = textOf(editYamlMap(goose, { keyPath: ['extensions'], set: { github: { cmd: 'gh' } } }));
    expect(replaced).toBe(goose.replace('  github:\n    cmd: npx\n    args: [-y, gh]\n', '  github:\n    cmd: gh\n'));
  });

  it('creates the map in an empty file, under an empty key, and as a new key', () => {
    expect(textOf(editYamlMap('', { keyPath: ['extensions'], set: { a: { cmd: 'x' } } }))).toBe('extensions:\n  a:\n    cmd: x\n');
    const empty = 'extensions: {} # none yet\nother: 1\n';
    const filled = textOf(editYamlMap(empty, { keyPath: ['extensions'], set: { a: { cmd: 'x' } } }));
    expect(filled).toBe('extensions: # none yet\n  a:\n    cmd: x\nother: 1\n');
    expect(textOf(editYamlMap(filled, { keyPath: ['extensions'], remove: ['a'] }))).toBe(empty);
    expect(textOf(editYamlMap('other: 1\n', { keyPath: ['extensions'], set: { a: { cmd: 'x' } } }))).toBe('other: 1\nextensions:\n  a:\n    cmd: x\n');
  });

  it('keeps a blank line that ends the file', () => {
    const text = 'extensions:\n  a:\n    cmd: x\n\n';
    const added = textOf(editYamlMap(text, { keyPath: ['extensions'], set: { b: { cmd: 'y' } } }));
    expect(textOf(editYamlMap(added, { keyPath: ['extensions'], remove: ['b'] }))).toBe(text);
  });

  it('keeps CRLF and 4-space indentation', () => {
    const text = 'extensions:\r\n    a:\r\n        cmd: x\r\n';
    const added = textOf(editYamlMap(text, { keyPath: ['extensions'], set: { b: { cmd: 'y' } } }));
    expect(added).toBe('extensions:\r\n    a:\r\n        cmd: x\r\n    b:\r\n        cmd: y\r\n');
    expect(textOf(editYamlMap(added, { keyPath: ['extensions'], remove: ['b'] }))).toBe(text);
  });

  it('fails without text for invalid YAML and refuses flow maps with entries', () => {
    const invalid = editYamlMap('extensions:\n  a: [\n', { keyPath: ['extensions'], set: { b: 1 } });
    expect(invalid).toMatchObject({ ok: false, problem: { code: 'CLIENT_FILE_INVALID', line: 3 } });
    expect('text' in invalid).toBe(false);
    expect(editYamlMap('extensions: { a: 1 }\n', { keyPath: ['extensions'], set: { b: 1 } })).toMatchObject({ ok: false, problem: { code: 'CLIENT_FILE_UNSUPPORTED_LAYOUT' } });
    expect(readYamlMap('a: 1\n---\nb: 2\n', ['a'])).toMatchObject({ ok: false, problem: { code: 'CLIENT_FILE_UNSUPPORTED_LAYOUT' } });
  });

  it('reads the map', () => {
    expect(readYamlMap(goose, ['extensions'])).toEqual({ ok: true, value: { developer: { bundled: true, name: 'developer' }, github: { cmd: 'npx', args: ['-y', 'gh'] } } });
    expect(readYamlMap('extensions:\n', ['extensions'])).toEqual({ ok: true, value: {} });
  });
});
