import { defineClient } from '../define-client.js';
import { xdgConfigDir } from '../locations.js';

export const zed = defineClient({
  id: 'zed',
  displayName: 'Zed',
  docs: ['https://zed.dev/docs/ai/mcp', 'https://zed.dev/docs/ai/skills'],
  detectionMarkers: (env) => [{ path: xdgConfigDir(env, env.platform === 'win32' ? 'Zed' : 'zed'), kind: 'dir' }],
});
