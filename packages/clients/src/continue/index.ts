import { defineClient } from '../define-client.js';
import { homeDir } from '../locations.js';

export const continueDev = defineClient({
  id: 'continue',
  displayName: 'Continue',
  docs: ['https://docs.continue.dev/customize/deep-dives/mcp'],
  detectionMarkers: (env) => [{ path: homeDir(env, '.continue'), kind: 'dir' }],
});
