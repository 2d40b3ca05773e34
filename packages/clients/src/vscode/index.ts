import { defineClient, supported, type ScopedRulesLocation } from '../define-client.js';
import { defineDialect, mcpServersShape } from '../dialects/index.js';
import { appDataDir, homeDir, projectDir, sharedInstructionsFile, sharedSkillsDir } from '../locations.js';

const docs = {
  mcp: 'https://code.visualstudio.com/docs/copilot/reference/mcp-configuration',
  skills: 'https://code.visualstudio.com/docs/copilot/customization/agent-skills',
  instructions: 'https://code.visualstudio.com/docs/copilot/customization/custom-instructions',
} as const;

/** `*.instructions.md` files whose `applyTo` glob (relative to the workspace root) attaches them to matching files. */
function scopedRules(dir: string): ScopedRulesLocation {
  // One string: VS Code splits it on commas outside braces itself.
  return { dir, extension: '.instructions.md', format: 'markdown', nameKey: 'description', globKey: 'applyTo', globForm: 'string', docs: docs.instructions, evidence: 'official' };
}

export const vscodeDialect = defineDialect({
  clientName: 'VS Code',
  transports: ['stdio', 'http', 'sse'],
  // VS Code resolves its predefined variables (`${env:NAME}` among them) in every string of the entry.
  interpolation: { kind: 'template', syntax: '${env:NAME}', fields: ['command', 'args', 'env', 'cwd', 'url', 'headers'] },
  toolAllowList: { kind: 'gateway-only', reason: 'VS Code picks tools per chat in its UI; mcp.json has no allow-list' },
  untypedRemote: 'detected',
  // `cwd` is not in the reference but real .vscode/mcp.json files use it (corpus: microsoft/vscode, github/awesome-copilot).
  shape: mcpServersShape({ typeValues: { stdio: 'stdio', http: 'http', sse: 'sse' }, remoteTransportDetected: false, keys: { cwd: 'cwd' } }),
});

export const vscode = defineClient({
  id: 'vscode',
  displayName: 'VS Code (Copilot)',
  docs: [docs.mcp, docs.skills, docs.instructions],
  detectionMarkers: (env) => [
    { path: appDataDir(env, 'Code', 'User'), kind: 'dir' },
    { path: homeDir(env, '.copilot'), kind: 'dir' },
  ],
  connectorDialect: vscodeDialect,
  capabilities: {
    user: {
      connectors: supported('secondary', 'only the default profile: users on another VS Code profile keep their own mcp.json'),
      skills: supported('official'),
      instructions: supported('official'),
    },
    project: {
      connectors: supported('official'),
      skills: supported('official'),
      instructions: supported('official', 'VS Code also loads AGENTS.md and CLAUDE.md: the same text there would show twice'),
    },
  },
  locations: {
    user: (env) => ({
      // The default-profile path is secondary (many tools agree); JSONC comments are UNCONFIRMED for this file but VS Code parses its JSON as JSONC.
      connectors: { path: appDataDir(env, 'Code', 'User', 'mcp.json'), format: 'jsonc', keyPath: ['servers'], container: 'map', docs: docs.mcp, evidence: 'secondary' },
      skills: {
        path: sharedSkillsDir(env, 'user'),
        shared: true,
        alsoReads: [homeDir(env, '.copilot', 'skills'), homeDir(env, '.claude', 'skills')],
        docs: docs.skills,
        evidence: 'official',
      },
      instructions: {
        path: homeDir(env, '.copilot', 'instructions', 'skillsync.instructions.md'),
        format: 'markdown',
        ownership: 'file',
        // Without applyTo an instructions file is manual-only.
        frontmatter: { applyTo: '**' },
        shared: false,
        alsoReads: [homeDir(env, '.claude', 'CLAUDE.md')],
        docs: docs.instructions,
        evidence: 'official',
        scopedRules: scopedRules(homeDir(env, '.copilot', 'instructions')),
      },
    }),
    project: (env, root) => ({
      connectors: { path: projectDir(env, root, '.vscode', 'mcp.json'), format: 'jsonc', keyPath: ['servers'], container: 'map', docs: docs.mcp, evidence: 'official' },
      skills: {
        path: sharedSkillsDir(env, 'project', root),
        shared: true,
        alsoReads: [projectDir(env, root, '.github', 'skills'), projectDir(env, root, '.claude', 'skills')],
        docs: docs.skills,
        evidence: 'official',
      },
      instructions: {
        path: projectDir(env, root, '.github', 'copilot-instructions.md'),
        format: 'markdown',
        ownership: 'block',
        shared: false,
        alsoReads: [sharedInstructionsFile(env, root), projectDir(env, root, 'CLAUDE.md'), projectDir(env, root, '.github', 'instructions')],
        docs: docs.instructions,
        evidence: 'official',
        scopedRules: scopedRules(projectDir(env, root, '.github', 'instructions')),
      },
    }),
  },
});
