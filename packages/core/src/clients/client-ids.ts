/** Every AI client skillsync knows, by stable id. The order is the display order. */
export const KNOWN_CLIENT_IDS = [
  'claude-code',
  'claude-desktop',
  'cursor',
  'windsurf',
  'codex',
  'vscode',
  'gemini-cli',
  'zed',
  'cline',
  'opencode',
  'goose',
  'kiro',
  'continue',
  'amp',
] as const;

export type ClientId = (typeof KNOWN_CLIENT_IDS)[number];

export function isClientId(value: string): value is ClientId {
  return (KNOWN_CLIENT_IDS as readonly string[]).includes(value);
}
