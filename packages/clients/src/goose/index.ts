import { pathFor, type Env } from '@skillsync/core';
import { defineClient, supported } from '../define-client.js';
import { defineDialect, mcpServersShape } from '../dialects/index.js';
import { appConfigDir, homeDir, projectDir, sharedInstructionsFile, sharedSkillsDir } from '../locations.js';

const docs = {
  config: 'https://block.github.io/goose/docs/guides/config-files',
  skills: 'https://block.github.io/goose/docs/guides/context-engineering/using-skills',
  hints: 'https://block.github.io/goose/docs/guides/context-engineering/using-goosehints',
  // Secondary: rulesync cites this change (Goose v1.39.0) for project servers in open-plugin folders.
  plugins: 'https://github.com/aaif-goose/goose/pull/9471',
} as const;

function gooseDir(env: Env, ...parts: string[]): string {
  return pathFor(env).join(appConfigDir(env, { unix: ['goose'], win32: ['Block', 'goose', 'config'] }), ...parts);
}

export const gooseDialect = defineDialect({
  clientName: 'Goose',
  // SSE is no longer supported by Goose.
  transports: ['stdio', 'http'],
  interpolation: { kind: 'none', reason: 'Goose takes `envs` literally (`env_keys` name values in its own keyring, not the environment)' },
  toolAllowList: { kind: 'field', field: 'available_tools' },
  untypedRemote: 'detected',
  shape: {
    nameKey: 'name',
    commandShape: 'string+args',
    keys: { command: 'cmd', args: 'args', env: 'envs', url: 'uri', headers: 'headers' },
    typeKey: 'type',
    typeValues: { stdio: 'stdio', http: 'streamable_http' },
    remoteTransportDetected: false,
    // Goose writes these into every extension it adds; matching it keeps its own UI edits from showing as drift.
    defaults: { stdio: { envs: {}, env_keys: [], timeout: 300 }, remote: { headers: {}, envs: {}, env_keys: [], timeout: 300 } },
    toggle: { key: 'enabled', meaning: 'enabled', alwaysWrite: true },
    description: false,
  },
});

/**
 * The `.mcp.json` of an open-plugin folder: Claude-style `mcpServers` entries with
 * `command`, `args`, `env` and `cwd`, stdio only (secondary source). No transport key, no
 * on/off switch and no variable syntax is known for these files, so nothing is assumed.
 */
export const goosePluginDialect = defineDialect({
  clientName: 'Goose (project plugin)',
  transports: ['stdio'],
  interpolation: { kind: 'none', reason: 'no variable syntax is known for Goose plugin .mcp.json files' },
  toolAllowList: { kind: 'gateway-only', reason: 'Goose plugin .mcp.json files have no per-server tool allow-list' },
  untypedRemote: 'detected',
  shape: mcpServersShape({ typeKey: undefined, typeValues: {}, remoteTransportDetected: false, keys: { cwd: 'cwd', headers: undefined } }),
});

export const goose = defineClient({
  id: 'goose',
  displayName: 'Goose',
  docs: [docs.config, docs.skills, docs.hints],
  detectionMarkers: (env) => [{ path: gooseDir(env), kind: 'dir' }],
  connectorDialect: gooseDialect,
  capabilities: {
    user: {
      connectors: supported('official', 'the extensions map also holds built-in extensions, which are never touched; restart Goose after a sync'),
      skills: supported('secondary'),
      instructions: supported('unconfirmed'),
    },
    project: {
      connectors: supported('secondary', 'written as the plugin folder .agents/plugins/skillsync (Goose 1.39+), stdio only: remote servers, variables and secrets go through the gateway'),
      skills: supported('secondary'),
      instructions: supported('secondary'),
    },
  },
  locations: {
    user: (env) => ({
      connectors: { path: gooseDir(env, 'config.yaml'), format: 'yaml', keyPath: ['extensions'], container: 'map', docs: docs.config, evidence: 'official' },
      skills: { path: sharedSkillsDir(env, 'user'), shared: true, alsoReads: [gooseDir(env, 'skills')], docs: docs.skills, evidence: 'secondary' },
      // The exact global hints file is UNCONFIRMED (~/.config/goose/.goosehints or ~/.agents/AGENTS.md).
      instructions: {
        path: gooseDir(env, '.goosehints'),
        format: 'markdown',
        ownership: 'block',
        shared: false,
        alsoReads: [homeDir(env, '.agents', 'AGENTS.md')],
        docs: docs.hints,
        evidence: 'unconfirmed',
      },
    }),
    project: (env, root) => ({
      // A plugin folder of skillsync's own, so no other plugin's file is edited.
      connectors: {
        path: projectDir(env, root, '.agents', 'plugins', 'skillsync', '.mcp.json'),
        format: 'json',
        keyPath: ['mcpServers'],
        container: 'map',
        dialect: goosePluginDialect,
        docs: docs.plugins,
        evidence: 'secondary',
      },
      skills: {
        path: sharedSkillsDir(env, 'project', root),
        shared: true,
        alsoReads: [projectDir(env, root, '.goose', 'skills'), projectDir(env, root, '.claude', 'skills')],
        docs: docs.skills,
        evidence: 'secondary',
      },
      instructions: {
        path: sharedInstructionsFile(env, root),
        format: 'markdown',
        ownership: 'block',
        shared: true,
        alsoReads: [projectDir(env, root, '.goosehints')],
        docs: docs.hints,
        evidence: 'secondary',
      },
    }),
  },
});
