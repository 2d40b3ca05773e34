import { defineClient } from '../define-client.js';
import { dirFromVar, homeDir } from '../locations.js';

export const cline = defineClient({
  id: 'cline',
  displayName: 'Cline',
  docs: ['https://docs.cline.bot/mcp/mcp-overview', 'https://docs.cline.bot/customization/skills'],
  detectionMarkers: (env) => [{ path: dirFromVar(env, 'CLINE_DIR') ?? homeDir(env, '.cline'), kind: 'dir' }],
});
