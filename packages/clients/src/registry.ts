import type { ClientAdapter } from './define-client.js';
import { amp } from './amp/index.js';
import { claudeCode } from './claude-code/index.js';
import { claudeDesktop } from './claude-desktop/index.js';
import { cline } from './cline/index.js';
import { codex } from './codex/index.js';
import { continueDev } from './continue/index.js';
import { cursor } from './cursor/index.js';
import { geminiCli } from './gemini-cli/index.js';
import { goose } from './goose/index.js';
import { kiro } from './kiro/index.js';
import { opencode } from './opencode/index.js';
import { vscode } from './vscode/index.js';
import { windsurf } from './windsurf/index.js';
import { zed } from './zed/index.js';

/** Every client adapter, in display order. Adding a client = one folder + one line here. */
export const clientAdapters: readonly ClientAdapter[] = [
  claudeCode,
  claudeDesktop,
  cursor,
  windsurf,
  codex,
  vscode,
  geminiCli,
  zed,
  cline,
  opencode,
  goose,
  kiro,
  continueDev,
  amp,
];
