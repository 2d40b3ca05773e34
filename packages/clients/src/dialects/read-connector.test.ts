import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { createEnv } from '@skillsync/core';
import fc from 'fast-check';
import { parse as parseJsonc } from 'jsonc-parser';
import { parse as parseToml } from 'smol-toml';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { corpusAvailable, corpusDir, corpusSkipReason } from '../../../../test/support/corpus.js';
import { clientAdapters } from '../registry.js';
import type { ConnectorDialect } from './connector-dialect.js';
import { readConnector } from './read-connector.js';

const adapterOf = (id: string) => clientAdapters.find((adapter) => adapter.id === id)!;

/**
 * Which client's dialect reads a corpus file, by its name prefix. `1mcp`, `ai-rules`
 * and `rulesync` are other tools' Claude-style files: read with Claude Code's dialect.
 */
const clientByPrefix: Readonly<Record<string, string>> = {
  'claude-code': 'claude-code',
  'claude-code-plugin': 'claude-code',
  'claude-desktop': 'claude-desktop',
  cursor: 'cursor',
  windsurf: 'windsurf',
  codex: 'codex',
  vscode: 'vscode',
  gemini: 'gemini-cli',
  'gemini-extension': 'gemini-cli',
  zed: 'zed',
  opencode: 'opencode',
  continue: 'continue',
  kiro: 'kiro',
  '1mcp': 'claude-code',
  'ai-rules': 'claude-code',
  rulesync: 'claude-code',
};

function parseFile(file: string, text: string): unknown {
  if (file.endsWith('.toml')) return parseToml(text);
  if (file.endsWith('.yml') || file.endsWith('.yaml')) return parseYaml(text) as unknown;
  return parseJsonc(text, [], { allowTrailingComma: true }) as unknown;
}

/** The server entries of a parsed file, by name, found where the client keeps them. */
function entriesOf(file: string, parsed: unknown, clientId: string): [string, unknown][] | string {
  const located = adapterOf(clientId).locations(createEnv({ home: '/h', cwd: '/p' }), 'user').connectors;
  if (located.kind !== 'supported') return 'no connectors location';
  let container: unknown = parsed;
  for (const key of located.keyPath) container = isRecord(container) ? container[key] : undefined;
  // Plugin .mcp.json files may hold the server map at the root, without `mcpServers`.
  if (container === undefined && file.startsWith('claude-code-plugin__')) container = parsed;
  if (container === undefined) return `no ${located.keyPath.join('.')}`;
  if (Array.isArray(container)) return container.map((item, index) => [isRecord(item) && typeof item.name === 'string' ? item.name : `#${index}`, item]);
  return isRecord(container) ? Object.entries(container) : `${located.keyPath.join('.')} is not a map`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

describe.skipIf(!corpusAvailable)(`real MCP configs in the corpus (skipped when ${corpusSkipReason})`, () => {
  const dir = path.join(corpusDir, 'mcp-configs');
  const files = corpusAvailable ? readdirSync(dir).sort() : [];

  it('knows the dialect of every corpus file', () => {
    const unknown = files.filter((file) => clientByPrefix[file.split('__')[0] ?? ''] === undefined);
    expect(unknown).toEqual([]);
  });

  it('reads every server entry of every file with its client dialect', () => {
    const summary: Record<string, unknown> = {};
    for (const file of files) {
      const clientId = clientByPrefix[file.split('__')[0] ?? ''] ?? 'claude-code';
      const dialect: ConnectorDialect = adapterOf(clientId).connectorDialect;
      const entries = entriesOf(file, parseFile(file, readFileSync(path.join(dir, file), 'utf8')), clientId);
      if (typeof entries === 'string') {
        summary[file] = entries;
        continue;
      }
      summary[file] = Object.fromEntries(
        entries.map(([name, value]) => {
          const read = readConnector(value, dialect);
          if (read.kind === 'not-a-connector') return [name, `not a connector: ${read.reason}`];
          const transport = read.connector.command !== undefined ? 'stdio' : (read.connector.transport ?? 'http');
          const extra = [
            read.connector.enabled === false ? 'disabled' : '',
            read.ignored.length > 0 ? `ignored ${read.ignored.join(',')}` : '',
            read.warnings.length > 0 ? `${read.warnings.length} warning(s)` : '',
          ].filter((part) => part !== '');
          return [name, [transport, ...extra].join('; ')];
        }),
      );
    }
    expect(summary).toMatchInlineSnapshot(`
      {
        "1mcp__1mcp-app-agent__1.json": {
          "filesystem": "stdio; ignored tags",
          "github": "stdio; ignored tags",
          "postgres": "stdio; ignored tags",
        },
        "ai-rules__block-ai-rules__1.json": {
          "example-server": "stdio",
        },
        "claude-code-plugin__anthropics-claude-plugins-official__1.json": {
          "context7": "http; 1 warning(s)",
        },
        "claude-code-plugin__anthropics-claude-plugins-official__2.json": {
          "github": "http",
        },
        "claude-code-plugin__anthropics-claude-plugins-official__3.json": {
          "terraform": "stdio",
        },
        "claude-code__doist-todoist-mcp__1.json": {
          "todoist": "http",
        },
        "claude-code__microsoft-apm__1.json": {
          "p-http": "http",
          "p-http-auth": "http",
          "p-sse": "sse",
          "p-stdio": "stdio",
        },
        "claude-code__modelcontextprotocol-inspector__1.json": {
          "mcp-docs": "http",
        },
        "claude-code__phatblat-dotfiles__1.json": {},
        "claude-desktop__apillon-mcp-server__1.json": {
          "apillon-mcp-server": "stdio",
          "filesystem": "stdio",
        },
        "claude-desktop__docker-mcp-gateway__1.json": {
          "something": "not a connector: the entry has neither a command nor a URL (a placeholder, or a server provided by an extension)",
        },
        "claude-desktop__intellectronica-ruler__1.json": {
          "example": "http; 1 warning(s)",
        },
        "codex__dyoshikawa-rulesync__1.toml": "no mcp_servers",
        "codex__phatblat-dotfiles__1.toml": {
          "RepoPrompt": "stdio; disabled; ignored tool_timeout_sec",
          "computer-use": "stdio; disabled",
          "node_repl": "stdio; ignored startup_timeout_sec",
          "notion": "http",
          "openaiDeveloperDocs": "http",
          "orch": "stdio",
        },
        "continue__docker-mcp-gateway__1.yml": {
          "My MCP Server": "stdio",
          "my-server": "not a connector: the entry has an empty command",
        },
        "cursor__dallay-agentsync__1.json": "no mcpServers",
        "cursor__doist-todoist-mcp__1.json": {
          "context7": "stdio",
        },
        "gemini-extension__google-gemini-gemini-cli__1.json": {
          "nodeServer": "stdio; 1 warning(s)",
        },
        "gemini__dyoshikawa-rulesync__1.json": {
          "deepwiki": "sse",
          "rulesync": "stdio",
        },
        "gemini__phatblat-dotfiles__1.json": {
          "tolaria": "stdio",
        },
        "kiro__docker-mcp-gateway__1.json": {
          "MCP_DOCKER": "stdio",
        },
        "opencode__dyoshikawa-rulesync__1.json": {
          "deepwiki": "http",
          "rulesync": "stdio",
        },
        "rulesync__dyoshikawa-rulesync__1.json": {
          "deepwiki": "http",
          "rulesync": "stdio",
        },
        "vscode__docker-mcp-gateway__1.json": {
          "Perplexity": "stdio; 1 warning(s)",
          "fetch": "stdio",
          "my-remote-server": "sse",
        },
        "vscode__github-awesome-copilot__1.json": {
          "github-agentic-workflows": "stdio; 1 warning(s)",
        },
        "vscode__microsoft-apm__1.json": {
          "github": "http",
        },
        "vscode__microsoft-vscode__1.json": {
          "vscode-playwright-mcp": "stdio; 1 warning(s)",
        },
        "windsurf__phatblat-dotfiles__1.json": {
          "filesystem": "stdio",
          "memory": "stdio",
        },
        "zed__docker-mcp-gateway__1.jsonc": {
          "MCP_DOCKER": "stdio",
          "sqlite-server": "stdio",
        },
        "zed__docker-mcp-gateway__2.jsonc": {
          "something": "not a connector: the entry has neither a command nor a URL (a placeholder, or a server provided by an extension)",
        },
      }
    `);
  });

  it('reads the details of the trickiest entries', () => {
    const codex = parseToml(readFileSync(path.join(dir, 'codex__phatblat-dotfiles__1.toml'), 'utf8')) as { mcp_servers: Record<string, unknown> };
    const nodeRepl = readConnector(codex.mcp_servers.node_repl, adapterOf('codex').connectorDialect);
    expect(nodeRepl).toMatchObject({ kind: 'connector', connector: { command: '/Applications/ChatGPT.app/Contents/Resources/cua_node/bin/node_repl', args: [] }, ignored: ['startup_timeout_sec'] });
    const opencode = parseJsonc(readFileSync(path.join(dir, 'opencode__dyoshikawa-rulesync__1.json'), 'utf8')) as { mcp: Record<string, unknown> };
    expect(readConnector(opencode.mcp.rulesync, adapterOf('opencode').connectorDialect)).toMatchObject({
      kind: 'connector',
      connector: { command: 'pnpm', args: ['dev', 'mcp'] },
    });
  });
});

describe('tolerant reading of every variant', () => {
  const read = (id: string, value: unknown) => readConnector(value, adapterOf(id).connectorDialect);

  it.each([
    ['windsurf', { serverUrl: 'https://a.dev/mcp' }, { url: 'https://a.dev/mcp' }],
    ['gemini-cli', { httpUrl: 'https://a.dev/mcp' }, { url: 'https://a.dev/mcp' }],
    ['gemini-cli', { url: 'https://a.dev/sse', type: 'sse' }, { url: 'https://a.dev/sse', transport: 'sse' }],
    ['cline', { url: 'https://a.dev/sse' }, { url: 'https://a.dev/sse', transport: 'sse' }],
    ['cline', { type: 'streamableHttp', url: 'https://a.dev/mcp', disabled: true }, { url: 'https://a.dev/mcp', enabled: false }],
    ['cline', { transport: { type: 'streamableHttp', url: 'https://a.dev/mcp' }, disabled: false }, { url: 'https://a.dev/mcp' }],
    ['zed', { command: { path: 'node', args: ['s.js'], env: { A: '1' } } }, { command: 'node', args: ['s.js'], env: { A: '1' } }],
    ['zed', { source: 'custom', command: 'node', args: ['s.js'], enabled: false }, { command: 'node', args: ['s.js'], enabled: false }],
    ['opencode', { type: 'local', command: ['npx', '-y', 'x'], environment: { A: '1' } }, { command: 'npx', args: ['-y', 'x'], env: { A: '1' } }],
    ['goose', { type: 'stdio', name: 'fs', cmd: 'npx', args: ['x'], envs: {}, enabled: true, available_tools: [] }, { command: 'npx', args: ['x'] }],
    ['goose', { type: 'streamable_http', name: 'r', uri: 'https://a.dev/mcp', enabled: false }, { url: 'https://a.dev/mcp', enabled: false }],
    ['codex', { url: 'https://a.dev/mcp', bearer_token_env_var: 'TOK', env_http_headers: { 'X-Org': 'ORG' } }, { url: 'https://a.dev/mcp', headers: { Authorization: 'Bearer ${env:TOK}', 'X-Org': '${env:ORG}' } }],
    ['codex', { command: 'x', env_vars: ['A', { name: 'B', source: 'local' }] }, { command: 'x', env: { A: '${env:A}', B: '${env:B}' } }],
    ['continue', { name: 'Remote', type: 'streamable-http', url: 'https://a.dev/mcp' }, { url: 'https://a.dev/mcp' }],
    ['kiro', { command: 'x', args: ['a', 1], env: { PORT: 3000 } }, { command: 'x', args: ['a', '1'], env: { PORT: '3000' } }],
  ])('%s reads %j', (id, value, expected) => {
    const result = read(id, value);
    expect(result.kind === 'connector' && result.connector).toEqual(expected);
  });

  it.each([
    ['goose', { type: 'builtin', name: 'developer', enabled: true }],
    ['zed', { enabled: true, settings: {} }],
    ['claude-desktop', {}],
    ['continue', { name: 'x', command: '' }],
    ['claude-code', 'not an object'],
    ['gemini-cli', { tcp: 'localhost:9000', type: 'ws' }],
  ])('%s says what is not a connector: %j', (id, value) => {
    const result = read(id, value);
    expect(result.kind).toBe('not-a-connector');
    expect(result.kind === 'not-a-connector' && result.reason.length).toBeGreaterThan(10);
  });

  it('warns where Claude Code itself would refuse the entry', () => {
    const result = read('claude-code', { url: 'https://a.dev/mcp' });
    expect(result.kind === 'connector' && result.warnings).toEqual([expect.stringContaining('without `type`')]);
  });

  it.each(clientAdapters.map((adapter) => [adapter.id, adapter.connectorDialect] as const))('%s ends every input in a result (property)', (_id, dialect) => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const result = readConnector(value, dialect);
        expect(['connector', 'not-a-connector']).toContain(result.kind);
      }),
      { numRuns: 300 },
    );
    fc.assert(
      fc.property(
        fc.record({ type: fc.string(), command: fc.jsonValue(), args: fc.jsonValue(), env: fc.jsonValue(), url: fc.jsonValue(), headers: fc.jsonValue(), enabled: fc.jsonValue() }, { requiredKeys: [] }),
        (value) => {
          const result = readConnector(value, dialect);
          if (result.kind === 'connector') expect((result.connector.command ?? result.connector.url ?? '').length).toBeGreaterThan(0);
        },
      ),
      { numRuns: 300 },
    );
  });
});
