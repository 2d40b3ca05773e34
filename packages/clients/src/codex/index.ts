import { defineClient } from '../define-client.js';
import { dirFromVar, homeDir } from '../locations.js';

export const codex = defineClient({
  id: 'codex',
  displayName: 'Codex CLI',
  docs: ['https://developers.openai.com/codex/mcp', 'https://github.com/openai/codex/blob/main/docs/agents_md.md'],
  detectionMarkers: (env) => [{ path: dirFromVar(env, 'CODEX_HOME') ?? homeDir(env, '.codex'), kind: 'dir' }],
});
