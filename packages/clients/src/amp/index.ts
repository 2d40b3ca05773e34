import { defineClient } from '../define-client.js';
import { xdgConfigDir } from '../locations.js';

export const amp = defineClient({
  id: 'amp',
  displayName: 'Amp',
  docs: ['https://ampcode.com/manual'],
  detectionMarkers: (env) => [{ path: xdgConfigDir(env, 'amp'), kind: 'dir' }],
});
