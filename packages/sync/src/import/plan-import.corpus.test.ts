import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { clientAdapters, readConnector, type ClientAdapter } from '@skillsync/clients';
import { addManifestEntries, createEnv, createManifestText, parseManifest } from '@skillsync/core';
import { describe, expect, it } from 'vitest';
import { corpusAvailable, corpusDir, corpusSkipReason } from '../../../../test/support/corpus.js';
import { loadConnectorCodecs } from '../connector-codecs.js';
import { readConnectorEntries } from '../connector-entries.js';
import { hashValue } from '../hash-value.js';
import { emptyJournal } from '../journal.js';
import { planSync } from '../plan-sync.js';
import { planImport } from './plan-import.js';

const env = createEnv({ home: '/home/ada', cwd: '/src/app' });
const codecs = await loadConnectorCodecs();

/** Corpus file prefix → the adapter whose user file it stands for. */
const mcpTargets: Readonly<Record<string, string>> = {
  'claude-code': 'claude-code',
  'claude-desktop': 'claude-desktop',
  cursor: 'cursor',
  codex: 'codex',
  vscode: 'vscode',
  gemini: 'gemini-cli',
  windsurf: 'windsurf',
  zed: 'zed',
  kiro: 'kiro',
  opencode: 'opencode',
  continue: 'continue',
};

function adapter(id: string): ClientAdapter {
  const found = clientAdapters.find((candidate) => candidate.id === id);
  if (found === undefined) throw new Error(`no adapter ${id}`);
  return found;
}

/**
 * Real configs people wrote, imported: every server becomes a valid manifest entry
 * (no credential left in it), and the sync that follows takes each client entry over
 * without a conflict, a parse problem or a lost foreign key.
 */
describe.skipIf(!corpusAvailable)(`import on real client files (${corpusAvailable ? 'corpus' : corpusSkipReason})`, () => {
  const mcpDir = path.join(corpusDir, 'mcp-configs');
  const mcpFiles = corpusAvailable ? readdirSync(mcpDir).filter((name) => Object.hasOwn(mcpTargets, name.split('__')[0] ?? '')) : [];

  it.each(mcpFiles)('MCP config %s: imported into a valid manifest, then synced without conflicts', (name) => {
    const client = adapter(mcpTargets[name.split('__')[0] ?? ''] ?? '');
    const location = client.locations(env, 'user').connectors;
    if (location.kind === 'unsupported') throw new Error(location.reason);
    const text = readFileSync(path.join(mcpDir, name), 'utf8');
    const entries = readConnectorEntries(text, location, codecs);
    if (!entries.ok) throw new Error(entries.problem.message);
    const connectors = Object.entries(entries.value).map(([entryName, native]) => ({
      name: entryName,
      path: location.path,
      hash: hashValue(native),
      read: readConnector(native, client.connectorDialect),
    }));
    const plan = planImport({
      scope: 'user',
      inventories: [{ client: client.id, displayName: client.displayName, scope: 'user', connectors, skills: [], instructions: undefined, problems: [] }],
      existing: { connectors: {}, skills: [], instructions: [] },
      journal: emptyJournal,
      secretValue: () => undefined,
    });
    const servers = connectors.filter((found) => found.read.kind === 'connector');
    expect(plan.connectors.flatMap((connector) => connector.from)).toHaveLength(servers.length);
    const manifestText = addManifestEntries(createManifestText(), { connectors: Object.fromEntries(plan.connectors.map((connector) => [connector.name, connector.connector])) });
    const manifest = parseManifest(manifestText).manifest;
    expect(manifest).toBeDefined();
    for (const secret of plan.secrets) expect(manifestText).not.toContain(secret.value);

    const sync = planSync({
      env,
      scope: 'user',
      clients: [client],
      desired: { connectors: manifest?.connectors ?? {}, gateway: { mode: 'direct' }, skills: [], instructions: [] },
      files: new Map([[location.path, text]]),
      skillDirs: new Map(),
      journal: { entries: plan.adopt },
      connectorCodecs: codecs,
    });
    expect(sync.problems).toEqual([]);
    const placeholders = new Set(connectors.filter((found) => found.read.kind !== 'connector').map((found) => found.name));
    expect(sync.items.filter((item) => item.status === 'conflict' || (item.status === 'unmanaged' && !placeholders.has(item.name)))).toEqual([]);
    const after = sync.files.find((file) => file.path === location.path)?.after ?? text;
    const synced = readConnectorEntries(after, location, codecs);
    if (!synced.ok) throw new Error(synced.problem.message);
    // Every server is still there (credential-bearing ones as the client had them until the gateway runs).
    for (const server of servers) expect(Object.keys(synced.value)).toContain(plan.connectors.find((connector) => connector.from.some((origin) => origin.name === server.name))?.name ?? server.name);
  });

  const rulesDir = path.join(corpusDir, 'rules');
  const instructionFiles = corpusAvailable ? readdirSync(rulesDir).filter((name) => /(AGENTS|CLAUDE|GEMINI)\.md$/.test(name)) : [];
  it.each(instructionFiles)('instruction file %s: imported once, then moved into the block with nothing lost or repeated', (name) => {
    const text = readFileSync(path.join(rulesDir, name), 'utf8');
    const client = adapter('claude-code');
    const location = client.locations(env, 'user').instructions;
    if (location.kind === 'unsupported') throw new Error(location.reason);
    const plan = planImport({
      scope: 'user',
      inventories: [{ client: client.id, displayName: client.displayName, scope: 'user', connectors: [], skills: [], instructions: { path: location.path, text, managed: false, ownership: 'block' }, problems: [] }],
      existing: { connectors: {}, skills: [], instructions: [] },
      journal: emptyJournal,
      secretValue: () => undefined,
    });
    const [instruction] = plan.instructions;
    expect(instruction).toBeDefined();
    const sync = planSync({
      env,
      scope: 'user',
      clients: [client],
      desired: { connectors: {}, gateway: {}, skills: [], instructions: [{ id: instruction?.name ?? '', content: instruction?.text ?? '' }] },
      files: new Map([[location.path, text]]),
      skillDirs: new Map(),
      journal: { entries: plan.adopt },
      connectorCodecs: codecs,
    });
    expect(sync.problems).toEqual([]);
    const after = sync.files[0]?.after ?? '';
    expect(after.startsWith('<!-- skillsync:begin instructions')).toBe(true);
    // The whole original text is inside the block, once.
    const body = text.replace(/\r\n/g, '\n').trim();
    expect(after.replace(/\r\n/g, '\n').split(body)).toHaveLength(2);
  });
});
