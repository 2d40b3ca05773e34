import { defineClient } from '../define-client.js';
import { xdgConfigDir } from '../locations.js';

export const opencode = defineClient({
  id: 'opencode',
  displayName: 'opencode',
  docs: ['https://opencode.ai/docs/mcp-servers/', 'https://opencode.ai/docs/skills/'],
  detectionMarkers: (env) => [{ path: xdgConfigDir(env, 'opencode'), kind: 'dir' }],
});
