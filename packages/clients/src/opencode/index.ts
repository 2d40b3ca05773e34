import type { Env } from '@skillsync/core';
import { pathFor } from '@skillsync/core';
import { defineClient, supported } from '../define-client.js';
import { defineDialect } from '../dialects/index.js';
import { homeDir, projectDir, sharedInstructionsFile, sharedSkillsDir, unixConfigDir } from '../locations.js';

const docs = {
  mcp: 'https://opencode.ai/docs/mcp-servers/',
  config: 'https://opencode.ai/docs/config/',
  skills: 'https://opencode.ai/docs/skills/',
  rules: 'https://opencode.ai/docs/rules/',
} as const;

/** opencode uses xdg-basedir, which keeps `~/.config` on Windows too (UNCONFIRMED for Windows). */
function opencodeDir(env: Env, ...parts: string[]): string {
  return pathFor(env).join(unixConfigDir(env, 'opencode'), ...parts);
}

export const opencodeDialect = defineDialect({
  clientName: 'opencode',
  // Remote servers are `type: "remote"`; whether opencode falls back to SSE is UNCONFIRMED.
  transports: ['stdio', 'http'],
  interpolation: { kind: 'template', syntax: '{env:NAME}', fields: ['command', 'args', 'env', 'cwd', 'url', 'headers'] },
  toolAllowList: { kind: 'gateway-only', reason: 'opencode gates tools with top-level `tools` globs, outside the server entry' },
  untypedRemote: 'detected',
  shape: {
    commandShape: 'array',
    keys: { command: 'command', args: 'command', env: 'environment', cwd: 'cwd', url: 'url', headers: 'headers' },
    typeKey: 'type',
    typeValues: { stdio: 'local', http: 'remote' },
    remoteTransportDetected: false,
    toggle: { key: 'enabled', meaning: 'enabled', alwaysWrite: false },
    description: false,
  },
});

export const opencode = defineClient({
  id: 'opencode',
  displayName: 'opencode',
  docs: [docs.mcp, docs.skills, docs.rules],
  detectionMarkers: (env) => [{ path: opencodeDir(env), kind: 'dir' }],
  connectorDialect: opencodeDialect,
  capabilities: {
    user: { connectors: supported('official'), skills: supported('secondary'), instructions: supported('official') },
    project: {
      connectors: supported('official', 'project servers need `opencode mcp approve` before they run'),
      skills: supported('secondary'),
      instructions: supported('official'),
    },
  },
  locations: {
    user: (env) => ({
      connectors: {
        path: opencodeDir(env, 'opencode.json'),
        format: 'jsonc',
        keyPath: ['mcp'],
        container: 'map',
        alternatives: [opencodeDir(env, 'opencode.jsonc')],
        docs: docs.config,
        evidence: 'official',
      },
      // The .agents/skills compatibility is secondary; ~/.config/opencode/skills is opencode's own.
      skills: { path: sharedSkillsDir(env, 'user'), shared: true, alsoReads: [opencodeDir(env, 'skills'), homeDir(env, '.claude', 'skills')], docs: docs.skills, evidence: 'secondary' },
      instructions: { path: opencodeDir(env, 'AGENTS.md'), format: 'markdown', ownership: 'block', shared: false, alsoReads: [], docs: docs.rules, evidence: 'official' },
    }),
    project: (env, root) => ({
      connectors: {
        path: projectDir(env, root, 'opencode.json'),
        format: 'jsonc',
        keyPath: ['mcp'],
        container: 'map',
        alternatives: [projectDir(env, root, 'opencode.jsonc')],
        docs: docs.config,
        evidence: 'official',
      },
      skills: {
        path: sharedSkillsDir(env, 'project', root),
        shared: true,
        alsoReads: [projectDir(env, root, '.opencode', 'skills'), projectDir(env, root, '.claude', 'skills')],
        docs: docs.skills,
        evidence: 'secondary',
      },
      instructions: {
        path: sharedInstructionsFile(env, root),
        format: 'markdown',
        ownership: 'block',
        shared: true,
        // opencode falls back to CLAUDE.md when there is no AGENTS.md (secondary).
        alsoReads: [projectDir(env, root, 'CLAUDE.md')],
        docs: docs.rules,
        evidence: 'official',
      },
    }),
  },
});
