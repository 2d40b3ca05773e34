import { clientAdapters, type ClientAdapter } from '@skillsync/clients';
import { createEnv, type EffectiveManifest } from '@skillsync/core';
import { describe, expect, it } from 'vitest';
import { createDesiredState, listInstructionFiles } from './create-desired-state.js';
import { hashValue } from './hash-value.js';
import { emptyJournal } from './journal.js';
import { loadConnectorCodecs } from './connector-codecs.js';
import { planSync } from './plan-sync.js';

function adapter(id: string): ClientAdapter {
  const found = clientAdapters.find((candidate) => candidate.id === id);
  if (found === undefined) throw new Error(`no adapter ${id}`);
  return found;
}
const [claudeCode, codex, opencode, vscode, zed, cursor, kiro, continueDev] = ['claude-code', 'codex', 'opencode', 'vscode', 'zed', 'cursor', 'kiro', 'continue'].map(adapter) as [
  ClientAdapter,
  ClientAdapter,
  ClientAdapter,
  ClientAdapter,
  ClientAdapter,
  ClientAdapter,
  ClientAdapter,
  ClientAdapter,
];
const goose = adapter('goose');

const env = createEnv({ home: '/home/ada', cwd: '/src/app' });
const connectorCodecs = await loadConnectorCodecs();
const source = { scope: 'project', file: '/src/app/skillsync.yaml' } as const;

const manifest: EffectiveManifest = {
  skills: [],
  connectors: [
    { name: 'docs', connector: { command: 'npx', args: ['-y', '@acme/docs-mcp'], env: { API_KEY: '${env:ACME_KEY}' } }, source },
    { name: 'lint', connector: { command: 'lint-mcp', args: ['--stdio'], cwd: '/src/app' }, source },
    { name: 'search', connector: { url: 'https://mcp.example.com/mcp', headers: { Authorization: 'Bearer ${env:SEARCH_TOKEN}' } }, source },
  ],
  instructions: [
    { instruction: { name: 'style', text: 'Prefer small pure functions.\nName functions with verbs.' }, source },
    { instruction: { file: 'docs/testing.md' }, source },
    { instruction: { name: 'API handlers', text: 'Validate every request body.', scope: 'src/api/**/*.{ts,tsx}' }, source },
  ],
  registry: undefined,
  clients: undefined,
  gateway: { mode: 'direct' },
  trust: { keys: [], requireSignatures: false },
};

const texts = new Map([['/src/app/docs/testing.md', 'Tests live beside the code.\n']]);
const desired = createDesiredState(manifest, [{ name: 'review', version: '1.2.0', integrity: 'sha512-review', dir: '/data/store/review' }], texts);

describe('createDesiredState', () => {
  it('lists the instruction files to read and names every instruction', () => {
    expect(listInstructionFiles(manifest)).toEqual(['/src/app/docs/testing.md']);
    expect(desired.instructions).toEqual([
      { id: 'style', content: 'Prefer small pure functions.\nName functions with verbs.' },
      { id: 'testing', content: 'Tests live beside the code.\n' },
      { id: 'API handlers', content: 'Validate every request body.', scope: 'src/api/**/*.{ts,tsx}' },
    ]);
    expect(desired.skills).toEqual([{ name: 'review', version: '1.2.0', integrity: 'sha512-review', storeDir: '/data/store/review' }]);
    expect(() => createDesiredState(manifest, [], new Map())).toThrow(/testing\.md/);
  });

  it('hashValue ignores key order', () => {
    expect(hashValue({ a: 1, b: [{ c: 2, d: 3 }] })).toBe(hashValue({ b: [{ d: 3, c: 2 }], a: 1 }));
    expect(hashValue({ a: 1 })).not.toBe(hashValue({ a: 2 }));
  });
});

describe('a file several clients read', () => {
  it('Codex, opencode and Zed get one edit of the project AGENTS.md', () => {
    const plan = planSync({ env, scope: 'project', clients: [codex, opencode, zed], desired, files: new Map(), skillDirs: new Map(), journal: emptyJournal, connectorCodecs });
    const agents = plan.files.filter((file) => file.path === '/src/app/AGENTS.md');
    expect(agents).toHaveLength(1);
    expect(agents[0]?.clients).toEqual(['codex', 'opencode', 'zed']);
    expect(plan.items.filter((item) => item.kind === 'instructions').map((item) => [item.client, item.status])).toEqual([
      ['codex', 'missing'],
      ['opencode', 'missing'],
      ['zed', 'missing'],
    ]);
    // The shared .agents/skills folder is written once too.
    expect(plan.skills).toEqual([
      { dir: '/src/app/.agents/skills/review', name: 'review', action: 'write', integrity: 'sha512-review', storeDir: '/data/store/review', clients: ['codex', 'opencode', 'zed'] },
    ]);
  });

  it('every adapter together: no path is edited twice and the result is a fixed point', () => {
    for (const scope of ['user', 'project'] as const) {
      const plan = planSync({ env, scope, clients: clientAdapters, desired, files: new Map(), skillDirs: new Map(), journal: emptyJournal, connectorCodecs });
      expect(plan.problems).toEqual([]);
      expect(new Set(plan.files.map((file) => file.path)).size).toBe(plan.files.length);
      expect(new Set(plan.skills.map((skill) => skill.dir)).size).toBe(plan.skills.length);
      const files = new Map(plan.files.map((file) => [file.path, file.after]));
      const skillDirs = new Map(plan.skills.map((skill) => [skill.dir, { integrity: skill.integrity ?? '' }]));
      const again = planSync({ env, scope, clients: clientAdapters, desired, files, skillDirs, journal: plan.journal, connectorCodecs });
      expect(again.files).toEqual([]);
      expect(again.skills).toEqual([]);
    }
  });

  it('a skill folder another client also reads is reported as a collision', () => {
    const skillDirs = new Map([['/src/app/.claude/skills/review', { integrity: 'sha512-other' }]]);
    const plan = planSync({ env, scope: 'project', clients: [opencode], desired, files: new Map(), skillDirs, journal: emptyJournal, connectorCodecs });
    expect(plan.warnings).toEqual([expect.objectContaining({ client: 'opencode', code: 'SKILL_NAME_COLLISION', name: 'review' })]);
  });

  it('the same skill, byte for byte, in a folder another client also reads is no collision', () => {
    const integrity = desired.skills.find((skill) => skill.name === 'review')?.integrity ?? '';
    const skillDirs = new Map([['/src/app/.claude/skills/review', { integrity }]]);
    const plan = planSync({ env, scope: 'project', clients: [opencode], desired, files: new Map(), skillDirs, journal: emptyJournal, connectorCodecs });
    expect(integrity).not.toBe('');
    expect(plan.warnings).toEqual([]);
  });
});

describe('golden: whole rendered files', () => {
  const plan = planSync({ env, scope: 'project', clients: [claudeCode, codex, vscode, zed, cursor, kiro, continueDev], desired, files: new Map(), skillDirs: new Map(), journal: emptyJournal, connectorCodecs });
  const after = (path: string) => plan.files.find((file) => file.path === path)?.after;

  it('Claude Code .mcp.json', () => {
    expect(after('/src/app/.mcp.json')).toMatchInlineSnapshot(`
      "{
        "mcpServers": {
          "docs": {
            "type": "stdio",
            "command": "npx",
            "args": [
              "-y",
              "@acme/docs-mcp"
            ],
            "env": {
              "API_KEY": "\${ACME_KEY}"
            }
          },
          "search": {
            "type": "http",
            "url": "https://mcp.example.com/mcp",
            "headers": {
              "Authorization": "Bearer \${SEARCH_TOKEN}"
            }
          }
        }
      }
      "
    `);
  });

  it('Codex .codex/config.toml', () => {
    expect(after('/src/app/.codex/config.toml')).toMatchInlineSnapshot(`
      "[mcp_servers.lint]
      command = "lint-mcp"
      args = [ "--stdio" ]
      cwd = "/src/app"

      [mcp_servers.search]
      url = "https://mcp.example.com/mcp"
      bearer_token_env_var = "SEARCH_TOKEN"
      "
    `);
  });

  it('VS Code .vscode/mcp.json', () => {
    expect(after('/src/app/.vscode/mcp.json')).toMatchInlineSnapshot(`
      "{
        "servers": {
          "docs": {
            "type": "stdio",
            "command": "npx",
            "args": [
              "-y",
              "@acme/docs-mcp"
            ],
            "env": {
              "API_KEY": "\${env:ACME_KEY}"
            }
          },
          "lint": {
            "type": "stdio",
            "command": "lint-mcp",
            "args": [
              "--stdio"
            ],
            "cwd": "/src/app"
          },
          "search": {
            "type": "http",
            "url": "https://mcp.example.com/mcp",
            "headers": {
              "Authorization": "Bearer \${env:SEARCH_TOKEN}"
            }
          }
        }
      }
      "
    `);
  });

  it('the project AGENTS.md', () => {
    expect(after('/src/app/AGENTS.md')).toMatchInlineSnapshot(`
      "<!-- skillsync:begin instructions sha256=7aeb8e39ce52 -->
      ## style

      Prefer small pure functions.
      Name functions with verbs.

      ## testing

      Tests live beside the code.

      ## API handlers

      Applies to files matching \`src/api/**/*.{ts,tsx}\`.

      Validate every request body.
      <!-- skillsync:end instructions -->
      "
    `);
  });

  it('Claude Code: CLAUDE.md without the scoped instruction, which has its own rule file', () => {
    expect(after('/src/app/CLAUDE.md')).not.toContain('API handlers');
    expect(after('/src/app/.claude/rules/skillsync-api-handlers.md')).toMatchInlineSnapshot(`
      "---
      paths:
        - "src/api/**/*.{ts,tsx}"
      ---

      <!-- skillsync:begin instructions sha256=0df2451a84b9 -->
      ## API handlers

      Applies to files matching \`src/api/**/*.{ts,tsx}\`.

      Validate every request body.
      <!-- skillsync:end instructions -->
      "
    `);
  });

  it('Cursor rule files', () => {
    expect(after('/src/app/.cursor/rules/skillsync.mdc')).toMatchInlineSnapshot(`
      "---
      description: Instructions managed by skillsync
      alwaysApply: true
      ---

      <!-- skillsync:begin instructions sha256=daa71fe3e2d7 -->
      ## style

      Prefer small pure functions.
      Name functions with verbs.

      ## testing

      Tests live beside the code.
      <!-- skillsync:end instructions -->
      "
    `);
    expect(after('/src/app/.cursor/rules/skillsync-api-handlers.mdc')).toMatchInlineSnapshot(`
      "---
      description: API handlers
      alwaysApply: false
      globs: src/api/**/*.ts,src/api/**/*.tsx
      ---

      <!-- skillsync:begin instructions sha256=0df2451a84b9 -->
      ## API handlers

      Applies to files matching \`src/api/**/*.{ts,tsx}\`.

      Validate every request body.
      <!-- skillsync:end instructions -->
      "
    `);
  });

  it('VS Code .github/instructions', () => {
    expect(after('/src/app/.github/instructions/skillsync-api-handlers.instructions.md')).toMatchInlineSnapshot(`
      "---
      description: API handlers
      applyTo: "src/api/**/*.{ts,tsx}"
      ---

      <!-- skillsync:begin instructions sha256=0df2451a84b9 -->
      ## API handlers

      Applies to files matching \`src/api/**/*.{ts,tsx}\`.

      Validate every request body.
      <!-- skillsync:end instructions -->
      "
    `);
  });

  it('Kiro steering and Continue rules', () => {
    expect(after('/src/app/.kiro/steering/skillsync-api-handlers.md')).toMatchInlineSnapshot(`
      "---
      inclusion: fileMatch
      fileMatchPattern: "src/api/**/*.{ts,tsx}"
      ---

      <!-- skillsync:begin instructions sha256=0df2451a84b9 -->
      ## API handlers

      Applies to files matching \`src/api/**/*.{ts,tsx}\`.

      Validate every request body.
      <!-- skillsync:end instructions -->
      "
    `);
    expect(after('/src/app/.continue/rules/skillsync-api-handlers.md')).toMatchInlineSnapshot(`
      "---
      name: API handlers
      globs:
        - "src/api/**/*.{ts,tsx}"
      ---

      <!-- skillsync:begin instructions sha256=0df2451a84b9 -->
      ## API handlers

      Applies to files matching \`src/api/**/*.{ts,tsx}\`.

      Validate every request body.
      <!-- skillsync:end instructions -->
      "
    `);
  });
});

describe("golden: Goose's project plugin file", () => {
  const path = '/src/app/.agents/plugins/skillsync/.mcp.json';
  const planGoose = (state: typeof desired) => planSync({ env, scope: 'project', clients: [goose], desired: state, files: new Map(), skillDirs: new Map(), journal: emptyJournal, connectorCodecs });

  it('takes stdio servers as Claude-style entries; a remote server or a variable needs the gateway', () => {
    const plan = planGoose(desired);
    expect(plan.files.find((file) => file.path === path)?.after).toMatchInlineSnapshot(`
      "{
        "mcpServers": {
          "lint": {
            "command": "lint-mcp",
            "args": [
              "--stdio"
            ],
            "cwd": "/src/app"
          }
        }
      }
      "
    `);
    expect(plan.items.filter((item) => item.kind === 'connector').map((item) => `${item.name}: ${item.status}${item.detail === undefined ? '' : ` (${item.detail})`}`)).toMatchInlineSnapshot(`
      [
        "docs: needs-gateway (\`docs\` uses \${env:…} in env.API_KEY but no variable syntax is known for Goose plugin .mcp.json files; the gateway reads the environment at run time)",
        "lint: missing",
        "search: needs-gateway (Goose (project plugin) cannot reach Streamable HTTP servers from its config; the gateway can bridge \`search\`)",
      ]
    `);
  });

  it('in gateway mode (the default for Goose) holds only the entry that starts the gateway', () => {
    const plan = planGoose({ ...desired, gateway: {} });
    expect(plan.files.find((file) => file.path === path)?.after).toMatchInlineSnapshot(`
      "{
        "mcpServers": {
          "skillsync": {
            "command": "skillsync",
            "args": [
              "serve",
              "--client",
              "goose",
              "--scope",
              "project"
            ]
          }
        }
      }
      "
    `);
  });
});
