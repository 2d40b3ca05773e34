import type { Env } from '@skillsync/core';
import { pathFor } from '@skillsync/core';
import { defineClient, supported } from '../define-client.js';
import { defineDialect, mcpServersShape } from '../dialects/index.js';
import { homeDir, projectDir, sharedInstructionsFile, sharedSkillsDir, unixConfigDir } from '../locations.js';

const docs = { manual: 'https://ampcode.com/manual' } as const;

/** Amp keeps `~/.config/amp` on every OS it documents; the Windows path is UNCONFIRMED. */
function ampDir(env: Env, ...parts: string[]): string {
  return pathFor(env).join(unixConfigDir(env, 'amp'), ...parts);
}

export const ampDialect = defineDialect({
  clientName: 'Amp',
  // SSE is UNCONFIRMED for Amp.
  transports: ['stdio', 'http'],
  // A secondary source mentions `$VAR` references; unverified, so variables go through the gateway.
  interpolation: { kind: 'none', reason: 'Amp environment references are UNCONFIRMED' },
  toolAllowList: { kind: 'gateway-only', reason: 'Amp has no per-server tool allow-list in settings (secondary)' },
  untypedRemote: 'detected',
  shape: mcpServersShape({ typeKey: undefined, typeValues: {}, remoteTransportDetected: true, toggle: { key: 'disabled', meaning: 'disabled', alwaysWrite: false } }),
});

export const amp = defineClient({
  id: 'amp',
  displayName: 'Amp',
  docs: [docs.manual],
  detectionMarkers: (env) => [{ path: ampDir(env), kind: 'dir' }],
  connectorDialect: ampDialect,
  capabilities: {
    user: { connectors: supported('secondary'), skills: supported('secondary'), instructions: supported('secondary') },
    project: {
      connectors: supported('secondary', 'workspace servers in .amp/settings.json wait for the user to approve them'),
      skills: supported('secondary'),
      instructions: supported('secondary'),
    },
  },
  locations: {
    user: (env) => ({
      connectors: {
        path: ampDir(env, 'settings.json'),
        format: 'jsonc',
        // One key with a dot in it, not a nested path.
        keyPath: ['amp.mcpServers'],
        container: 'map',
        alternatives: [ampDir(env, 'settings.jsonc')],
        docs: docs.manual,
        evidence: 'secondary',
      },
      // Not ~/.agents/skills: Amp's user folder is ~/.config/agents/skills (secondary).
      skills: { path: unixConfigDir(env, 'agents', 'skills'), shared: false, alsoReads: [homeDir(env, '.claude', 'skills')], docs: docs.manual, evidence: 'secondary' },
      instructions: { path: ampDir(env, 'AGENTS.md'), format: 'markdown', ownership: 'block', shared: false, alsoReads: [], docs: docs.manual, evidence: 'secondary' },
    }),
    project: (env, root) => ({
      connectors: {
        path: projectDir(env, root, '.amp', 'settings.json'),
        format: 'jsonc',
        keyPath: ['amp.mcpServers'],
        container: 'map',
        alternatives: [projectDir(env, root, '.amp', 'settings.jsonc')],
        docs: docs.manual,
        evidence: 'secondary',
      },
      skills: { path: sharedSkillsDir(env, 'project', root), shared: true, alsoReads: [projectDir(env, root, '.claude', 'skills')], docs: docs.manual, evidence: 'secondary' },
      instructions: {
        path: sharedInstructionsFile(env, root),
        format: 'markdown',
        ownership: 'block',
        shared: true,
        alsoReads: [projectDir(env, root, 'AGENT.md'), projectDir(env, root, 'CLAUDE.md')],
        docs: docs.manual,
        evidence: 'secondary',
      },
    }),
  },
});
