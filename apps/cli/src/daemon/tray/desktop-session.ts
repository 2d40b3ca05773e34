import type { Env } from '@skillsync/core';

/** Why no tray icon can be shown in this session, or undefined when one can. macOS and Windows always have a desktop session for a user's process. */
export function missingDesktopSession(env: Env): string | undefined {
  if (env.platform !== 'linux') return undefined;
  const { DISPLAY, WAYLAND_DISPLAY } = env.vars;
  if ((DISPLAY ?? '') !== '' || (WAYLAND_DISPLAY ?? '') !== '') return undefined;
  return 'no desktop session (neither DISPLAY nor WAYLAND_DISPLAY is set)';
}
