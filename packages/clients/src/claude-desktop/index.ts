import { defineClient, supported, unsupported } from '../define-client.js';
import { defineDialect, mcpServersShape } from '../dialects/index.js';
import { appDataDir } from '../locations.js';

const docs = { mcp: 'https://modelcontextprotocol.io/docs/develop/connect-local-servers' } as const;

const noProject = 'Claude Desktop has no project-level configuration';

export const claudeDesktopDialect = defineDialect({
  clientName: 'Claude Desktop',
  // Remote servers are added as Custom Connectors in the app, not in this file (a `url` entry is UNCONFIRMED/unsupported).
  transports: ['stdio'],
  interpolation: { kind: 'none', reason: 'Claude Desktop expands no variables (its troubleshooting shows ${APPDATA} arriving literally)' },
  toolAllowList: { kind: 'gateway-only', reason: 'Claude Desktop sets tool permissions in its UI only' },
  untypedRemote: 'detected',
  // `cwd` is UNCONFIRMED (the docs advise absolute paths because the working directory is undefined), so it is not written.
  shape: mcpServersShape({ typeKey: undefined, typeValues: {}, remoteTransportDetected: false, keys: { headers: undefined } }),
});

export const claudeDesktop = defineClient({
  id: 'claude-desktop',
  displayName: 'Claude Desktop',
  docs: [docs.mcp],
  // Linux: no official path; third-party tools agree on ~/.config/Claude (UNCONFIRMED upstream).
  detectionMarkers: (env) => [
    { path: appDataDir(env, 'Claude', 'claude_desktop_config.json'), kind: 'file' },
    { path: appDataDir(env, 'Claude'), kind: 'dir' },
  ],
  connectorDialect: claudeDesktopDialect,
  capabilities: {
    user: {
      connectors: supported('official', 'read only at launch: quit and restart Claude Desktop after a sync'),
      skills: unsupported('Claude Desktop keeps skills in the app and claude.ai, not in files'),
      instructions: unsupported('Claude Desktop has no instruction file on disk'),
    },
    project: { connectors: unsupported(noProject), skills: unsupported(noProject), instructions: unsupported(noProject) },
  },
  locations: {
    user: (env) => ({
      connectors: {
        path: appDataDir(env, 'Claude', 'claude_desktop_config.json'),
        format: 'json',
        keyPath: ['mcpServers'],
        container: 'map',
        docs: docs.mcp,
        evidence: env.platform === 'linux' ? 'unconfirmed' : 'official',
      },
    }),
    project: () => ({}),
  },
});
