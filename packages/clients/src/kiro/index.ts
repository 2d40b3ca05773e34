import { defineClient } from '../define-client.js';
import { homeDir } from '../locations.js';

export const kiro = defineClient({
  id: 'kiro',
  displayName: 'Kiro',
  docs: ['https://kiro.dev/docs/mcp/configuration'],
  detectionMarkers: (env) => [{ path: homeDir(env, '.kiro'), kind: 'dir' }],
});
