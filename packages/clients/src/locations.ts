import { pathFor, type Env } from '@skillsync/core';

/**
 * The per-OS base folders client files live under. One place, so an adapter never
 * spells out `%APPDATA%` or `~/Library` itself.
 */
export function homeDir(env: Env, ...parts: string[]): string {
  return pathFor(env).join(env.home, ...parts);
}

/** `~/.config` (or `$XDG_CONFIG_HOME`) on Linux and macOS; `%APPDATA%` on Windows. */
export function xdgConfigDir(env: Env, ...parts: string[]): string {
  const p = pathFor(env);
  if (env.platform === 'win32') return appDataDir(env, ...parts);
  const base = env.vars.XDG_CONFIG_HOME ?? p.join(env.home, '.config');
  return p.join(base, ...parts);
}

/** The OS's per-user application data folder (desktop apps keep settings there). */
export function appDataDir(env: Env, ...parts: string[]): string {
  const p = pathFor(env);
  if (env.platform === 'win32') return p.join(env.vars.APPDATA ?? p.join(env.home, 'AppData', 'Roaming'), ...parts);
  if (env.platform === 'darwin') return p.join(env.home, 'Library', 'Application Support', ...parts);
  return p.join(env.vars.XDG_CONFIG_HOME ?? p.join(env.home, '.config'), ...parts);
}

/** An environment variable naming a folder, when set and not empty. */
export function dirFromVar(env: Env, name: string): string | undefined {
  const value = env.vars[name];
  return value === undefined || value === '' ? undefined : value;
}
