import { defineClient } from '../define-client.js';
import { appDataDir, xdgConfigDir } from '../locations.js';

export const goose = defineClient({
  id: 'goose',
  displayName: 'Goose',
  docs: ['https://block.github.io/goose/docs/getting-started/using-extensions'],
  detectionMarkers: (env) => [
    { path: env.platform === 'win32' ? appDataDir(env, 'Block', 'goose', 'config') : xdgConfigDir(env, 'goose'), kind: 'dir' },
  ],
});
