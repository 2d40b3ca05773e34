import { defineClient, supported } from '../define-client.js';
import { defineDialect, mcpServersShape } from '../dialects/index.js';
import { homeDir, projectDir, sharedInstructionsFile, sharedSkillsDir } from '../locations.js';

const docs = {
  mcp: 'https://github.com/google-gemini/gemini-cli/blob/main/docs/tools/mcp-server.md',
  skills: 'https://github.com/google-gemini/gemini-cli/blob/main/docs/cli/skills.md',
  context: 'https://github.com/google-gemini/gemini-cli/blob/main/docs/cli/gemini-md.md',
} as const;

export const geminiCliDialect = defineDialect({
  clientName: 'Gemini CLI',
  transports: ['stdio', 'http', 'sse'],
  // Any string in settings.json; `$NAME` works as well as `${NAME}`, so a literal `$X` would change meaning.
  interpolation: { kind: 'template', syntax: '${NAME}', fields: ['command', 'args', 'env', 'cwd', 'url', 'headers'], bareDollar: true },
  toolAllowList: { kind: 'field', field: 'includeTools' },
  // `type` may be omitted (auto-detect) but is written so the transport is explicit; legacy `httpUrl` is read.
  untypedRemote: 'detected',
  shape: mcpServersShape({ typeValues: { http: 'http', sse: 'sse' }, remoteTransportDetected: false, keys: { cwd: 'cwd' }, description: true }),
});

export const geminiCli = defineClient({
  id: 'gemini-cli',
  displayName: 'Gemini CLI',
  docs: [docs.mcp, docs.skills, docs.context],
  detectionMarkers: (env) => [{ path: homeDir(env, '.gemini'), kind: 'dir' }],
  connectorDialect: geminiCliDialect,
  capabilities: {
    user: { connectors: supported('official'), skills: supported('official'), instructions: supported('official') },
    project: {
      connectors: supported('official', 'Gemini CLI reads a project .gemini/settings.json only in trusted folders'),
      skills: supported('official'),
      instructions: supported('official'),
    },
  },
  locations: {
    user: (env) => ({
      connectors: { path: homeDir(env, '.gemini', 'settings.json'), format: 'jsonc', keyPath: ['mcpServers'], container: 'map', docs: docs.mcp, evidence: 'official' },
      skills: { path: sharedSkillsDir(env, 'user'), shared: true, alsoReads: [homeDir(env, '.gemini', 'skills')], docs: docs.skills, evidence: 'official' },
      instructions: { path: homeDir(env, '.gemini', 'GEMINI.md'), format: 'markdown', ownership: 'block', shared: false, alsoReads: [], docs: docs.context, evidence: 'official' },
    }),
    project: (env, root) => ({
      connectors: { path: projectDir(env, root, '.gemini', 'settings.json'), format: 'jsonc', keyPath: ['mcpServers'], container: 'map', docs: docs.mcp, evidence: 'official' },
      skills: { path: sharedSkillsDir(env, 'project', root), shared: true, alsoReads: [projectDir(env, root, '.gemini', 'skills')], docs: docs.skills, evidence: 'official' },
      instructions: {
        path: projectDir(env, root, 'GEMINI.md'),
        format: 'markdown',
        ownership: 'block',
        shared: false,
        // Only when the user sets context.fileName to include it.
        alsoReads: [sharedInstructionsFile(env, root)],
        docs: docs.context,
        evidence: 'official',
      },
    }),
  },
});
