import type { Env } from '@skillsync/core';
import { defineClient, supported } from '../define-client.js';
import { defineDialect, mcpServersShape } from '../dialects/index.js';
import { appConfigDir, projectDir, sharedInstructionsFile, sharedSkillsDir } from '../locations.js';
import { pathFor } from '@skillsync/core';

const docs = {
  mcp: 'https://zed.dev/docs/ai/mcp',
  skills: 'https://zed.dev/docs/ai/skills',
  instructions: 'https://zed.dev/docs/ai/instructions',
} as const;

function zedConfigDir(env: Env, ...parts: string[]): string {
  return pathFor(env).join(appConfigDir(env, { unix: ['zed'], win32: ['Zed'] }), ...parts);
}

export const zedDialect = defineDialect({
  clientName: 'Zed',
  // Zed's HTTP servers are Streamable HTTP; SSE support is UNCONFIRMED.
  transports: ['stdio', 'http'],
  interpolation: { kind: 'none', reason: 'Zed reads env and headers as written (no interpolation documented)' },
  toolAllowList: { kind: 'gateway-only', reason: 'Zed enables tools per agent profile (agent.profiles.<id>.context_servers), outside the server entry' },
  untypedRemote: 'detected',
  // Untagged entries: no `type`, and no working-directory field.
  shape: mcpServersShape({ typeKey: undefined, typeValues: {}, remoteTransportDetected: true, toggle: { key: 'enabled', meaning: 'enabled', alwaysWrite: false } }),
});

export const zed = defineClient({
  id: 'zed',
  displayName: 'Zed',
  docs: [docs.mcp, docs.skills, docs.instructions],
  detectionMarkers: (env) => [{ path: zedConfigDir(env), kind: 'dir' }],
  connectorDialect: zedDialect,
  capabilities: {
    user: { connectors: supported('official'), skills: supported('official'), instructions: supported('official') },
    project: {
      connectors: supported('secondary'),
      skills: supported('official', 'Zed loads project skills only in trusted worktrees, and only direct children of .agents/skills'),
      instructions: supported(
        'official',
        'Zed reads only the first of .rules, .cursorrules, .windsurfrules, .clinerules, .github/copilot-instructions.md, AGENT.md, AGENTS.md, CLAUDE.md, GEMINI.md',
      ),
    },
  },
  locations: {
    user: (env) => ({
      connectors: { path: zedConfigDir(env, 'settings.json'), format: 'jsonc', keyPath: ['context_servers'], container: 'map', docs: docs.mcp, evidence: 'official' },
      skills: { path: sharedSkillsDir(env, 'user'), shared: true, alsoReads: [], docs: docs.skills, evidence: 'official' },
      instructions: { path: zedConfigDir(env, 'AGENTS.md'), format: 'markdown', ownership: 'block', shared: false, alsoReads: [], docs: docs.instructions, evidence: 'official' },
    }),
    project: (env, root) => ({
      // Secondary: the official docs say only "your settings.json".
      connectors: { path: projectDir(env, root, '.zed', 'settings.json'), format: 'jsonc', keyPath: ['context_servers'], container: 'map', docs: docs.mcp, evidence: 'secondary' },
      skills: { path: sharedSkillsDir(env, 'project', root), shared: true, alsoReads: [], docs: docs.skills, evidence: 'official' },
      instructions: {
        path: sharedInstructionsFile(env, root),
        format: 'markdown',
        ownership: 'block',
        shared: true,
        alsoReads: [projectDir(env, root, '.rules'), projectDir(env, root, '.github', 'copilot-instructions.md'), projectDir(env, root, 'CLAUDE.md')],
        docs: docs.instructions,
        evidence: 'official',
      },
    }),
  },
});
