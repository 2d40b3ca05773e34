import { defineClient } from '../define-client.js';
import { homeDir } from '../locations.js';

export const cursor = defineClient({
  id: 'cursor',
  displayName: 'Cursor',
  docs: ['https://cursor.com/docs/mcp', 'https://cursor.com/docs/skills', 'https://cursor.com/docs/rules'],
  detectionMarkers: (env) => [{ path: homeDir(env, '.cursor'), kind: 'dir' }],
});
