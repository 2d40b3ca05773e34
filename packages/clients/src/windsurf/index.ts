import { defineClient, supported } from '../define-client.js';
import { defineDialect, mcpServersShape } from '../dialects/index.js';
import { homeDir, projectDir, sharedInstructionsFile, sharedSkillsDir } from '../locations.js';

const docs = {
  mcp: 'https://docs.windsurf.com/windsurf/cascade/mcp',
  skills: 'https://docs.windsurf.com/windsurf/cascade/skills',
  memories: 'https://docs.windsurf.com/windsurf/cascade/memories',
} as const;

export const windsurfDialect = defineDialect({
  clientName: 'Windsurf',
  transports: ['stdio', 'http', 'sse'],
  // Fields are official; the `${env:NAME}` spelling is secondary (syllago.dev).
  interpolation: { kind: 'template', syntax: '${env:NAME}', fields: ['command', 'args', 'env', 'url', 'headers'] },
  toolAllowList: { kind: 'gateway-only', reason: 'Windsurf toggles tools in its UI (a `disabledTools` deny-list is secondary and cannot express an allow-list)' },
  untypedRemote: 'detected',
  // `serverUrl`: older builds ignore a Cursor-style `url`. `cwd` and `disabled` are UNCONFIRMED officially, so neither is written.
  shape: mcpServersShape({ typeKey: undefined, typeValues: {}, remoteTransportDetected: true, keys: { url: 'serverUrl' } }),
});

export const windsurf = defineClient({
  id: 'windsurf',
  displayName: 'Windsurf',
  docs: [docs.mcp, docs.skills, docs.memories],
  detectionMarkers: (env) => [{ path: homeDir(env, '.codeium', 'windsurf'), kind: 'dir' }],
  connectorDialect: windsurfDialect,
  capabilities: {
    user: {
      connectors: supported('official', 'Windsurf needs a refresh in the MCP panel after the file changes; at most 100 tools in total'),
      skills: supported('secondary'),
      instructions: supported('secondary'),
    },
    project: {
      connectors: supported('secondary', 'Windsurf is now Devin Desktop, which may read .devin/mcp_config.json instead (secondary)'),
      skills: supported('secondary'),
      instructions: supported('official', 'a root AGENTS.md is always on in Windsurf'),
    },
  },
  locations: {
    user: (env) => ({
      connectors: { path: homeDir(env, '.codeium', 'windsurf', 'mcp_config.json'), format: 'json', keyPath: ['mcpServers'], container: 'map', docs: docs.mcp, evidence: 'official' },
      // The skills page is known only through a quote in microsoft/apm#1520.
      skills: { path: sharedSkillsDir(env, 'user'), shared: true, alsoReads: [homeDir(env, '.codeium', 'windsurf', 'skills')], docs: docs.skills, evidence: 'secondary' },
      // The global rules file path is secondary; the page names the file, not its folder.
      instructions: {
        path: homeDir(env, '.codeium', 'windsurf', 'memories', 'global_rules.md'),
        format: 'markdown',
        ownership: 'block',
        shared: false,
        alsoReads: [],
        docs: docs.memories,
        evidence: 'secondary',
      },
    }),
    project: (env, root) => ({
      // Secondary: rulesync's Windsurf adapter; the official page read does not name a project file.
      connectors: { path: projectDir(env, root, '.windsurf', 'mcp_config.json'), format: 'json', keyPath: ['mcpServers'], container: 'map', docs: docs.mcp, evidence: 'secondary' },
      skills: {
        path: sharedSkillsDir(env, 'project', root),
        shared: true,
        alsoReads: [projectDir(env, root, '.windsurf', 'skills'), projectDir(env, root, '.claude', 'skills')],
        docs: docs.skills,
        evidence: 'secondary',
      },
      // No per-glob rule files (`.windsurf/rules/*.md`, `trigger: glob`): the shared AGENTS.md block, the same for
      // every reader, keeps the scoped instructions, so a rule file would only repeat them.
      instructions: {
        path: sharedInstructionsFile(env, root),
        format: 'markdown',
        ownership: 'block',
        shared: true,
        alsoReads: [projectDir(env, root, '.windsurf', 'rules')],
        docs: docs.memories,
        evidence: 'official',
      },
    }),
  },
});
