import { hashManagedContent, readConnector, clientAdapters } from '@skillsync/clients';
import type { ClientId } from '@skillsync/core';
import { describe, expect, it } from 'vitest';
import { hashValue } from '../hash-value.js';
import { emptyJournal, type Journal } from '../journal.js';
import { planImport, type PlanImportInput } from './plan-import.js';
import type { ClientInventory, FoundSkill } from './read-client-inventory.js';

const token = 'ghp_0123456789abcdefghijklmnopqrstuv';

function inventory(client: ClientId, parts: { connectors?: Record<string, unknown>; skills?: FoundSkill[]; instructions?: string }): ClientInventory {
  const adapter = clientAdapters.find((candidate) => candidate.id === client);
  if (adapter === undefined) throw new Error(client);
  const path = `/home/ada/.${client}/mcp.json`;
  return {
    client,
    displayName: adapter.displayName,
    scope: 'user',
    connectors: Object.entries(parts.connectors ?? {}).map(([name, native]) => ({ name, path, hash: hashValue(native), read: readConnector(native, adapter.connectorDialect) })),
    skills: parts.skills ?? [],
    instructions: parts.instructions === undefined ? undefined : { path: `/home/ada/.${client}/RULES.md`, text: parts.instructions, managed: false, ownership: 'block' },
    problems: [],
  };
}

function skill(client: string, name: string, integrity: string, version?: string): FoundSkill {
  const dir = `/home/ada/.${client}/skills/${name}`;
  return { folderName: name, dir, realDir: dir, name, version, integrity, problem: undefined };
}

function plan(inventories: ClientInventory[], overrides: Partial<PlanImportInput> = {}) {
  return planImport({
    scope: 'user',
    inventories,
    existing: { connectors: {}, skills: [], instructions: [] },
    journal: emptyJournal,
    secretValue: () => undefined,
    ...overrides,
  });
}

const github = { command: 'npx', args: ['-y', '@modelcontextprotocol/server-github'], env: { GITHUB_TOKEN: token } };

describe('planImport: connectors', () => {
  it('makes one connector of the same server found in several clients, under the first name, and adopts every copy', () => {
    const result = plan([inventory('claude-code', { connectors: { github } }), inventory('cursor', { connectors: { GitHub: github, fs: { command: 'fs-mcp' } } })]);
    expect(result.connectors.map((connector) => [connector.name, connector.from.map((origin) => `${origin.client}:${origin.name}`)])).toEqual([
      ['github', ['claude-code:github', 'cursor:GitHub']],
      ['fs', ['cursor:fs']],
    ]);
    expect(result.connectors[0]?.connector.env).toEqual({ GITHUB_TOKEN: '${secret:GITHUB_TOKEN}' });
    expect(result.connectors[0]?.secrets).toEqual(['GITHUB_TOKEN']);
    expect(result.secrets).toEqual([{ name: 'GITHUB_TOKEN', value: token, connector: 'github', field: 'env.GITHUB_TOKEN', isNew: true }]);
    expect(result.adopt.filter((entry) => entry.kind === 'connector').map((entry) => `${entry.client}:${entry.name}`)).toEqual(['claude-code:github', 'cursor:GitHub', 'cursor:fs']);
    expect(result.adopt.every((entry) => entry.adopted === true)).toBe(true);
    expect(result.notes.map((note) => note.code)).toEqual(['IMPORT_DUPLICATE']);
  });

  it('renames a different server with a taken name, and adopts the entry so sync puts the winner in its place', () => {
    const result = plan([inventory('claude-code', { connectors: { docs: { command: 'docs-a' } } }), inventory('cursor', { connectors: { docs: { command: 'docs-b' } } })]);
    expect(result.connectors.map((connector) => [connector.name, connector.connector.command])).toEqual([
      ['docs', 'docs-a'],
      ['docs-cursor', 'docs-b'],
    ]);
    expect(result.notes.map((note) => [note.code, note.client])).toEqual([['IMPORT_RENAMED', 'cursor']]);
    expect(result.adopt.map((entry) => `${entry.client}:${entry.name}`)).toEqual(['claude-code:docs', 'cursor:docs']);
  });

  it('skips what the manifest has (same definition) but still adopts it; renames what differs from the manifest', () => {
    const existing = { connectors: { fs: { command: 'fs-mcp' }, docs: { command: 'docs-old' } }, skills: [], instructions: [] };
    const result = plan([inventory('cursor', { connectors: { fs: { command: 'fs-mcp' }, docs: { command: 'docs-new' } } })], { existing });
    expect(result.connectors.map((connector) => connector.name)).toEqual(['docs-cursor']);
    expect(result.notes.map((note) => note.code).sort()).toEqual(['IMPORT_IN_MANIFEST', 'IMPORT_RENAMED']);
    expect(result.adopt.map((entry) => entry.name).sort()).toEqual(['docs', 'fs']);
  });

  it('reuses a stored secret of the same value, and never overwrites one with another value', () => {
    const same = plan([inventory('cursor', { connectors: { github } })], { secretValue: (name) => (name === 'GITHUB_TOKEN' ? token : undefined) });
    expect(same.secrets).toEqual([{ name: 'GITHUB_TOKEN', value: token, connector: 'github', field: 'env.GITHUB_TOKEN', isNew: false }]);
    const other = plan([inventory('cursor', { connectors: { github } })], { secretValue: (name) => (name === 'GITHUB_TOKEN' ? 'something-else' : undefined) });
    expect(other.secrets.map((secret) => secret.name)).toEqual(['GITHUB_TOKEN_2']);
    expect(other.connectors[0]?.connector.env).toEqual({ GITHUB_TOKEN: '${secret:GITHUB_TOKEN_2}' });
  });

  it('gives two servers with the same variable but different tokens two secrets', () => {
    const work = { ...github, env: { GITHUB_TOKEN: 'ghp_workworkworkworkworkworkworkwork12' } };
    const result = plan([inventory('claude-code', { connectors: { github } }), inventory('cursor', { connectors: { 'github-work': work } })]);
    expect(result.secrets.map((secret) => [secret.name, secret.connector])).toEqual([
      ['GITHUB_TOKEN', 'github'],
      ['GITHUB_TOKEN_2', 'github-work'],
    ]);
  });

  it('leaves entries skillsync manages, and reports what is not a server', () => {
    const journal: Journal = { entries: [{ client: 'cursor', scope: 'user', kind: 'connector', name: 'fs', path: '/home/ada/.cursor/mcp.json', hash: 'x' }] };
    const result = plan([inventory('cursor', { connectors: { fs: { command: 'fs-mcp' }, empty: {} } })], { journal });
    expect(result.connectors).toEqual([]);
    expect(result.notes.map((note) => [note.code, note.name])).toEqual([['IMPORT_NOT_A_CONNECTOR', 'empty']]);
  });
});

describe('planImport: skills', () => {
  it('imports one skill per name, versions it when it has none, and reports a different skill with the same name', () => {
    const result = plan([
      inventory('claude-code', { skills: [skill('claude', 'pdf', 'sha512-a'), skill('claude', 'review', 'sha512-r', '2.1.0')] }),
      inventory('cursor', { skills: [skill('cursor', 'pdf', 'sha512-a'), skill('cursor', 'review', 'sha512-other')] }),
    ]);
    expect(result.skills.map((found) => [found.name, found.version, found.stampVersion, found.from.map((origin) => origin.client)])).toEqual([
      ['pdf', '1.0.0', true, ['claude-code', 'cursor']],
      ['review', '2.1.0', false, ['claude-code']],
    ]);
    expect(result.notes.map((note) => [note.code, note.client, note.name])).toEqual([['IMPORT_NAME_CONFLICT', 'cursor', 'review']]);
    // The conflicting copy is not adopted: sync must not replace it.
    expect(result.adopt.map((entry) => `${entry.client}:${entry.name}`)).toEqual(['claude-code:pdf', 'claude-code:review', 'cursor:pdf']);
  });

  it('skips a folder whose SKILL.md names another skill, or that cannot be packed', () => {
    const renamed = { ...skill('claude', 'pdf', 'sha512-a'), name: 'pdf-tools' };
    const linked = { ...skill('claude', 'links', 'sha512-x'), integrity: undefined, problem: 'it holds a symbolic link' };
    const result = plan([inventory('claude-code', { skills: [renamed, linked] })]);
    expect(result.skills).toEqual([]);
    expect(result.notes.map((note) => note.code)).toEqual(['IMPORT_SKILL_UNREADABLE', 'IMPORT_SKILL_UNREADABLE']);
  });
});

describe('planImport: instructions', () => {
  it('imports each distinct text once, whatever its line endings, and adopts every file holding it', () => {
    const result = plan([
      inventory('claude-code', { instructions: 'Answer in English.\nSmall diffs.\n' }),
      inventory('gemini-cli', { instructions: 'Answer in English.\r\nSmall diffs.\r\n' }),
      inventory('codex', { instructions: 'Use pnpm.\n' }),
    ]);
    expect(result.instructions.map((instruction) => [instruction.name, instruction.text, instruction.from.map((origin) => origin.client)])).toEqual([
      ['rules', 'Answer in English.\nSmall diffs.', ['claude-code', 'gemini-cli']],
      ['rules-2', 'Use pnpm.', ['codex']],
    ]);
    const adopted = result.adopt.filter((entry) => entry.kind === 'instructions');
    expect(adopted.map((entry) => entry.client)).toEqual(['claude-code', 'gemini-cli', 'codex']);
    expect(adopted[1]?.hash).toBe(hashManagedContent('Answer in English.\r\nSmall diffs.\r\n'));
  });

  it('does not import a text the manifest has, nor a file skillsync manages', () => {
    const managed = { ...inventory('codex', { instructions: 'x' }), instructions: { path: '/a/AGENTS.md', text: 'x', managed: true, ownership: 'block' as const } };
    const result = plan([inventory('claude-code', { instructions: 'Answer in English.\n' }), managed], {
      existing: { connectors: {}, skills: [], instructions: [{ name: 'lang', text: 'Answer in English.' }] },
    });
    expect(result.instructions).toEqual([]);
    expect(result.notes.map((note) => note.code)).toEqual(['IMPORT_IN_MANIFEST']);
    expect(result.adopt.map((entry) => entry.client)).toEqual(['claude-code']);
  });
});
