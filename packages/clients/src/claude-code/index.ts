import { pathFor, type Env } from '@skillsync/core';
import { defineClient, supported } from '../define-client.js';
import { defineDialect, mcpServersShape } from '../dialects/index.js';
import { dirFromVar, homeDir, projectDir } from '../locations.js';

const docs = {
  mcp: 'https://code.claude.com/docs/en/mcp',
  skills: 'https://code.claude.com/docs/en/skills',
  memory: 'https://code.claude.com/docs/en/memory',
} as const;

/** `$CLAUDE_CONFIG_DIR` replaces `~/.claude`, and `.claude.json` then lives inside it instead of in HOME. */
function configDir(env: Env): string {
  return dirFromVar(env, 'CLAUDE_CONFIG_DIR') ?? homeDir(env, '.claude');
}

function userStateFile(env: Env): string {
  const override = dirFromVar(env, 'CLAUDE_CONFIG_DIR');
  return override === undefined ? homeDir(env, '.claude.json') : pathFor(env).join(override, '.claude.json');
}

export const claudeCodeDialect = defineDialect({
  clientName: 'Claude Code',
  transports: ['stdio', 'http', 'sse'],
  // cwd is not listed (UNCONFIRMED upstream: Claude Code sets CLAUDE_PROJECT_DIR instead), so no field expands in it.
  interpolation: { kind: 'template', syntax: '${NAME}', fields: ['command', 'args', 'env', 'url', 'headers'] },
  toolAllowList: { kind: 'gateway-only', reason: 'Claude Code has no per-server tool allow-list in the MCP config (permissions live in settings)' },
  // A remote entry without `type` is an error in Claude Code, so `type` is always written.
  untypedRemote: 'rejected',
  shape: mcpServersShape({ typeValues: { stdio: 'stdio', http: 'http', sse: 'sse' }, remoteTransportDetected: false }),
});

export const claudeCode = defineClient({
  id: 'claude-code',
  displayName: 'Claude Code',
  docs: [docs.mcp, docs.skills, docs.memory],
  detectionMarkers: (env) => {
    const override = dirFromVar(env, 'CLAUDE_CONFIG_DIR');
    if (override !== undefined) return [{ path: userStateFile(env), kind: 'file' }, { path: override, kind: 'dir' }];
    return [
      { path: homeDir(env, '.claude.json'), kind: 'file' },
      { path: homeDir(env, '.claude'), kind: 'dir' },
    ];
  },
  connectorDialect: claudeCodeDialect,
  capabilities: {
    user: {
      connectors: supported('official', '~/.claude.json is app-owned state that running sessions rewrite: only the top-level mcpServers entry is edited'),
      skills: supported('official', 'Claude Code reads only .claude/skills, not .agents/skills'),
      // A user rule with `paths:` loads neither always nor on a match (anthropics/claude-code#87217, open; project rules work).
      instructions: supported('official', 'Claude Code does not read AGENTS.md; scoped instructions stay in CLAUDE.md, as it ignores user rules with paths:'),
    },
    project: {
      connectors: supported('official', 'servers in a committed .mcp.json wait for the user to approve them'),
      skills: supported('official', 'Claude Code reads only .claude/skills, not .agents/skills'),
      instructions: supported('official', 'Claude Code does not read AGENTS.md'),
    },
  },
  locations: {
    user: (env) => ({
      connectors: { path: userStateFile(env), format: 'json', keyPath: ['mcpServers'], container: 'map', docs: docs.mcp, evidence: 'official' },
      // CLAUDE_CONFIG_DIR moving skills and CLAUDE.md along with .claude.json is inferred (the reference only states it for .claude.json).
      skills: { path: pathFor(env).join(configDir(env), 'skills'), shared: false, alsoReads: [], docs: docs.skills, evidence: 'official' },
      instructions: {
        path: pathFor(env).join(configDir(env), 'CLAUDE.md'),
        format: 'markdown',
        ownership: 'block',
        shared: false,
        alsoReads: [pathFor(env).join(configDir(env), 'rules')],
        docs: docs.memory,
        evidence: 'official',
      },
    }),
    project: (env, root) => ({
      connectors: {
        path: projectDir(env, root, '.mcp.json'),
        format: 'json',
        keyPath: ['mcpServers'],
        container: 'map',
        docs: docs.mcp,
        evidence: 'official',
        // `claude mcp add` puts a server in the local scope by default: private to this project, ahead of .mcp.json.
        shadowedBy: [{ path: userStateFile(env), format: 'json', keyPath: ['projects', pathFor(env).resolve(root), 'mcpServers'], label: 'local scope', removeCommand: 'claude mcp remove --scope local {name}' }],
      },
      skills: { path: projectDir(env, root, '.claude', 'skills'), shared: false, alsoReads: [], docs: docs.skills, evidence: 'official' },
      instructions: {
        path: projectDir(env, root, 'CLAUDE.md'),
        format: 'markdown',
        ownership: 'block',
        shared: false,
        alsoReads: [projectDir(env, root, '.claude', 'CLAUDE.md'), projectDir(env, root, 'CLAUDE.local.md'), projectDir(env, root, '.claude', 'rules')],
        docs: docs.memory,
        evidence: 'official',
        // `paths:` is a YAML list of globs; a rule without it loads unconditionally.
        scopedRules: { dir: projectDir(env, root, '.claude', 'rules'), extension: '.md', format: 'markdown', globKey: 'paths', globForm: 'list', docs: docs.memory, evidence: 'official' },
      },
    }),
  },
});
