import { defineClient } from '../define-client.js';
import { homeDir } from '../locations.js';

export const windsurf = defineClient({
  id: 'windsurf',
  displayName: 'Windsurf',
  docs: ['https://docs.windsurf.com/windsurf/cascade/mcp', 'https://docs.windsurf.com/windsurf/cascade/memories'],
  detectionMarkers: (env) => [{ path: homeDir(env, '.codeium', 'windsurf'), kind: 'dir' }],
});
