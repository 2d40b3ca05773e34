import { defineClient } from '../define-client.js';
import { homeDir } from '../locations.js';

export const geminiCli = defineClient({
  id: 'gemini-cli',
  displayName: 'Gemini CLI',
  docs: ['https://github.com/google-gemini/gemini-cli/blob/main/docs/tools/mcp-server.md', 'https://github.com/google-gemini/gemini-cli/blob/main/docs/cli/skills.md'],
  detectionMarkers: (env) => [{ path: homeDir(env, '.gemini'), kind: 'dir' }],
});
