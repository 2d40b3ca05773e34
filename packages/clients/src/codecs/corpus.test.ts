import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { corpusAvailable, corpusDir, corpusSkipReason } from '../../../../test/support/corpus.js';
import type { CodecReadResult, EditResult } from './codec-result.js';
import { omitAtPath } from './deep-equal.js';
import { editJsonMap, readJsonMap } from './edit-json-map.js';
import { editTomlTables, readTomlTables } from './edit-toml-tables.js';
import { editYamlList, readYamlList } from './edit-yaml-list.js';
import { readYamlMap } from './edit-yaml-map.js';
import { readManagedBlock, removeManagedBlock, renderManagedBlock } from './render-managed-block.js';

/** One codec bound to one file's map: what the sync engine would use for that client. */
interface Binding {
  readonly read: (text: string) => CodecReadResult<Record<string, unknown>>;
  readonly edit: (text: string, set: Record<string, Record<string, unknown>>, remove: string[]) => EditResult;
  /** Everything outside the map, parsed, to prove it did not move. */
  readonly rest: (text: string) => unknown;
}

function jsonBinding(keyPath: string[]): Binding {
  return {
    read: (text) => readJsonMap(text, keyPath),
    edit: (text, set, remove) => editJsonMap(text, { keyPath, set, remove }),
    rest: (text) => (keyPath.length === 0 ? {} : omitAtPath(valueOf(readJsonMap(text, [])), keyPath)),
  };
}

const toml: Binding = {
  read: (text) => readTomlTables(text, 'mcp_servers'),
  edit: (text, set, remove) => editTomlTables(text, { prefix: 'mcp_servers', set, remove }),
  rest: (text) => omitAtPath(valueOf(readTomlTables(text, [])), ['mcp_servers']),
};

const continueList: Binding = {
  read: (text) => readYamlList(text, ['mcpServers'], 'name'),
  edit: (text, set, remove) => editYamlList(text, { keyPath: ['mcpServers'], idField: 'name', set, remove }),
  rest: (text) => omitAtPath(valueOf(readYamlMap(text, [])), ['mcpServers']),
};

/**
 * The codec and key path per corpus file, by the client prefix of its name; a few
 * files need a look inside (plugin `.mcp.json` files hold servers at the root).
 */
function bindingFor(file: string): Binding | undefined {
  const overrides: Record<string, string[]> = {
    'claude-code-plugin__anthropics-claude-plugins-official__2.json': [],
    'claude-code-plugin__anthropics-claude-plugins-official__3.json': [],
    'cursor__dallay-agentsync__1.json': ['servers'],
  };
  const override = overrides[file];
  if (override !== undefined) return jsonBinding(override);
  const client = file.split('__')[0] ?? '';
  if (client === 'codex') return toml;
  if (client === 'continue') return continueList;
  const keys: Record<string, string[]> = {
    '1mcp': ['mcpServers'],
    'ai-rules': ['mcpServers'],
    'claude-code-plugin': ['mcpServers'],
    'claude-code': ['mcpServers'],
    'claude-desktop': ['mcpServers'],
    cursor: ['mcpServers'],
    'gemini-extension': ['mcpServers'],
    gemini: ['mcpServers'],
    kiro: ['mcpServers'],
    opencode: ['mcp'],
    rulesync: ['mcpServers'],
    vscode: ['servers'],
    windsurf: ['mcpServers'],
    zed: ['context_servers'],
  };
  const keyPath = keys[client];
  return keyPath === undefined ? undefined : jsonBinding(keyPath);
}

function textOf(result: EditResult): string {
  if (!result.ok) throw new Error(`${result.problem.code} at ${result.problem.line}:${result.problem.column}: ${result.problem.message}`);
  return result.text;
}

function valueOf<T>(result: CodecReadResult<T>): T {
  if (!result.ok) throw new Error(`${result.problem.code}: ${result.problem.message}`);
  return result.value;
}

const mcpDir = path.join(corpusDir, 'mcp-configs');
const rulesDir = path.join(corpusDir, 'rules');
const mcpFiles = corpusAvailable ? readdirSync(mcpDir).sort() : [];
const ruleFiles = corpusAvailable ? readdirSync(rulesDir).sort() : [];
const entry = { command: 'npx', args: ['-y', '@skillsync/test-server'], env: { SKILLSYNC_TEST: '1' } };

describe.skipIf(!corpusAvailable)(`codec preservation on the real MCP configs (skipped when ${corpusSkipReason})`, () => {
  it('has a codec for every corpus file', () => {
    expect(mcpFiles.length).toBeGreaterThan(0);
    expect(mcpFiles.filter((file) => bindingFor(file) === undefined)).toEqual([]);
  });

  it.each(mcpFiles)('%s: add then remove a skillsync entry is byte-identical, and nothing else moves', (file) => {
    const binding = bindingFor(file);
    if (binding === undefined) throw new Error(`no codec for ${file}`);
    const original = readFileSync(path.join(mcpDir, file), 'utf8');
    const before = valueOf(binding.read(original));

    const added = binding.edit(original, { 'skillsync-test': entry }, []);
    const addedText = textOf(added);
    expect(added.ok && added.changed).toBe(true);
    const after = valueOf(binding.read(addedText));
    expect(after).toEqual({ ...before, 'skillsync-test': expect.objectContaining({ command: 'npx' }) as unknown });
    expect(binding.rest(addedText)).toEqual(binding.rest(original));
    expect(addedText.includes('\r\n')).toBe(original.includes('\r\n'));
    expect(addedText.endsWith('\n')).toBe(original.endsWith('\n'));

    expect(binding.edit(addedText, { 'skillsync-test': entry }, [])).toEqual({ ok: true, text: addedText, changed: false });
    expect(textOf(binding.edit(addedText, {}, ['skillsync-test']))).toBe(original);
  });
});

describe.skipIf(!corpusAvailable)(`managed block on the real instruction files (skipped when ${corpusSkipReason})`, () => {
  const content = '## skillsync\n\nThese instructions are managed by skillsync.\n';

  it('has instruction files', () => {
    expect(ruleFiles.length).toBeGreaterThan(0);
  });

  it.each(ruleFiles)('%s: add then remove is byte-identical; adding twice equals adding once', (file) => {
    const original = readFileSync(path.join(rulesDir, file), 'utf8');
    expect(valueOf(readManagedBlock(original, 'skillsync-test'))).toBeUndefined();
    const once = textOf(renderManagedBlock(original, { id: 'skillsync-test', content }));
    expect(once.startsWith(original.endsWith('\n') ? original : `${original}\n`)).toBe(true);
    expect(textOf(renderManagedBlock(once, { id: 'skillsync-test', content }))).toBe(once);
    expect(valueOf(readManagedBlock(once, 'skillsync-test'))).toEqual({ content: content.trimEnd(), intact: true });
    expect(textOf(removeManagedBlock(once, 'skillsync-test'))).toBe(original);
  });
});
