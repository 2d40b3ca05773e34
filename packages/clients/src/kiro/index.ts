import { defineClient, supported } from '../define-client.js';
import { defineDialect, mcpServersShape } from '../dialects/index.js';
import { homeDir, projectDir, sharedInstructionsFile } from '../locations.js';

const docs = {
  mcp: 'https://kiro.dev/docs/mcp/configuration',
  steering: 'https://kiro.dev/docs/steering',
  skills: 'https://kiro.dev/docs/skills',
} as const;

const steeringFrontmatter = { inclusion: 'always' } as const;

export const kiroDialect = defineDialect({
  clientName: 'Kiro',
  // SSE is UNCONFIRMED for Kiro.
  transports: ['stdio', 'http'],
  // The docs show `${VAR}` in headers; env is assumed alongside. Other fields are UNCONFIRMED, so they go through the gateway.
  interpolation: { kind: 'template', syntax: '${NAME}', fields: ['env', 'headers'] },
  toolAllowList: { kind: 'gateway-only', reason: 'Kiro has autoApprove and disabledTools, not an allow-list' },
  untypedRemote: 'detected',
  shape: mcpServersShape({ typeKey: undefined, typeValues: {}, remoteTransportDetected: true, toggle: { key: 'disabled', meaning: 'disabled', alwaysWrite: false } }),
});

export const kiro = defineClient({
  id: 'kiro',
  displayName: 'Kiro',
  docs: [docs.mcp, docs.steering, docs.skills],
  detectionMarkers: (env) => [{ path: homeDir(env, '.kiro'), kind: 'dir' }],
  connectorDialect: kiroDialect,
  capabilities: {
    user: {
      connectors: supported('official'),
      skills: supported('secondary'),
      // fileMatch does not trigger in ~/.kiro/steering (kirodotdev/Kiro#9176); workspace steering works.
      instructions: supported('secondary', 'scoped instructions stay in the always-included steering file, as Kiro ignores fileMatch in user steering'),
    },
    project: {
      connectors: supported('official', 'the workspace file wins over the user file on a name clash'),
      skills: supported('secondary'),
      instructions: supported('secondary'),
    },
  },
  locations: {
    user: (env) => ({
      connectors: { path: homeDir(env, '.kiro', 'settings', 'mcp.json'), format: 'json', keyPath: ['mcpServers'], container: 'map', docs: docs.mcp, evidence: 'official' },
      skills: { path: homeDir(env, '.kiro', 'skills'), shared: false, alsoReads: [], docs: docs.skills, evidence: 'secondary' },
      instructions: {
        path: homeDir(env, '.kiro', 'steering', 'skillsync.md'),
        format: 'markdown',
        ownership: 'file',
        frontmatter: steeringFrontmatter,
        shared: false,
        alsoReads: [],
        docs: docs.steering,
        evidence: 'secondary',
      },
    }),
    project: (env, root) => ({
      connectors: { path: projectDir(env, root, '.kiro', 'settings', 'mcp.json'), format: 'json', keyPath: ['mcpServers'], container: 'map', docs: docs.mcp, evidence: 'official' },
      skills: { path: projectDir(env, root, '.kiro', 'skills'), shared: false, alsoReads: [], docs: docs.skills, evidence: 'secondary' },
      instructions: {
        path: projectDir(env, root, '.kiro', 'steering', 'skillsync.md'),
        format: 'markdown',
        ownership: 'file',
        frontmatter: steeringFrontmatter,
        shared: false,
        // Kiro reading AGENTS.md is secondary.
        alsoReads: [sharedInstructionsFile(env, root)],
        docs: docs.steering,
        evidence: 'secondary',
        scopedRules: {
          dir: projectDir(env, root, '.kiro', 'steering'),
          extension: '.md',
          format: 'markdown',
          frontmatter: { inclusion: 'fileMatch' },
          globKey: 'fileMatchPattern',
          globForm: 'string',
          docs: docs.steering,
          evidence: 'secondary',
        },
      },
    }),
  },
});
