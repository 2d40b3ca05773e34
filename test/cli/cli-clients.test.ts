import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSandbox, type Sandbox } from './cli-sandbox.js';
import { KNOWN_CLIENT_IDS } from '@skillsync/core';

interface PathState {
  path: string;
  exists: boolean;
}

type Entry =
  | { kind: 'unsupported'; reason: string }
  | { kind: 'supported'; path: string; exists: boolean; shared?: boolean; format?: string; keyPath?: string[]; alsoReads?: PathState[] };

interface ClientJson {
  id: string;
  name: string;
  found: boolean;
  evidence: string[];
  locations: Partial<Record<'user' | 'project', Record<'connectors' | 'skills' | 'instructions', Entry>>>;
}

const allIds = [...KNOWN_CLIENT_IDS];

let sandbox: Sandbox;

/** A person with Cursor, Claude Code and Codex, in a project that has a Claude Code `.mcp.json`. */
beforeAll(async () => {
  sandbox = await createSandbox();
  await mkdir(path.join(sandbox.home, '.cursor'));
  await mkdir(path.join(sandbox.home, '.codex'));
  await writeFile(path.join(sandbox.home, '.claude.json'), '{"mcpServers": {}}\n');
  await writeFile(path.join(sandbox.home, '.codex', 'config.toml'), '[mcp_servers.docs]\ncommand = "docs-mcp"\n');
  await writeFile(path.join(sandbox.work, '.mcp.json'), '{"mcpServers": {}}\n');
});

afterAll(async () => {
  await sandbox.cleanup();
});

function clientsOf(json: Record<string, unknown>): ClientJson[] {
  return json.clients as ClientJson[];
}

function supported(entry: Entry | undefined): Extract<Entry, { kind: 'supported' }> {
  if (entry?.kind !== 'supported') throw new Error(`expected a supported location, got ${JSON.stringify(entry)}`);
  return entry;
}

describe('skillsync clients (built CLI, temp HOME)', () => {
  it('--json lists exactly the clients found, with absolute paths and exists flags', async () => {
    const { code, json, stderr } = await sandbox.runJson(['clients']);
    expect(code).toBe(0);
    expect(stderr).toBe('');
    expect(json).toMatchObject({
      ok: true,
      home: sandbox.home,
      projectRoot: sandbox.work,
      projectManifest: null,
      scopes: ['user', 'project'],
      all: false,
      counts: { known: 14, found: 3 },
    });
    const clients = clientsOf(json);
    expect(clients.map((client) => client.id)).toEqual(['claude-code', 'cursor', 'codex']);
    const [claude, cursor, codex] = clients as [ClientJson, ClientJson, ClientJson];
    const home = (...parts: string[]): string => path.join(sandbox.home, ...parts);
    const work = (...parts: string[]): string => path.join(sandbox.work, ...parts);

    expect(claude.evidence).toEqual([home('.claude.json')]);
    expect(supported(claude.locations.user?.connectors)).toMatchObject({ path: home('.claude.json'), exists: true, format: 'json', keyPath: ['mcpServers'] });
    expect(supported(claude.locations.project?.connectors)).toMatchObject({ path: work('.mcp.json'), exists: true });
    expect(supported(claude.locations.user?.skills)).toMatchObject({ path: home('.claude', 'skills'), exists: false, shared: false });
    expect(supported(claude.locations.project?.instructions)).toMatchObject({
      path: work('CLAUDE.md'),
      exists: false,
      scopedRules: { dir: work('.claude', 'rules'), extension: '.md', globKey: 'paths', globForm: 'list' },
    });
    // Claude Code ignores user rules with `paths:`: none at user scope.
    expect(supported(claude.locations.user?.instructions)).not.toHaveProperty('scopedRules');

    expect(cursor.evidence).toEqual([home('.cursor')]);
    expect(supported(cursor.locations.user?.connectors)).toMatchObject({ path: home('.cursor', 'mcp.json'), exists: false });
    expect(supported(cursor.locations.user?.skills)).toMatchObject({ path: home('.agents', 'skills'), shared: true, exists: false });
    expect(cursor.locations.user?.instructions).toEqual({ kind: 'unsupported', reason: expect.stringMatching(/\S/) as unknown });
    expect(supported(cursor.locations.project?.connectors)).toMatchObject({ path: work('.cursor', 'mcp.json'), exists: false });

    expect(codex.evidence).toEqual([home('.codex')]);
    expect(supported(codex.locations.user?.connectors)).toMatchObject({
      path: home('.codex', 'config.toml'),
      exists: true,
      format: 'toml',
      keyPath: ['mcp_servers'],
    });

    // Every supported path is absolute, and `exists` is a real boolean everywhere.
    for (const client of clients) {
      for (const scope of Object.values(client.locations)) {
        for (const entry of Object.values(scope)) {
          if (entry.kind === 'unsupported') continue;
          expect(path.isAbsolute(entry.path)).toBe(true);
          expect(typeof entry.exists).toBe('boolean');
        }
      }
    }
  });

  it('--all lists all 14 known clients, found or not', async () => {
    const { code, json } = await sandbox.runJson(['clients', '--all']);
    expect(code).toBe(0);
    const clients = clientsOf(json);
    expect(clients.map((client) => client.id)).toEqual(allIds);
    expect(clients.filter((client) => client.found).map((client) => client.id)).toEqual(['claude-code', 'cursor', 'codex']);
    for (const client of clients.filter((candidate) => !candidate.found)) expect(client.evidence).toEqual([]);
    expect(json).toMatchObject({ all: true, counts: { known: 14, found: 3 } });
  });

  it('--scope project shows only project locations', async () => {
    const { code, json } = await sandbox.runJson(['clients', '--all', '--scope', 'project']);
    expect(code).toBe(0);
    expect(json.scopes).toEqual(['project']);
    for (const client of clientsOf(json)) {
      expect(Object.keys(client.locations), client.id).toEqual(['project']);
      for (const entry of Object.values(client.locations.project ?? {})) {
        if (entry.kind === 'supported') expect(entry.path.startsWith(`${sandbox.work}${path.sep}`), `${client.id} ${entry.path}`).toBe(true);
      }
    }
    // Goose's project plugin file is spelt unlike its YAML config: it reports its own features, not the dialect object.
    const goose = clientsOf(json).find((client) => client.id === 'goose');
    const plugin = supported(goose?.locations.project?.connectors) as Record<string, unknown>;
    expect(plugin).toMatchObject({ path: path.join(sandbox.work, '.agents', 'plugins', 'skillsync', '.mcp.json'), format: 'json', evidence: 'secondary' });
    expect(plugin.connectorFeatures).toMatchObject({ transports: ['stdio'], envInterpolation: { kind: 'none' }, workingDirectory: true, headers: false, disable: false });
    expect(plugin).not.toHaveProperty('dialect');
  });

  it('prints a table per client with ~/ and ./ paths, uncoloured on a pipe', async () => {
    const { code, stdout, stderr } = await sandbox.run(['clients']);
    expect(code).toBe(0);
    expect(stderr).toBe('');
    expect(stdout).not.toContain('\x1b[');
    expect(stdout).not.toContain(sandbox.home);
    expect(stdout).toContain('3 of 14 known clients found');
    expect(stdout).toMatch(/^Cursor \(cursor\) {2}found ~\/\.cursor$/m);
    expect(stdout).toMatch(/^ {2}user +connectors +absent +~\/\.cursor\/mcp\.json +json · mcpServers$/m);
    expect(stdout).toMatch(/^ {2}project +connectors +exists +\.\/\.mcp\.json +json · mcpServers$/m);
    expect(stdout).toMatch(/^ {2}user +skills +absent +~\/\.agents\/skills +shared \.agents\/skills$/m);
    expect(stdout).toMatch(/^ {2}user +instructions +unsupported +— +Cursor /m);
    expect(stdout).not.toContain('Windsurf');
    expect(stdout).toContain('`skillsync clients --all` also shows the 11 clients not found.');
    for (const line of stdout.split('\n')) expect(line).toBe(line.trimEnd());
  });

  it('colours only when asked to, and says nothing with --quiet', async () => {
    const [coloured, quiet] = await Promise.all([sandbox.run(['clients'], { env: { FORCE_COLOR: '1' } }), sandbox.run(['clients', '--quiet'])]);
    expect(coloured.code).toBe(0);
    expect(coloured.stdout).toContain('\x1b[');
    expect(quiet).toEqual({ code: 0, stdout: '', stderr: '' });
  });

  it('takes the project root from the project manifest above the current folder', async () => {
    await mkdir(path.join(sandbox.work, 'repo', 'src'), { recursive: true });
    await writeFile(path.join(sandbox.work, 'repo', 'skillsync.yaml'), 'version: 1\n');
    const { code, json } = await sandbox.runJson(['clients', '--scope', 'project'], { cwd: 'repo/src' });
    expect(code).toBe(0);
    expect(json).toMatchObject({ projectRoot: path.join(sandbox.work, 'repo'), projectManifest: path.join(sandbox.work, 'repo', 'skillsync.yaml') });
    const claude = clientsOf(json).find((client) => client.id === 'claude-code');
    expect(supported(claude?.locations.project?.connectors)).toMatchObject({ path: path.join(sandbox.work, 'repo', '.mcp.json'), exists: false });
  });

  it('lists nothing but a pointer to --all when no client is here', async () => {
    const empty = path.join(sandbox.root, 'empty-home');
    await mkdir(empty);
    const env = { HOME: empty, USERPROFILE: empty };
    const [text, json] = await Promise.all([sandbox.run(['clients'], { env }), sandbox.runJson(['clients'], { env })]);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('0 of 14 known clients found');
    expect(text.stdout).toContain('`skillsync clients --all`');
    expect(json.json).toMatchObject({ ok: true, counts: { found: 0 }, clients: [] });
  });

  it('refuses an unknown --scope with exit 2 and the allowed values', async () => {
    const [text, json] = await Promise.all([sandbox.run(['clients', '--scope', 'global']), sandbox.runJson(['clients', '--scope', 'global'])]);
    expect(text.code).toBe(2);
    expect(text.stdout).toBe('');
    expect(text.stderr).toMatch(/^error USAGE: --scope global: not a scope\. Allowed: user, project\.\nhint: /);
    expect(json.code).toBe(2);
    expect(json.json).toMatchObject({ ok: false, error: { code: 'USAGE', details: { option: '--scope', value: 'global', allowed: ['user', 'project'] } } });
  });

  it('has --help with its options and examples', async () => {
    const help = await sandbox.run(['clients', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: skillsync clients');
    expect(help.stdout).toContain('--scope <user|project>');
    expect(help.stdout).toContain('--all');
    expect(help.stdout).toContain('Examples:');
  });
});
