import { defineClient } from '../define-client.js';
import { appDataDir, homeDir } from '../locations.js';

export const vscode = defineClient({
  id: 'vscode',
  displayName: 'VS Code (Copilot)',
  docs: ['https://code.visualstudio.com/docs/copilot/reference/mcp-configuration', 'https://code.visualstudio.com/docs/copilot/customization/agent-skills'],
  detectionMarkers: (env) => [
    { path: appDataDir(env, 'Code', 'User'), kind: 'dir' },
    { path: homeDir(env, '.copilot'), kind: 'dir' },
  ],
});
