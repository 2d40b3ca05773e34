import type { ConnectorDefinition } from '@skillsync/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { clientAdapters } from '../registry.js';
import type { ConnectorDialect, RenderResult } from './connector-dialect.js';
import { readConnector } from './read-connector.js';
import { renderConnector } from './render-connector.js';

const dialects = clientAdapters.map((adapter) => [adapter.id, adapter.connectorDialect] as const);
const dialectOf = (id: string): ConnectorDialect => clientAdapters.find((adapter) => adapter.id === id)!.connectorDialect;

/** What a read-back must equal: the connector minus what the render said it could not carry. */
function expectedAfterRoundTrip(connector: ConnectorDefinition, result: Extract<RenderResult, { kind: 'rendered' }>, dialect: ConnectorDialect): ConnectorDefinition {
  const dropped = new Set<string>(result.notes.map((note) => note.field));
  // Defaults and empties carry no meaning: `transport: http`, `enabled: true`, `{}` maps, and `args: []` folded into opencode's command array.
  if (connector.transport === 'http') dropped.add('transport');
  if (connector.enabled === true) dropped.add('enabled');
  for (const key of ['env', 'headers'] as const) if (connector[key] !== undefined && Object.keys(connector[key]).length === 0) dropped.add(key);
  if (dialect.shape.commandShape === 'array' && connector.args?.length === 0) dropped.add('args');
  return Object.fromEntries(Object.entries(connector).filter(([key]) => !dropped.has(key)));
}

const samples: Record<string, ConnectorDefinition> = {
  stdio: { command: 'npx', args: ['-y', '@scope/server', '--port', '3000'], env: { LOG_LEVEL: 'info' } },
  'stdio with env reference': { command: 'npx', args: ['-y', 'server'], env: { TOKEN: '${env:TOKEN}' } },
  'stdio with cwd and tools': { command: 'node', args: ['server.js'], cwd: '/srv/mcp', tools: ['search', 'fetch'] },
  'stdio disabled': { command: 'server', enabled: false },
  http: { url: 'https://mcp.example.com/mcp', headers: { 'X-Client': 'skillsync' } },
  'http with bearer': { url: 'https://mcp.example.com/mcp', headers: { Authorization: 'Bearer ${env:API_TOKEN}' } },
  sse: { url: 'https://mcp.example.com/sse', transport: 'sse', description: 'old server' },
};

describe.each(dialects)('dialect %s', (_id, dialect) => {
  it.each(Object.entries(samples))('reads back what it renders: %s', (_name, connector) => {
    const result = renderConnector(connector, dialect, 'sample');
    if (result.kind !== 'rendered') {
      expect(result.reason.length).toBeGreaterThan(10);
      return;
    }
    const read = readConnector(structuredClone(result.value), dialect);
    expect(read.kind).toBe('connector');
    if (read.kind === 'connector') expect(read.connector).toEqual(expectedAfterRoundTrip(connector, result, dialect));
  });

  it('round-trips any connector it can render (property)', () => {
    fc.assert(
      fc.property(arbitraryConnector, (connector) => {
        const result = renderConnector(connector, dialect, 'prop');
        if (result.kind !== 'rendered') return;
        const read = readConnector(structuredClone(result.value), dialect);
        expect(read.kind === 'connector' && read.connector).toEqual(expectedAfterRoundTrip(connector, result, dialect));
      }),
      { numRuns: 200 },
    );
  });

  it('never writes a secret reference into a client file', () => {
    fc.assert(
      fc.property(arbitraryConnector, fc.constantFrom('env', 'headers', 'args', 'url'), (connector, where) => {
        const withSecret: ConnectorDefinition =
          connector.command !== undefined
            ? where === 'args'
              ? { ...connector, args: [...(connector.args ?? []), '--key=${secret:API_KEY}'] }
              : { ...connector, env: { ...connector.env, KEY: '${secret:API_KEY}' } }
            : where === 'url'
              ? { ...connector, url: 'https://mcp.example.com/mcp?key=${secret:API_KEY}' }
              : { ...connector, headers: { ...connector.headers, Authorization: 'Bearer ${secret:API_KEY}' } };
        const result = renderConnector(withSecret, dialect, 'secret');
        expect(result.kind).not.toBe('rendered');
        expect(JSON.stringify(result)).not.toMatch(/"value"/);
      }),
      { numRuns: 100 },
    );
  });
});

const name = fc.stringMatching(/^[A-Z][A-Z0-9_]{0,8}$/);
const text = fc.stringMatching(/^[a-z0-9 ./:=-]{0,12}$/);
const valueWithEnv = fc.oneof(text, name.map((n) => `\${env:${n}}`), fc.tuple(text, name).map(([t, n]) => `${t}\${env:${n}}`));
const arbitraryConnector: fc.Arbitrary<ConnectorDefinition> = fc.oneof(
  fc.record(
    {
      command: fc.stringMatching(/^[a-z][a-z0-9-]{0,8}$/),
      args: fc.array(valueWithEnv, { maxLength: 3 }),
      env: fc.dictionary(name, valueWithEnv, { maxKeys: 3 }),
      cwd: fc.constant('/srv'),
      tools: fc.array(fc.stringMatching(/^[a-z_]{1,8}$/), { minLength: 1, maxLength: 2 }),
      enabled: fc.boolean(),
    },
    { requiredKeys: ['command'] },
  ),
  fc.record(
    {
      url: fc.constantFrom('https://mcp.example.com/mcp', 'http://localhost:8080/mcp'),
      transport: fc.constantFrom('http' as const, 'sse' as const),
      headers: fc.dictionary(fc.constantFrom('Authorization', 'X-Api-Key', 'X-Client'), valueWithEnv, { maxKeys: 2 }),
      tools: fc.array(fc.stringMatching(/^[a-z_]{1,8}$/), { minLength: 1, maxLength: 2 }),
    },
    { requiredKeys: ['url'] },
  ),
);

describe('env references', () => {
  const connector: ConnectorDefinition = {
    command: 'npx',
    args: ['--token', '${env:TOKEN}'],
    env: { TOKEN: '${env:TOKEN}', URL: 'https://${env:HOST}/api' },
  };
  const rendered = (id: string) => {
    const result = renderConnector(connector, dialectOf(id), 'x');
    return result.kind === 'rendered' ? { args: result.value.args ?? result.value.command, env: result.value.env ?? result.value.environment } : result.kind;
  };

  it("become each client's own syntax where it expands them", () => {
    expect(rendered('claude-code')).toEqual({ args: ['--token', '${TOKEN}'], env: { TOKEN: '${TOKEN}', URL: 'https://${HOST}/api' } });
    expect(rendered('gemini-cli')).toEqual({ args: ['--token', '${TOKEN}'], env: { TOKEN: '${TOKEN}', URL: 'https://${HOST}/api' } });
    expect(rendered('cursor')).toEqual({ args: ['--token', '${env:TOKEN}'], env: { TOKEN: '${env:TOKEN}', URL: 'https://${env:HOST}/api' } });
    expect(rendered('windsurf')).toEqual(rendered('cursor'));
    expect(rendered('vscode')).toEqual(rendered('cursor'));
    expect(rendered('opencode')).toEqual({ args: ['npx', '--token', '{env:TOKEN}'], env: { TOKEN: '{env:TOKEN}', URL: 'https://{env:HOST}/api' } });
  });

  it('need the gateway where the client does not expand them in that field', () => {
    for (const id of ['claude-desktop', 'zed', 'cline', 'goose', 'continue', 'amp']) expect(rendered(id), id).toBe('needs-gateway');
    // Kiro expands env and headers only; Codex passes variables by name only.
    expect(rendered('kiro')).toBe('needs-gateway');
    expect(rendered('codex')).toBe('needs-gateway');
    const kiro = renderConnector({ command: 'npx', env: { TOKEN: '${env:TOKEN}' } }, dialectOf('kiro'), 'x');
    expect(kiro.kind === 'rendered' && kiro.value.env).toEqual({ TOKEN: '${TOKEN}' });
  });

  it('bind by name in Codex where Codex has a field for it', () => {
    const stdio = renderConnector({ command: 'npx', env: { TOKEN: '${env:TOKEN}', LOG: 'debug' } }, dialectOf('codex'), 'x');
    expect(stdio.kind === 'rendered' && stdio.value).toEqual({ command: 'npx', env: { LOG: 'debug' }, env_vars: ['TOKEN'] });
    const remote = renderConnector(
      { url: 'https://x.dev/mcp', headers: { Authorization: 'Bearer ${env:API}', 'X-Org': '${env:ORG}', 'X-Client': 'skillsync' } },
      dialectOf('codex'),
      'x',
    );
    expect(remote.kind === 'rendered' && remote.value).toEqual({
      url: 'https://x.dev/mcp',
      bearer_token_env_var: 'API',
      http_headers: { 'X-Client': 'skillsync' },
      env_http_headers: { 'X-Org': 'ORG' },
    });
    const renamed = renderConnector({ command: 'npx', env: { GITHUB_TOKEN: '${env:TOKEN}' } }, dialectOf('codex'), 'x');
    expect(renamed).toMatchObject({ kind: 'needs-gateway', reason: expect.stringContaining('by name') as unknown });
  });

  it('refuse a literal the client would expand itself', () => {
    expect(renderConnector({ command: 'echo', args: ['$HOME'] }, dialectOf('gemini-cli'), 'x').kind).toBe('needs-gateway');
    expect(renderConnector({ command: 'echo', args: ['$HOME'] }, dialectOf('claude-code'), 'x').kind).toBe('rendered');
    expect(renderConnector({ command: 'echo', args: ['{env:X}'] }, dialectOf('opencode'), 'x').kind).toBe('needs-gateway');
  });

  it('read back into manifest syntax, keeping client-only variables with a warning', () => {
    const claude = readConnector({ type: 'http', url: 'https://x.dev', headers: { Authorization: 'Bearer ${KEY:-}' } }, dialectOf('claude-code'));
    expect(claude).toMatchObject({ kind: 'connector', connector: { url: 'https://x.dev', headers: { Authorization: 'Bearer ${env:KEY}' } } });
    expect(claude.kind === 'connector' && claude.warnings).toEqual([expect.stringContaining('default')]);
    const gemini = readConnector({ command: 'x', env: { A: '$TOKEN', B: '${OTHER}' } }, dialectOf('gemini-cli'));
    expect(gemini.kind === 'connector' && gemini.connector.env).toEqual({ A: '${env:TOKEN}', B: '${env:OTHER}' });
    const vscode = readConnector({ type: 'stdio', command: 'x', env: { K: '${input:key}' }, cwd: '${workspaceFolder}' }, dialectOf('vscode'));
    expect(vscode.kind === 'connector' && vscode.connector).toEqual({ command: 'x', env: { K: '${input:key}' }, cwd: '${workspaceFolder}' });
    expect(vscode.kind === 'connector' && vscode.warnings.length).toBe(2);
    const opencode = readConnector({ type: 'local', command: ['x'], environment: { K: '{env:K}' } }, dialectOf('opencode'));
    expect(opencode.kind === 'connector' && opencode.connector.env).toEqual({ K: '${env:K}' });
    // Cline expands nothing: a `${X}` there is literal text.
    const cline = readConnector({ command: 'x', env: { K: '${K}' } }, dialectOf('cline'));
    expect(cline.kind === 'connector' && cline.connector.env).toEqual({ K: '${K}' });
  });
});

describe('secrets', () => {
  it.each(dialects)('need the gateway in %s, and the reason names no value', (_id, dialect) => {
    const result = renderConnector({ command: 'vault-mcp', env: { VAULT_TOKEN: '${secret:VAULT}' } }, dialect, 'vault');
    expect(result.kind).toBe('needs-gateway');
    expect(result.kind !== 'rendered' && result.reason).toContain('env.VAULT_TOKEN');
  });
});

describe('tool allow-lists', () => {
  it("map to the client's own field, or are reported as gateway-only", () => {
    const connector: ConnectorDefinition = { command: 'x', tools: ['search'] };
    const fields = Object.fromEntries(
      dialects.map(([id, dialect]) => {
        const result = renderConnector(connector, dialect, 'x');
        if (result.kind !== 'rendered') return [id, result.kind];
        const note = result.notes.find((n) => n.field === 'tools');
        return [id, note === undefined ? Object.keys(result.value).find((key) => JSON.stringify(result.value[key]) === '["search"]') : 'gateway-only'];
      }),
    );
    expect(fields).toEqual({
      'claude-code': 'gateway-only',
      'claude-desktop': 'gateway-only',
      cursor: 'gateway-only',
      windsurf: 'gateway-only',
      codex: 'enabled_tools',
      vscode: 'gateway-only',
      'gemini-cli': 'includeTools',
      zed: 'gateway-only',
      cline: 'gateway-only',
      opencode: 'gateway-only',
      goose: 'available_tools',
      kiro: 'gateway-only',
      continue: 'gateway-only',
      amp: 'gateway-only',
    });
  });
});

describe('golden: one desired set in every client', () => {
  const desired: Record<string, ConnectorDefinition> = {
    github: { command: 'npx', args: ['-y', '@modelcontextprotocol/server-github'], env: { TOKEN: '${env:TOKEN}', LOG_LEVEL: 'info' } },
    docs: { url: 'https://mcp.example.com/mcp', headers: { 'X-Client': 'skillsync' }, tools: ['search'] },
    vault: { command: 'vault-mcp', env: { VAULT_TOKEN: '${secret:X}' } },
  };
  const render = (dialect: ConnectorDialect) =>
    Object.fromEntries(
      Object.entries(desired).map(([name, connector]) => {
        const result = renderConnector(connector, dialect, name);
        return [name, result.kind === 'rendered' ? (result.notes.length > 0 ? { value: result.value, notes: result.notes.map((n) => n.field) } : result.value) : result];
      }),
    );
  const golden = Object.fromEntries(dialects.map(([id, dialect]) => [id, render(dialect)]));

  it('renders as pinned', () => {
    expect(golden).toMatchInlineSnapshot(`
      {
        "amp": {
          "docs": {
            "notes": [
              "tools",
            ],
            "value": {
              "headers": {
                "X-Client": "skillsync",
              },
              "url": "https://mcp.example.com/mcp",
            },
          },
          "github": {
            "kind": "needs-gateway",
            "reason": "\`github\` uses \${env:…} in env.TOKEN but Amp environment references are UNCONFIRMED; the gateway reads the environment at run time",
          },
          "vault": {
            "kind": "needs-gateway",
            "reason": "\`vault\` uses a \${secret:…} reference in env.VAULT_TOKEN: secrets stay in skillsync's store and reach Amp only through the runtime gateway",
          },
        },
        "claude-code": {
          "docs": {
            "notes": [
              "tools",
            ],
            "value": {
              "headers": {
                "X-Client": "skillsync",
              },
              "type": "http",
              "url": "https://mcp.example.com/mcp",
            },
          },
          "github": {
            "args": [
              "-y",
              "@modelcontextprotocol/server-github",
            ],
            "command": "npx",
            "env": {
              "LOG_LEVEL": "info",
              "TOKEN": "\${TOKEN}",
            },
            "type": "stdio",
          },
          "vault": {
            "kind": "needs-gateway",
            "reason": "\`vault\` uses a \${secret:…} reference in env.VAULT_TOKEN: secrets stay in skillsync's store and reach Claude Code only through the runtime gateway",
          },
        },
        "claude-desktop": {
          "docs": {
            "kind": "needs-gateway",
            "reason": "Claude Desktop cannot reach Streamable HTTP servers from its config; the gateway can bridge \`docs\`",
          },
          "github": {
            "kind": "needs-gateway",
            "reason": "\`github\` uses \${env:…} in env.TOKEN but Claude Desktop expands no variables (its troubleshooting shows \${APPDATA} arriving literally); the gateway reads the environment at run time",
          },
          "vault": {
            "kind": "needs-gateway",
            "reason": "\`vault\` uses a \${secret:…} reference in env.VAULT_TOKEN: secrets stay in skillsync's store and reach Claude Desktop only through the runtime gateway",
          },
        },
        "cline": {
          "docs": {
            "notes": [
              "tools",
            ],
            "value": {
              "headers": {
                "X-Client": "skillsync",
              },
              "type": "streamableHttp",
              "url": "https://mcp.example.com/mcp",
            },
          },
          "github": {
            "kind": "needs-gateway",
            "reason": "\`github\` uses \${env:…} in env.TOKEN but Cline expands no variables in its MCP settings; the gateway reads the environment at run time",
          },
          "vault": {
            "kind": "needs-gateway",
            "reason": "\`vault\` uses a \${secret:…} reference in env.VAULT_TOKEN: secrets stay in skillsync's store and reach Cline only through the runtime gateway",
          },
        },
        "codex": {
          "docs": {
            "enabled_tools": [
              "search",
            ],
            "http_headers": {
              "X-Client": "skillsync",
            },
            "url": "https://mcp.example.com/mcp",
          },
          "github": {
            "args": [
              "-y",
              "@modelcontextprotocol/server-github",
            ],
            "command": "npx",
            "env": {
              "LOG_LEVEL": "info",
            },
            "env_vars": [
              "TOKEN",
            ],
          },
          "vault": {
            "kind": "needs-gateway",
            "reason": "\`vault\` uses a \${secret:…} reference in env.VAULT_TOKEN: secrets stay in skillsync's store and reach Codex only through the runtime gateway",
          },
        },
        "continue": {
          "docs": {
            "kind": "needs-gateway",
            "reason": "Continue has no headers field for remote servers; the gateway can add the headers of \`docs\`",
          },
          "github": {
            "kind": "needs-gateway",
            "reason": "\`github\` uses \${env:…} in env.TOKEN but Continue resolves \`\${{ secrets.NAME }}\` from its own secret store, not from the environment; the gateway reads the environment at run time",
          },
          "vault": {
            "kind": "needs-gateway",
            "reason": "\`vault\` uses a \${secret:…} reference in env.VAULT_TOKEN: secrets stay in skillsync's store and reach Continue only through the runtime gateway",
          },
        },
        "cursor": {
          "docs": {
            "notes": [
              "tools",
            ],
            "value": {
              "headers": {
                "X-Client": "skillsync",
              },
              "url": "https://mcp.example.com/mcp",
            },
          },
          "github": {
            "args": [
              "-y",
              "@modelcontextprotocol/server-github",
            ],
            "command": "npx",
            "env": {
              "LOG_LEVEL": "info",
              "TOKEN": "\${env:TOKEN}",
            },
            "type": "stdio",
          },
          "vault": {
            "kind": "needs-gateway",
            "reason": "\`vault\` uses a \${secret:…} reference in env.VAULT_TOKEN: secrets stay in skillsync's store and reach Cursor only through the runtime gateway",
          },
        },
        "gemini-cli": {
          "docs": {
            "headers": {
              "X-Client": "skillsync",
            },
            "includeTools": [
              "search",
            ],
            "type": "http",
            "url": "https://mcp.example.com/mcp",
          },
          "github": {
            "args": [
              "-y",
              "@modelcontextprotocol/server-github",
            ],
            "command": "npx",
            "env": {
              "LOG_LEVEL": "info",
              "TOKEN": "\${TOKEN}",
            },
          },
          "vault": {
            "kind": "needs-gateway",
            "reason": "\`vault\` uses a \${secret:…} reference in env.VAULT_TOKEN: secrets stay in skillsync's store and reach Gemini CLI only through the runtime gateway",
          },
        },
        "goose": {
          "docs": {
            "available_tools": [
              "search",
            ],
            "enabled": true,
            "env_keys": [],
            "envs": {},
            "headers": {
              "X-Client": "skillsync",
            },
            "name": "docs",
            "timeout": 300,
            "type": "streamable_http",
            "uri": "https://mcp.example.com/mcp",
          },
          "github": {
            "kind": "needs-gateway",
            "reason": "\`github\` uses \${env:…} in env.TOKEN but Goose takes \`envs\` literally (\`env_keys\` name values in its own keyring, not the environment); the gateway reads the environment at run time",
          },
          "vault": {
            "kind": "needs-gateway",
            "reason": "\`vault\` uses a \${secret:…} reference in env.VAULT_TOKEN: secrets stay in skillsync's store and reach Goose only through the runtime gateway",
          },
        },
        "kiro": {
          "docs": {
            "notes": [
              "tools",
            ],
            "value": {
              "headers": {
                "X-Client": "skillsync",
              },
              "url": "https://mcp.example.com/mcp",
            },
          },
          "github": {
            "args": [
              "-y",
              "@modelcontextprotocol/server-github",
            ],
            "command": "npx",
            "env": {
              "LOG_LEVEL": "info",
              "TOKEN": "\${TOKEN}",
            },
          },
          "vault": {
            "kind": "needs-gateway",
            "reason": "\`vault\` uses a \${secret:…} reference in env.VAULT_TOKEN: secrets stay in skillsync's store and reach Kiro only through the runtime gateway",
          },
        },
        "opencode": {
          "docs": {
            "notes": [
              "tools",
            ],
            "value": {
              "headers": {
                "X-Client": "skillsync",
              },
              "type": "remote",
              "url": "https://mcp.example.com/mcp",
            },
          },
          "github": {
            "command": [
              "npx",
              "-y",
              "@modelcontextprotocol/server-github",
            ],
            "environment": {
              "LOG_LEVEL": "info",
              "TOKEN": "{env:TOKEN}",
            },
            "type": "local",
          },
          "vault": {
            "kind": "needs-gateway",
            "reason": "\`vault\` uses a \${secret:…} reference in env.VAULT_TOKEN: secrets stay in skillsync's store and reach opencode only through the runtime gateway",
          },
        },
        "vscode": {
          "docs": {
            "notes": [
              "tools",
            ],
            "value": {
              "headers": {
                "X-Client": "skillsync",
              },
              "type": "http",
              "url": "https://mcp.example.com/mcp",
            },
          },
          "github": {
            "args": [
              "-y",
              "@modelcontextprotocol/server-github",
            ],
            "command": "npx",
            "env": {
              "LOG_LEVEL": "info",
              "TOKEN": "\${env:TOKEN}",
            },
            "type": "stdio",
          },
          "vault": {
            "kind": "needs-gateway",
            "reason": "\`vault\` uses a \${secret:…} reference in env.VAULT_TOKEN: secrets stay in skillsync's store and reach VS Code only through the runtime gateway",
          },
        },
        "windsurf": {
          "docs": {
            "notes": [
              "tools",
            ],
            "value": {
              "headers": {
                "X-Client": "skillsync",
              },
              "serverUrl": "https://mcp.example.com/mcp",
            },
          },
          "github": {
            "args": [
              "-y",
              "@modelcontextprotocol/server-github",
            ],
            "command": "npx",
            "env": {
              "LOG_LEVEL": "info",
              "TOKEN": "\${env:TOKEN}",
            },
          },
          "vault": {
            "kind": "needs-gateway",
            "reason": "\`vault\` uses a \${secret:…} reference in env.VAULT_TOKEN: secrets stay in skillsync's store and reach Windsurf only through the runtime gateway",
          },
        },
        "zed": {
          "docs": {
            "notes": [
              "tools",
            ],
            "value": {
              "headers": {
                "X-Client": "skillsync",
              },
              "url": "https://mcp.example.com/mcp",
            },
          },
          "github": {
            "kind": "needs-gateway",
            "reason": "\`github\` uses \${env:…} in env.TOKEN but Zed reads env and headers as written (no interpolation documented); the gateway reads the environment at run time",
          },
          "vault": {
            "kind": "needs-gateway",
            "reason": "\`vault\` uses a \${secret:…} reference in env.VAULT_TOKEN: secrets stay in skillsync's store and reach Zed only through the runtime gateway",
          },
        },
      }
    `);
  });
});
