import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { clientAdapters, type ClientAdapter } from '@skillsync/clients';
import { createEnv } from '@skillsync/core';
import { describe, expect, it } from 'vitest';
import { corpusAvailable, corpusDir, corpusSkipReason } from '../../../test/support/corpus.js';
import { loadConnectorCodecs } from './connector-codecs.js';
import { readConnectorEntries } from './connector-entries.js';
import type { DesiredState } from './create-desired-state.js';
import { emptyJournal, type Journal } from './journal.js';
import { planSync } from './plan-sync.js';

const env = createEnv({ home: '/home/ada', cwd: '/src/app' });
const codecs = await loadConnectorCodecs();
const desired: DesiredState = {
  gateway: { mode: 'direct' },
  connectors: { 'skillsync-probe': { command: 'probe-mcp', args: ['--stdio'] } },
  skills: [],
  instructions: [{ id: 'probe', content: 'Probe instructions from skillsync.' }],
};
const none: DesiredState = { connectors: {}, gateway: { mode: 'direct' }, skills: [], instructions: [] };

/** Corpus file prefix → the adapter and scope whose file it stands for. */
const mcpTargets: Readonly<Record<string, readonly [string, 'user' | 'project']>> = {
  'claude-code': ['claude-code', 'project'],
  'claude-desktop': ['claude-desktop', 'user'],
  cursor: ['cursor', 'project'],
  codex: ['codex', 'user'],
  vscode: ['vscode', 'project'],
  gemini: ['gemini-cli', 'project'],
  windsurf: ['windsurf', 'user'],
  zed: ['zed', 'user'],
  kiro: ['kiro', 'project'],
  opencode: ['opencode', 'project'],
  continue: ['continue', 'user'],
};

function adapter(id: string): ClientAdapter {
  const found = clientAdapters.find((candidate) => candidate.id === id);
  if (found === undefined) throw new Error(`no adapter ${id}`);
  return found;
}

/** Sync into `text`, then sync nothing out again: the text must come back byte for byte. */
function roundTrip(client: ClientAdapter, scope: 'user' | 'project', target: string, text: string): { into: string | undefined; back: string | undefined } {
  const files = new Map([[target, text]]);
  const plan = (state: DesiredState, current: Map<string, string | undefined>, journal: Journal) =>
    planSync({ env, scope, clients: [client], desired: state, files: current, skillDirs: new Map(), journal, connectorCodecs: codecs });
  const first = plan(desired, files, emptyJournal);
  expect(first.problems).toEqual([]);
  const into = first.files.find((file) => file.path === target)?.after;
  const synced = new Map<string, string | undefined>(files);
  for (const file of first.files) synced.set(file.path, file.after);
  expect(plan(desired, synced, first.journal).files).toEqual([]);
  const out = plan(none, synced, first.journal);
  return { into, back: out.files.find((file) => file.path === target)?.after ?? synced.get(target) };
}

describe.skipIf(!corpusAvailable)(`planSync on real client files (${corpusAvailable ? 'corpus' : corpusSkipReason})`, () => {
  const mcpDir = path.join(corpusDir, 'mcp-configs');
  const mcpFiles = corpusAvailable ? readdirSync(mcpDir).filter((name) => Object.hasOwn(mcpTargets, name.split('__')[0] ?? '')) : [];
  it.each(mcpFiles)('MCP config %s: sync in and back out is byte-identical outside our entry', (name) => {
    const [id, scope] = mcpTargets[name.split('__')[0] ?? ''] ?? ['', 'user'];
    const client = adapter(id);
    const location = client.locations(env, scope, scope === 'project' ? '/src/app' : undefined).connectors;
    if (location.kind === 'unsupported') throw new Error(location.reason);
    const text = readFileSync(path.join(mcpDir, name), 'utf8');
    const { into, back } = roundTrip(client, scope, location.path, text);
    expect(into).toContain('probe-mcp');
    const original = readConnectorEntries(text, location, codecs);
    if (original.ok && Object.keys(original.value).length === 0) {
      // Known gap: a container we created (`"mcpServers": {}`) stays behind once our last entry goes.
      expect(readConnectorEntries(back, location, codecs)).toEqual({ ok: true, value: {} });
      return;
    }
    expect(back).toBe(text);
  });

  const rulesDir = path.join(corpusDir, 'rules');
  const agentsFiles = corpusAvailable ? readdirSync(rulesDir).filter((name) => /(AGENTS|CLAUDE|GEMINI)\.md$/.test(name)) : [];
  it.each(agentsFiles)('instruction file %s: sync in and back out is byte-identical', (name) => {
    const text = readFileSync(path.join(rulesDir, name), 'utf8');
    const { into, back } = roundTrip(adapter('codex'), 'project', '/src/app/AGENTS.md', text);
    expect(into?.startsWith(text.replace(/\s*$/, ''))).toBe(true);
    expect(back).toBe(text);
  });
});
