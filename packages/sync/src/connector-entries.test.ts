import type { ConnectorsLocation } from '@skillsync/clients';
import { describe, expect, it } from 'vitest';
import { loadConnectorCodecs } from './connector-codecs.js';
import { editConnectorsFile } from './connector-entries.js';

const json: ConnectorsLocation = { path: '/p/.cursor/mcp.json', format: 'json', keyPath: ['mcpServers'], container: 'map', docs: 'x', evidence: 'official' };
const toml: ConnectorsLocation = { path: '/p/.codex/config.toml', format: 'toml', keyPath: ['mcp_servers'], container: 'map', docs: 'x', evidence: 'official' };
const continueBlock: ConnectorsLocation = {
  path: '/p/.continue/mcpServers/skillsync.yaml',
  format: 'yaml',
  keyPath: ['mcpServers'],
  container: 'list',
  newFile: { name: 'skillsync', version: '0.0.1', schema: 'v1' },
  docs: 'x',
  evidence: 'official',
};
const server = { command: 'docs-mcp' };
const codecs = await loadConnectorCodecs();

/** The file as skillsync creates it with one entry, then that entry removed. */
function createThenRemove(location: ConnectorsLocation, createdBySkillsync: boolean, touch: (text: string) => string = (text) => text) {
  const created = editConnectorsFile(undefined, location, { set: { docs: server }, remove: [] }, { createdBySkillsync: true, codecs });
  if (!created.ok || created.text === undefined) throw new Error('not created');
  return editConnectorsFile(touch(created.text), location, { set: {}, remove: ['docs'] }, { createdBySkillsync, codecs });
}

describe('editConnectorsFile', () => {
  it.each([
    ['JSON', json],
    ['TOML', toml],
    ['Continue block YAML (new-file metadata)', continueBlock],
  ])('deletes a %s file skillsync created once its last entry goes', (_name, location) => {
    expect(createThenRemove(location, true)).toEqual({ ok: true, text: undefined });
  });

  it('keeps the empty container of a file the user had', () => {
    expect(createThenRemove(json, false)).toEqual({ ok: true, text: '{\n  "mcpServers": {}\n}\n', changed: true });
    expect(createThenRemove(toml, false)).toMatchObject({ ok: true, text: '' });
  });

  it('keeps a created file someone added to: a comment, a key, another server', () => {
    const comment = createThenRemove(json, true, (text) => `// mine\n${text}`);
    expect(comment).toMatchObject({ ok: true, text: '// mine\n{\n  "mcpServers": {}\n}\n' });
    const key = createThenRemove(toml, true, (text) => `model = "o3"\n${text}`);
    expect(key).toMatchObject({ ok: true, text: 'model = "o3"\n' });
    const other = createThenRemove(json, true, (text) => text.replace('"mcpServers": {', '"mcpServers": {\n    "mine": {},'));
    expect(other.ok && other.text).toContain('"mine"');
  });

  it('deletes a created file whose layout changed only in whitespace, and keeps one with a key of its own', () => {
    expect(createThenRemove(json, true, (text) => text.replaceAll('\n', '\r\n').replaceAll('  ', '\t'))).toEqual({ ok: true, text: undefined });
    expect(editConnectorsFile('{"mcpServers": {"docs": {}}, "x": 1}', json, { set: {}, remove: ['docs'] }, { createdBySkillsync: true, codecs })).toMatchObject({ ok: true, text: '{"mcpServers": {}, "x": 1}' });
  });
});
