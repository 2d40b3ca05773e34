import path from 'node:path';
import { createEnv, type Env, type Platform } from '@skillsync/core';
import { describe, expect, it } from 'vitest';
import { ARTIFACT_KINDS, connectorDialectAt, SCOPES, type ArtifactKind, type ClientAdapter, type Scope, type ScopeLocations } from './define-client.js';
import { connectorFeaturesOf, renderConnector, type ConnectorDialect } from './dialects/index.js';
import { clientAdapters } from './registry.js';

/**
 * The one suite every adapter must pass (after Hono's shared router suite): a new client
 * is covered by adding it to the registry, nothing else.
 */

interface Machine {
  readonly platform: Platform;
  readonly home: string;
  readonly project: string;
  readonly env: Env;
}

function machine(platform: Platform, vars: Record<string, string> = {}): Machine {
  const home = platform === 'win32' ? 'C:\\Users\\ada' : platform === 'darwin' ? '/Users/ada' : '/home/ada';
  const project = platform === 'win32' ? 'D:\\src\\app' : '/src/app';
  // APPDATA sits under HOME, as Windows puts it, so "under home" holds for every user path.
  const base = platform === 'win32' ? { APPDATA: 'C:\\Users\\ada\\AppData\\Roaming' } : {};
  return { platform, home, project, env: createEnv({ home, cwd: project, platform, vars: { ...base, ...vars } }) };
}

const machines = (['linux', 'darwin', 'win32'] as const).map((platform) => machine(platform));
const p = (m: Machine) => (m.platform === 'win32' ? path.win32 : path.posix);
const isUnder = (m: Machine, child: string, parent: string) => {
  const relative = p(m).relative(parent, child);
  return relative !== '' && !relative.startsWith('..') && !p(m).isAbsolute(relative);
};

const extensionFormats: Readonly<Record<string, readonly string[]>> = {
  '.json': ['json', 'jsonc'],
  '.jsonc': ['jsonc'],
  '.toml': ['toml'],
  '.yaml': ['yaml'],
  '.yml': ['yaml'],
};

function everyLocation(adapter: ClientAdapter, m: Machine, scope: Scope): ScopeLocations {
  return adapter.locations(m.env, scope, scope === 'project' ? m.project : undefined);
}

describe.each(clientAdapters.map((adapter) => [adapter.id, adapter] as const))('adapter %s', (_id, adapter) => {
  it('declares every scope × kind, and every unsupported entry says why', () => {
    for (const scope of SCOPES) {
      for (const kind of ARTIFACT_KINDS) {
        const capability = adapter.capabilities[scope][kind];
        if (capability.kind === 'unsupported') expect(capability.reason.length, `${scope}.${kind}`).toBeGreaterThan(10);
        else expect(['official', 'secondary', 'unconfirmed']).toContain(capability.evidence);
      }
    }
  });

  it.each(machines.map((m) => [m.platform, m] as const))('gives honest locations on %s', (_platform, m) => {
    for (const scope of SCOPES) {
      const root = scope === 'user' ? m.home : m.project;
      const locations = everyLocation(adapter, m, scope);
      for (const kind of ARTIFACT_KINDS) {
        const located = locations[kind];
        const label = `${adapter.id} ${scope}.${kind}`;
        expect(located.kind, label).toBe(adapter.capabilities[scope][kind].kind);
        if (located.kind === 'unsupported') {
          expect(located.reason.length, label).toBeGreaterThan(10);
          continue;
        }
        expect(located.docs, label).toMatch(/^https:\/\/[^\s]+$/);
        expect(p(m).isAbsolute(located.path), `${label}: ${located.path}`).toBe(true);
        expect(isUnder(m, located.path, root), `${label}: ${located.path} under ${root}`).toBe(true);
        if (m.platform === 'win32') expect(located.path, label).not.toContain('/');
        if ('alsoReads' in located) {
          for (const other of located.alsoReads) {
            expect(p(m).isAbsolute(other), `${label} also reads ${other}`).toBe(true);
            expect(other, label).not.toBe(located.path);
          }
        }
      }
      checkKinds(adapter, m, scope, locations);
    }
  });

  it('renders a plain connector for every transport it claims, and needs the gateway for the others', () => {
    const connectors = {
      stdio: { command: 'server', args: ['--flag'] },
      http: { url: 'https://mcp.example.com/mcp' },
      sse: { url: 'https://mcp.example.com/sse', transport: 'sse' as const },
    };
    // A connector file with a dialect of its own (Goose's project plugin) claims its own transports.
    const dialects: [string, ConnectorDialect, readonly string[]][] = [['client', adapter.connectorDialect, adapter.capabilities.connectors.transports]];
    for (const scope of SCOPES) {
      const located = everyLocation(adapter, machine('linux'), scope).connectors;
      if (located.kind === 'supported' && located.dialect !== undefined) dialects.push([scope, located.dialect, connectorFeaturesOf(located.dialect).transports]);
    }
    for (const [label, dialect, transports] of dialects) {
      for (const [transport, connector] of Object.entries(connectors)) {
        const result = renderConnector(connector, dialect, 'plain');
        expect(result.kind, `${adapter.id} ${label} ${transport}`).toBe(transports.includes(transport) ? 'rendered' : 'needs-gateway');
      }
    }
  });

  it('keeps the env-var overrides inside the client that owns them', () => {
    const plain = machine('linux');
    const overridden = machine('linux', { CLAUDE_CONFIG_DIR: '/cfg/claude', CODEX_HOME: '/cfg/codex', CLINE_DIR: '/cfg/cline', XDG_CONFIG_HOME: '/cfg/xdg' });
    const uses = (loc: ScopeLocations) => JSON.stringify(loc);
    const changed = uses(everyLocation(adapter, plain, 'user')) !== uses(everyLocation(adapter, overridden, 'user'));
    // Electron apps (Claude Desktop, VS Code) follow XDG_CONFIG_HOME on Linux too.
    const expected = ['claude-code', 'claude-desktop', 'codex', 'vscode', 'cline', 'zed', 'opencode', 'goose', 'amp'].includes(adapter.id);
    expect(changed, adapter.id).toBe(expected);
  });
});

function checkKinds(adapter: ClientAdapter, m: Machine, scope: Scope, locations: ScopeLocations): void {
  const label = (kind: ArtifactKind) => `${adapter.id} ${scope}.${kind}`;
  const connectors = locations.connectors;
  if (connectors.kind === 'supported') {
    const formats = extensionFormats[p(m).extname(connectors.path)];
    expect(formats, `${label('connectors')}: ${connectors.path}`).toContain(connectors.format);
    expect(connectors.keyPath.length, label('connectors')).toBeGreaterThan(0);
    for (const alternative of connectors.alternatives ?? []) expect(extensionFormats[p(m).extname(alternative)], alternative).toContain(connectors.format);
    if (connectors.container === 'list') expect(connectorDialectAt(adapter, connectors).shape.nameKey, label('connectors')).toBe('name');
  }
  const skills = locations.skills;
  if (skills.kind === 'supported') {
    const sharedDir = scope === 'user' ? p(m).join(m.home, '.agents', 'skills') : p(m).join(m.project, '.agents', 'skills');
    expect(skills.shared, `${label('skills')}: ${skills.path}`).toBe(skills.path === sharedDir);
    expect(skills.alsoReads, label('skills')).not.toContain(sharedDir);
  }
  const instructions = locations.instructions;
  if (instructions.kind === 'supported') {
    const extension = p(m).extname(instructions.path);
    // Markdown hint files without an extension (`.goosehints`) are markdown too.
    const plainHints = extension === '' && p(m).basename(instructions.path).startsWith('.');
    expect(plainHints ? '.md' : extension, label('instructions')).toBe(instructions.format === 'mdc' ? '.mdc' : '.md');
    expect(instructions.shared, label('instructions')).toBe(scope === 'project' && instructions.path === p(m).join(m.project, 'AGENTS.md'));
    if (instructions.ownership === 'file') expect(p(m).basename(instructions.path), label('instructions')).toMatch(/skillsync/);
    if (instructions.format === 'mdc') expect(instructions.frontmatter, label('instructions')).toBeDefined();
    const rules = instructions.scopedRules;
    if (rules !== undefined) {
      const root = scope === 'user' ? m.home : m.project;
      // A shared file's block is the same for every reader: a rule file beside it would only repeat its scoped instructions.
      expect(instructions.shared, label('instructions')).toBe(false);
      expect(isUnder(m, rules.dir, root), `${label('instructions')}: ${rules.dir} under ${root}`).toBe(true);
      expect(rules.docs, label('instructions')).toMatch(/^https:\/\/[^\s]+$/);
      expect(['official', 'secondary', 'unconfirmed']).toContain(rules.evidence);
      expect(rules.extension === '.mdc', label('instructions')).toBe(rules.format === 'mdc');
      expect(rules.globKey, label('instructions')).toMatch(/^[A-Za-z]+$/);
      expect([rules.nameKey, ...Object.keys(rules.frontmatter ?? {})], label('instructions')).not.toContain(rules.globKey);
      // Rule files are `skillsync-<name>`: never the instruction file itself.
      expect(p(m).basename(instructions.path), label('instructions')).not.toMatch(/^skillsync-/);
    }
  }
}

describe('client locations', () => {
  const user = (id: string, m: Machine) => clientAdapters.find((adapter) => adapter.id === id)!.locations(m.env, 'user');
  const connectorPath = (id: string, m: Machine) => {
    const located = user(id, m).connectors;
    return located.kind === 'supported' ? located.path : located.reason;
  };
  const [linux, darwin, win32] = machines as [Machine, Machine, Machine];

  it('puts desktop-app configs where each OS keeps them', () => {
    expect(connectorPath('claude-desktop', darwin)).toBe('/Users/ada/Library/Application Support/Claude/claude_desktop_config.json');
    expect(connectorPath('claude-desktop', linux)).toBe('/home/ada/.config/Claude/claude_desktop_config.json');
    expect(connectorPath('claude-desktop', win32)).toBe('C:\\Users\\ada\\AppData\\Roaming\\Claude\\claude_desktop_config.json');
    expect(connectorPath('vscode', darwin)).toBe('/Users/ada/Library/Application Support/Code/User/mcp.json');
    expect(connectorPath('vscode', linux)).toBe('/home/ada/.config/Code/User/mcp.json');
    expect(connectorPath('vscode', win32)).toBe('C:\\Users\\ada\\AppData\\Roaming\\Code\\User\\mcp.json');
  });

  it('puts XDG tools in ~/.config on macOS and their own APPDATA folder on Windows', () => {
    expect(connectorPath('zed', darwin)).toBe('/Users/ada/.config/zed/settings.json');
    expect(connectorPath('zed', win32)).toBe('C:\\Users\\ada\\AppData\\Roaming\\Zed\\settings.json');
    expect(connectorPath('goose', linux)).toBe('/home/ada/.config/goose/config.yaml');
    expect(connectorPath('goose', win32)).toBe('C:\\Users\\ada\\AppData\\Roaming\\Block\\goose\\config\\config.yaml');
    expect(connectorPath('opencode', win32)).toBe('C:\\Users\\ada\\.config\\opencode\\opencode.json');
  });

  it('honours the env-var overrides the clients document', () => {
    const m = machine('linux', {
      CLAUDE_CONFIG_DIR: '/cfg/claude',
      CODEX_HOME: 'relative/codex',
      CLINE_MCP_SETTINGS_PATH: '/cfg/cline-mcp.json',
      XDG_CONFIG_HOME: '/cfg/xdg',
    });
    expect(connectorPath('claude-code', m)).toBe('/cfg/claude/.claude.json');
    const claude = user('claude-code', m);
    expect(claude.skills.kind === 'supported' && claude.skills.path).toBe('/cfg/claude/skills');
    // A relative override is taken from the working directory, so paths stay absolute.
    expect(connectorPath('codex', m)).toBe('/src/app/relative/codex/config.toml');
    expect(connectorPath('cline', m)).toBe('/cfg/cline-mcp.json');
    expect(connectorPath('zed', m)).toBe('/cfg/xdg/zed/settings.json');
    expect(connectorPath('cline', machine('linux', { CLINE_DIR: '/cfg/cline' }))).toBe('/cfg/cline/data/settings/cline_mcp_settings.json');
    // XDG ignores relative values.
    expect(connectorPath('zed', machine('linux', { XDG_CONFIG_HOME: 'rel' }))).toBe('/home/ada/.config/zed/settings.json');
    expect(connectorPath('claude-desktop', machine('win32', { APPDATA: 'E:\\Roaming' }))).toBe('E:\\Roaming\\Claude\\claude_desktop_config.json');
  });

  it('resolves the project root against the working directory and defaults to it', () => {
    const cursor = clientAdapters.find((adapter) => adapter.id === 'cursor')!;
    const byDefault = cursor.locations(linux.env, 'project').connectors;
    const relative = cursor.locations(linux.env, 'project', 'sub').connectors;
    expect(byDefault.kind === 'supported' && byDefault.path).toBe('/src/app/.cursor/mcp.json');
    expect(relative.kind === 'supported' && relative.path).toBe('/src/app/sub/.cursor/mcp.json');
  });

  it('pins where each client writes per-glob rule files, and how (a change here is a deliberate review)', () => {
    const table: Record<string, string> = {};
    for (const adapter of clientAdapters) {
      for (const scope of SCOPES) {
        const located = everyLocation(adapter, linux, scope).instructions;
        if (located.kind === 'unsupported' || located.scopedRules === undefined) continue;
        const { dir, extension, globKey, globForm, nameKey, frontmatter, evidence } = located.scopedRules;
        const at = `${dir.replace(linux.home, '~').replace(linux.project, '.')}/skillsync-<name>${extension}`;
        const keys = [...(nameKey === undefined ? [] : [`${nameKey}: <name>`]), ...Object.entries(frontmatter ?? {}).map(([key, value]) => `${key}: ${String(value)}`), `${globKey}: <${globForm}>`];
        table[`${adapter.id} ${scope}`] = `${at} ${keys.join(', ')}${evidence === 'official' ? '' : ` [${evidence}]`}`;
      }
    }
    expect(table).toMatchInlineSnapshot(`
      {
        "claude-code project": "./.claude/rules/skillsync-<name>.md paths: <list>",
        "cline user": "~/.cline/rules/skillsync-<name>.md paths: <list>",
        "continue project": "./.continue/rules/skillsync-<name>.md name: <name>, globs: <list>",
        "continue user": "~/.continue/rules/skillsync-<name>.md name: <name>, globs: <list>",
        "cursor project": "./.cursor/rules/skillsync-<name>.mdc description: <name>, alwaysApply: false, globs: <comma-separated>",
        "kiro project": "./.kiro/steering/skillsync-<name>.md inclusion: fileMatch, fileMatchPattern: <string> [secondary]",
        "vscode project": "./.github/instructions/skillsync-<name>.instructions.md description: <name>, applyTo: <string>",
        "vscode user": "~/.copilot/instructions/skillsync-<name>.instructions.md description: <name>, applyTo: <string>",
      }
    `);
  });

  it('pins where each client keeps each kind (a change here is a deliberate review)', () => {
    const table: Record<string, Record<string, string>> = {};
    for (const adapter of clientAdapters) {
      for (const scope of SCOPES) {
        const locations = everyLocation(adapter, linux, scope);
        const row: Record<string, string> = {};
        for (const kind of ARTIFACT_KINDS) {
          const located = locations[kind];
          if (located.kind === 'unsupported') {
            row[kind] = `unsupported: ${located.reason}`;
            continue;
          }
          const at = located.path.replace(linux.home, '~').replace(linux.project, '.');
          const key = 'keyPath' in located ? ` ${located.keyPath.join('.')}${located.container === 'list' ? '[]' : ''}` : '';
          const shared = 'shared' in located && located.shared ? ' (shared)' : '';
          const confidence = located.evidence === 'official' ? '' : ` [${located.evidence}]`;
          row[kind] = `${at}${key}${shared}${confidence}`;
        }
        table[`${adapter.id} ${scope}`] = row;
      }
    }
    expect(table).toMatchInlineSnapshot(`
      {
        "amp project": {
          "connectors": "./.amp/settings.json amp.mcpServers [secondary]",
          "instructions": "./AGENTS.md (shared) [secondary]",
          "skills": "./.agents/skills (shared) [secondary]",
        },
        "amp user": {
          "connectors": "~/.config/amp/settings.json amp.mcpServers [secondary]",
          "instructions": "~/.config/amp/AGENTS.md [secondary]",
          "skills": "~/.config/agents/skills [secondary]",
        },
        "claude-code project": {
          "connectors": "./.mcp.json mcpServers",
          "instructions": "./CLAUDE.md",
          "skills": "./.claude/skills",
        },
        "claude-code user": {
          "connectors": "~/.claude.json mcpServers",
          "instructions": "~/.claude/CLAUDE.md",
          "skills": "~/.claude/skills",
        },
        "claude-desktop project": {
          "connectors": "unsupported: Claude Desktop has no project-level configuration",
          "instructions": "unsupported: Claude Desktop has no project-level configuration",
          "skills": "unsupported: Claude Desktop has no project-level configuration",
        },
        "claude-desktop user": {
          "connectors": "~/.config/Claude/claude_desktop_config.json mcpServers [unconfirmed]",
          "instructions": "unsupported: Claude Desktop has no instruction file on disk",
          "skills": "unsupported: Claude Desktop keeps skills in the app and claude.ai, not in files",
        },
        "cline project": {
          "connectors": "unsupported: Cline reads MCP servers only from its global settings file",
          "instructions": "./AGENTS.md (shared)",
          "skills": "./.agents/skills (shared)",
        },
        "cline user": {
          "connectors": "~/.cline/data/settings/cline_mcp_settings.json mcpServers",
          "instructions": "~/.cline/rules/skillsync.md",
          "skills": "~/.agents/skills (shared)",
        },
        "codex project": {
          "connectors": "./.codex/config.toml mcp_servers",
          "instructions": "./AGENTS.md (shared)",
          "skills": "./.agents/skills (shared) [secondary]",
        },
        "codex user": {
          "connectors": "~/.codex/config.toml mcp_servers",
          "instructions": "~/.codex/AGENTS.md",
          "skills": "~/.agents/skills (shared) [secondary]",
        },
        "continue project": {
          "connectors": "./.continue/mcpServers/skillsync.yaml mcpServers[]",
          "instructions": "./.continue/rules/skillsync.md",
          "skills": "unsupported: Continue's skills page was not verified (UNCONFIRMED); skills reach Continue through the skillsync MCP server",
        },
        "continue user": {
          "connectors": "~/.continue/config.yaml mcpServers[] [unconfirmed]",
          "instructions": "~/.continue/rules/skillsync.md",
          "skills": "unsupported: Continue's skills page was not verified (UNCONFIRMED); skills reach Continue through the skillsync MCP server",
        },
        "cursor project": {
          "connectors": "./.cursor/mcp.json mcpServers",
          "instructions": "./.cursor/rules/skillsync.mdc",
          "skills": "./.agents/skills (shared)",
        },
        "cursor user": {
          "connectors": "~/.cursor/mcp.json mcpServers",
          "instructions": "unsupported: Cursor keeps user rules in its Settings, not on disk",
          "skills": "~/.agents/skills (shared)",
        },
        "gemini-cli project": {
          "connectors": "./.gemini/settings.json mcpServers",
          "instructions": "./GEMINI.md",
          "skills": "./.agents/skills (shared)",
        },
        "gemini-cli user": {
          "connectors": "~/.gemini/settings.json mcpServers",
          "instructions": "~/.gemini/GEMINI.md",
          "skills": "~/.agents/skills (shared)",
        },
        "goose project": {
          "connectors": "./.agents/plugins/skillsync/.mcp.json mcpServers [secondary]",
          "instructions": "./AGENTS.md (shared) [secondary]",
          "skills": "./.agents/skills (shared) [secondary]",
        },
        "goose user": {
          "connectors": "~/.config/goose/config.yaml extensions",
          "instructions": "~/.config/goose/.goosehints [unconfirmed]",
          "skills": "~/.agents/skills (shared) [secondary]",
        },
        "kiro project": {
          "connectors": "./.kiro/settings/mcp.json mcpServers",
          "instructions": "./.kiro/steering/skillsync.md [secondary]",
          "skills": "./.kiro/skills [secondary]",
        },
        "kiro user": {
          "connectors": "~/.kiro/settings/mcp.json mcpServers",
          "instructions": "~/.kiro/steering/skillsync.md [secondary]",
          "skills": "~/.kiro/skills [secondary]",
        },
        "opencode project": {
          "connectors": "./opencode.json mcp",
          "instructions": "./AGENTS.md (shared)",
          "skills": "./.agents/skills (shared) [secondary]",
        },
        "opencode user": {
          "connectors": "~/.config/opencode/opencode.json mcp",
          "instructions": "~/.config/opencode/AGENTS.md",
          "skills": "~/.agents/skills (shared) [secondary]",
        },
        "vscode project": {
          "connectors": "./.vscode/mcp.json servers",
          "instructions": "./.github/copilot-instructions.md",
          "skills": "./.agents/skills (shared)",
        },
        "vscode user": {
          "connectors": "~/.config/Code/User/mcp.json servers [secondary]",
          "instructions": "~/.copilot/instructions/skillsync.instructions.md",
          "skills": "~/.agents/skills (shared)",
        },
        "windsurf project": {
          "connectors": "./.windsurf/mcp_config.json mcpServers [secondary]",
          "instructions": "./AGENTS.md (shared)",
          "skills": "./.agents/skills (shared) [secondary]",
        },
        "windsurf user": {
          "connectors": "~/.codeium/windsurf/mcp_config.json mcpServers",
          "instructions": "~/.codeium/windsurf/memories/global_rules.md [secondary]",
          "skills": "~/.agents/skills (shared) [secondary]",
        },
        "zed project": {
          "connectors": "./.zed/settings.json context_servers [secondary]",
          "instructions": "./AGENTS.md (shared)",
          "skills": "./.agents/skills (shared)",
        },
        "zed user": {
          "connectors": "~/.config/zed/settings.json context_servers",
          "instructions": "~/.config/zed/AGENTS.md",
          "skills": "~/.agents/skills (shared)",
        },
      }
    `);
  });
});
