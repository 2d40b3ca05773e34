import { pathFor, type Env } from '@skillsync/core';
import { defineClient, supported } from '../define-client.js';
import { defineDialect, renderCodexEntry } from '../dialects/index.js';
import { dirFromVar, homeDir, projectDir, sharedInstructionsFile, sharedSkillsDir } from '../locations.js';

const docs = {
  mcp: 'https://developers.openai.com/codex/mcp',
  skills: 'https://developers.openai.com/codex/skills',
  agents: 'https://github.com/openai/codex/blob/main/docs/agents_md.md',
  config: 'https://github.com/openai/codex/blob/main/codex-rs/config/src/loader/README.md',
} as const;

function codexHome(env: Env, ...parts: string[]): string {
  const override = dirFromVar(env, 'CODEX_HOME');
  return override === undefined ? homeDir(env, '.codex', ...parts) : pathFor(env).join(override, ...parts);
}

export const codexDialect = defineDialect({
  clientName: 'Codex',
  // Transport is inferred: `command` → stdio, `url` → Streamable HTTP. There is no SSE.
  transports: ['stdio', 'http'],
  interpolation: {
    kind: 'by-name',
    description: 'Codex expands nothing inside values; it passes variables by name: env_vars, bearer_token_env_var, env_http_headers',
  },
  toolAllowList: { kind: 'field', field: 'enabled_tools' },
  untypedRemote: 'detected',
  shape: {
    commandShape: 'string+args',
    keys: { command: 'command', args: 'args', env: 'env', cwd: 'cwd', url: 'url', headers: 'http_headers' },
    typeValues: {},
    remoteTransportDetected: false,
    toggle: { key: 'enabled', meaning: 'enabled', alwaysWrite: false },
    description: false,
  },
  renderEntry: renderCodexEntry,
});

export const codex = defineClient({
  id: 'codex',
  displayName: 'Codex CLI',
  docs: [docs.mcp, docs.skills, docs.agents],
  detectionMarkers: (env) => [{ path: codexHome(env), kind: 'dir' }],
  connectorDialect: codexDialect,
  capabilities: {
    user: { connectors: supported('official'), skills: supported('secondary'), instructions: supported('official') },
    project: {
      connectors: supported('official', 'Codex loads .codex/config.toml only in projects the user trusts (secondary)'),
      skills: supported('secondary'),
      instructions: supported('official', 'Codex caps the combined AGENTS.md text at 32 KiB'),
    },
  },
  locations: {
    user: (env) => ({
      // Windows `%USERPROFILE%\.codex` is UNCONFIRMED; it follows HOME like every other platform.
      connectors: { path: codexHome(env, 'config.toml'), format: 'toml', keyPath: ['mcp_servers'], container: 'map', docs: docs.mcp, evidence: 'official' },
      // Current docs and rulesync: ~/.agents/skills. Whether $CODEX_HOME/skills is still scanned is UNCONFIRMED.
      skills: { path: sharedSkillsDir(env, 'user'), shared: true, alsoReads: [codexHome(env, 'skills')], docs: docs.skills, evidence: 'secondary' },
      instructions: {
        path: codexHome(env, 'AGENTS.md'),
        format: 'markdown',
        ownership: 'block',
        shared: false,
        // An AGENTS.override.md, when present, is read instead of AGENTS.md.
        alsoReads: [codexHome(env, 'AGENTS.override.md')],
        docs: docs.agents,
        evidence: 'official',
      },
    }),
    project: (env, root) => ({
      connectors: { path: projectDir(env, root, '.codex', 'config.toml'), format: 'toml', keyPath: ['mcp_servers'], container: 'map', docs: docs.config, evidence: 'official' },
      skills: { path: sharedSkillsDir(env, 'project', root), shared: true, alsoReads: [projectDir(env, root, '.codex', 'skills')], docs: docs.skills, evidence: 'secondary' },
      instructions: {
        path: sharedInstructionsFile(env, root),
        format: 'markdown',
        ownership: 'block',
        shared: true,
        alsoReads: [projectDir(env, root, 'AGENTS.override.md')],
        docs: docs.agents,
        evidence: 'official',
      },
    }),
  },
});
