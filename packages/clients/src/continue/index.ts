import { defineClient, supported, unsupported, type ScopedRulesLocation } from '../define-client.js';
import { defineDialect, mcpServersShape } from '../dialects/index.js';
import { homeDir, projectDir } from '../locations.js';

const docs = {
  mcp: 'https://docs.continue.dev/customize/deep-dives/mcp',
  rules: 'https://docs.continue.dev/customize/deep-dives/rules',
} as const;

const ruleFrontmatter = { name: 'skillsync', alwaysApply: true } as const;
/** Rules whose `globs` attach them to matching files: with `alwaysApply` left out, a rule with globs loads only on a match. */
function scopedRules(dir: string): ScopedRulesLocation {
  return { dir, extension: '.md', format: 'markdown', nameKey: 'name', globKey: 'globs', globForm: 'list', docs: docs.rules, evidence: 'official' };
}
const skillsUnknown = "Continue's skills page was not verified (UNCONFIRMED); skills reach Continue through the skillsync MCP server";

export const continueDialect = defineDialect({
  clientName: 'Continue',
  transports: ['stdio', 'http', 'sse'],
  interpolation: { kind: 'none', reason: 'Continue resolves `${{ secrets.NAME }}` from its own secret store, not from the environment' },
  toolAllowList: { kind: 'gateway-only', reason: 'Continue has no per-server tool allow-list' },
  untypedRemote: 'detected',
  // List items carry their name. No headers or cwd field is documented in the pages read.
  shape: mcpServersShape({ nameKey: 'name', typeValues: { http: 'streamable-http', sse: 'sse' }, remoteTransportDetected: false, keys: { headers: undefined } }),
});

export const continueDev = defineClient({
  id: 'continue',
  displayName: 'Continue',
  docs: [docs.mcp, docs.rules],
  detectionMarkers: (env) => [{ path: homeDir(env, '.continue'), kind: 'dir' }],
  connectorDialect: continueDialect,
  capabilities: {
    user: {
      connectors: supported('unconfirmed', 'MCP servers work only in agent mode'),
      skills: unsupported(skillsUnknown),
      instructions: supported('official'),
    },
    project: {
      connectors: supported('official', 'MCP servers work only in agent mode'),
      skills: unsupported(skillsUnknown),
      instructions: supported('official'),
    },
  },
  locations: {
    user: (env) => ({
      // The global config path follows Continue's convention; the MCP page read does not state it (UNCONFIRMED).
      connectors: { path: homeDir(env, '.continue', 'config.yaml'), format: 'yaml', keyPath: ['mcpServers'], container: 'list', docs: docs.mcp, evidence: 'unconfirmed' },
      instructions: {
        path: homeDir(env, '.continue', 'rules', 'skillsync.md'),
        format: 'markdown',
        ownership: 'file',
        frontmatter: ruleFrontmatter,
        shared: false,
        alsoReads: [],
        docs: docs.rules,
        evidence: 'official',
        scopedRules: scopedRules(homeDir(env, '.continue', 'rules')),
      },
    }),
    project: (env, root) => ({
      // A block file of our own; Continue needs the block metadata before the list.
      connectors: {
        path: projectDir(env, root, '.continue', 'mcpServers', 'skillsync.yaml'),
        format: 'yaml',
        keyPath: ['mcpServers'],
        container: 'list',
        newFile: { name: 'skillsync', version: '0.0.1', schema: 'v1' },
        docs: docs.mcp,
        evidence: 'official',
      },
      instructions: {
        path: projectDir(env, root, '.continue', 'rules', 'skillsync.md'),
        format: 'markdown',
        ownership: 'file',
        frontmatter: ruleFrontmatter,
        shared: false,
        alsoReads: [],
        docs: docs.rules,
        evidence: 'official',
        scopedRules: scopedRules(projectDir(env, root, '.continue', 'rules')),
      },
    }),
  },
});
