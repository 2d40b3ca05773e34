import { pathFor, type Env } from '@skillsync/core';
import { defineClient, supported, unsupported } from '../define-client.js';
import { defineDialect, mcpServersShape } from '../dialects/index.js';
import { dirFromVar, homeDir, projectDir, sharedInstructionsFile, sharedSkillsDir } from '../locations.js';

const docs = {
  mcp: 'https://docs.cline.bot/mcp/mcp-overview',
  skills: 'https://docs.cline.bot/customization/skills',
  rules: 'https://docs.cline.bot/customization/cline-rules',
} as const;

/** `$CLINE_DIR` replaces `~/.cline`. */
function clineDir(env: Env, ...parts: string[]): string {
  const override = dirFromVar(env, 'CLINE_DIR');
  return override === undefined ? homeDir(env, '.cline', ...parts) : pathFor(env).join(override, ...parts);
}

export const clineDialect = defineDialect({
  clientName: 'Cline',
  transports: ['stdio', 'http', 'sse'],
  interpolation: { kind: 'none', reason: 'Cline expands no variables in its MCP settings' },
  toolAllowList: { kind: 'gateway-only', reason: 'Cline has auto-approve lists, not allow-lists' },
  // Backward compatibility: a `url` entry without `type` is SSE.
  untypedRemote: 'sse',
  shape: mcpServersShape({
    typeValues: { stdio: 'stdio', http: 'streamableHttp', sse: 'sse' },
    remoteTransportDetected: false,
    keys: { cwd: 'cwd' },
    toggle: { key: 'disabled', meaning: 'disabled', alwaysWrite: false },
  }),
});

export const cline = defineClient({
  id: 'cline',
  displayName: 'Cline',
  docs: [docs.mcp, docs.skills, docs.rules],
  detectionMarkers: (env) => [{ path: clineDir(env), kind: 'dir' }],
  connectorDialect: clineDialect,
  capabilities: {
    user: {
      connectors: supported('official', 'the docs name ~/.cline/mcp.json for the CLI, which conflicts with the source; which one the CLI reads is UNCONFIRMED'),
      skills: supported('official', 'on a name clash Cline prefers the global skill over the project one'),
      instructions: supported('official'),
    },
    project: {
      connectors: unsupported('Cline reads MCP servers only from its global settings file'),
      skills: supported('official'),
      instructions: supported('official'),
    },
  },
  locations: {
    user: (env) => ({
      connectors: {
        path: dirFromVar(env, 'CLINE_MCP_SETTINGS_PATH') ?? clineDir(env, 'data', 'settings', 'cline_mcp_settings.json'),
        format: 'json',
        keyPath: ['mcpServers'],
        container: 'map',
        docs: docs.mcp,
        evidence: 'official',
      },
      // ~/.agents/skills comes from Cline's source (the docs recommend ~/.cline/skills).
      skills: { path: sharedSkillsDir(env, 'user'), shared: true, alsoReads: [clineDir(env, 'skills')], docs: docs.skills, evidence: 'official' },
      instructions: {
        path: clineDir(env, 'rules', 'skillsync.md'),
        format: 'markdown',
        ownership: 'file',
        shared: false,
        alsoReads: [homeDir(env, '.agents', 'AGENTS.md')],
        docs: docs.rules,
        evidence: 'official',
        // Conditional rules: a `paths:` list of globs. The project has none: its instructions are the shared AGENTS.md.
        scopedRules: { dir: clineDir(env, 'rules'), extension: '.md', format: 'markdown', globKey: 'paths', globForm: 'list', docs: docs.rules, evidence: 'official' },
      },
    }),
    project: (env, root) => ({
      skills: {
        path: sharedSkillsDir(env, 'project', root),
        shared: true,
        alsoReads: [projectDir(env, root, '.cline', 'skills'), projectDir(env, root, '.clinerules', 'skills'), projectDir(env, root, '.claude', 'skills')],
        docs: docs.skills,
        evidence: 'official',
      },
      instructions: {
        path: sharedInstructionsFile(env, root),
        format: 'markdown',
        ownership: 'block',
        shared: true,
        alsoReads: [projectDir(env, root, '.clinerules'), projectDir(env, root, '.cline', 'rules')],
        docs: docs.rules,
        evidence: 'official',
      },
    }),
  },
});
