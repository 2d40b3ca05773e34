import { defineClient, supported, unsupported } from '../define-client.js';
import { defineDialect, mcpServersShape } from '../dialects/index.js';
import { homeDir, projectDir, sharedInstructionsFile, sharedSkillsDir } from '../locations.js';

const docs = {
  mcp: 'https://cursor.com/docs/mcp',
  skills: 'https://cursor.com/docs/skills',
  rules: 'https://cursor.com/docs/rules',
} as const;

export const cursorDialect = defineDialect({
  clientName: 'Cursor',
  // A `url` entry serves Streamable HTTP or SSE; Cursor tells them apart itself.
  transports: ['stdio', 'http', 'sse'],
  interpolation: { kind: 'template', syntax: '${env:NAME}', fields: ['command', 'args', 'env', 'url', 'headers'] },
  toolAllowList: { kind: 'gateway-only', reason: 'Cursor keeps tool approval in the app, not in mcp.json' },
  untypedRemote: 'detected',
  // No documented `cwd` or on/off field (the toggle is app state).
  shape: mcpServersShape({ typeValues: { stdio: 'stdio' }, remoteTransportDetected: true }),
});

export const cursor = defineClient({
  id: 'cursor',
  displayName: 'Cursor',
  docs: [docs.mcp, docs.skills, docs.rules],
  detectionMarkers: (env) => [{ path: homeDir(env, '.cursor'), kind: 'dir' }],
  connectorDialect: cursorDialect,
  capabilities: {
    user: {
      connectors: supported('official'),
      skills: supported('official'),
      instructions: unsupported('Cursor keeps user rules in its Settings, not on disk'),
    },
    project: {
      connectors: supported('official'),
      skills: supported('official'),
      instructions: supported('official', 'Cursor also loads AGENTS.md: the same text there would show twice'),
    },
  },
  locations: {
    user: (env) => ({
      // Comments in mcp.json are UNCONFIRMED: treated as strict JSON.
      connectors: { path: homeDir(env, '.cursor', 'mcp.json'), format: 'json', keyPath: ['mcpServers'], container: 'map', docs: docs.mcp, evidence: 'official' },
      skills: {
        path: sharedSkillsDir(env, 'user'),
        shared: true,
        alsoReads: [homeDir(env, '.cursor', 'skills'), homeDir(env, '.claude', 'skills'), homeDir(env, '.codex', 'skills')],
        docs: docs.skills,
        evidence: 'official',
      },
    }),
    project: (env, root) => ({
      connectors: { path: projectDir(env, root, '.cursor', 'mcp.json'), format: 'json', keyPath: ['mcpServers'], container: 'map', docs: docs.mcp, evidence: 'official' },
      skills: {
        path: sharedSkillsDir(env, 'project', root),
        shared: true,
        alsoReads: [projectDir(env, root, '.cursor', 'skills'), projectDir(env, root, '.claude', 'skills'), projectDir(env, root, '.codex', 'skills')],
        docs: docs.skills,
        evidence: 'official',
      },
      instructions: {
        path: projectDir(env, root, '.cursor', 'rules', 'skillsync.mdc'),
        format: 'mdc',
        ownership: 'file',
        // Without frontmatter a rule is manual-only; alwaysApply puts it in every request.
        frontmatter: { description: 'Instructions managed by skillsync', alwaysApply: true },
        shared: false,
        alsoReads: [sharedInstructionsFile(env, root)],
        docs: docs.rules,
        evidence: 'official',
        // `globs` attaches the rule to matching files; alwaysApply false keeps it out of other requests.
        scopedRules: {
          dir: projectDir(env, root, '.cursor', 'rules'),
          extension: '.mdc',
          format: 'mdc',
          nameKey: 'description',
          frontmatter: { alwaysApply: false },
          globKey: 'globs',
          globForm: 'comma-separated',
          docs: docs.rules,
          evidence: 'official',
        },
      },
    }),
  },
});
