import { defineClient } from '../define-client.js';
import { dirFromVar, homeDir } from '../locations.js';
import { pathFor } from '@skillsync/core';

export const claudeCode = defineClient({
  id: 'claude-code',
  displayName: 'Claude Code',
  docs: ['https://code.claude.com/docs/en/mcp', 'https://code.claude.com/docs/en/skills', 'https://code.claude.com/docs/en/memory'],
  detectionMarkers: (env) => {
    const configDir = dirFromVar(env, 'CLAUDE_CONFIG_DIR');
    if (configDir !== undefined) return [{ path: pathFor(env).join(configDir, '.claude.json'), kind: 'file' }, { path: configDir, kind: 'dir' }];
    return [
      { path: homeDir(env, '.claude.json'), kind: 'file' },
      { path: homeDir(env, '.claude'), kind: 'dir' },
    ];
  },
});
