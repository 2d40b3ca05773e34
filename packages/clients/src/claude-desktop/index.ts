import { defineClient } from '../define-client.js';
import { appDataDir } from '../locations.js';

export const claudeDesktop = defineClient({
  id: 'claude-desktop',
  displayName: 'Claude Desktop',
  docs: ['https://modelcontextprotocol.io/docs/develop/connect-local-servers'],
  // Linux: no official path; third-party tools agree on ~/.config/Claude (UNCONFIRMED upstream).
  detectionMarkers: (env) => [
    { path: appDataDir(env, 'Claude', 'claude_desktop_config.json'), kind: 'file' },
    { path: appDataDir(env, 'Claude'), kind: 'dir' },
  ],
});
