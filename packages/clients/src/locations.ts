import { pathFor, type Env } from '@skillsync/core';

/**
 * The per-OS base folders client files live under. One place, so an adapter never
 * spells out `%APPDATA%` or `~/Library` itself, and every OS is testable on Linux.
 */
export function homeDir(env: Env, ...parts: string[]): string {
  return pathFor(env).join(env.home, ...parts);
}

/** A path inside the project; a relative root is taken from `env.cwd`. */
export function projectDir(env: Env, projectRoot: string, ...parts: string[]): string {
  const p = pathFor(env);
  return p.join(p.resolve(env.cwd, projectRoot), ...parts);
}

/** `$XDG_CONFIG_HOME` or `~/.config` on Linux and macOS; `%APPDATA%` on Windows. */
export function xdgConfigDir(env: Env, ...parts: string[]): string {
  if (env.platform === 'win32') return appDataDir(env, ...parts);
  return unixConfigDir(env, ...parts);
}

/**
 * `$XDG_CONFIG_HOME` or `~/.config` on every OS, Windows included: tools built on
 * `xdg-basedir` (opencode, Amp) keep `~/.config` there too.
 */
export function unixConfigDir(env: Env, ...parts: string[]): string {
  const p = pathFor(env);
  return p.join(absoluteVar(env, 'XDG_CONFIG_HOME') ?? p.join(env.home, '.config'), ...parts);
}

/** The OS's per-user application data folder (desktop apps keep settings there). */
export function appDataDir(env: Env, ...parts: string[]): string {
  const p = pathFor(env);
  if (env.platform === 'win32') return p.join(absoluteVar(env, 'APPDATA') ?? p.join(env.home, 'AppData', 'Roaming'), ...parts);
  if (env.platform === 'darwin') return p.join(env.home, 'Library', 'Application Support', ...parts);
  return unixConfigDir(env, ...parts);
}

/** A CLI's config folder that is XDG on Linux and macOS but has its own name under `%APPDATA%` (Zed, Goose). */
export function appConfigDir(env: Env, names: { readonly unix: readonly string[]; readonly win32: readonly string[] }): string {
  return env.platform === 'win32' ? appDataDir(env, ...names.win32) : unixConfigDir(env, ...names.unix);
}

/** An environment variable naming a folder or file, when set and not empty; a relative value is taken from `env.cwd`. */
export function dirFromVar(env: Env, name: string): string | undefined {
  const value = env.vars[name];
  if (value === undefined || value === '') return undefined;
  return pathFor(env).resolve(env.cwd, value);
}

/**
 * The cross-client skills folder (`~/.agents/skills`, `<project>/.agents/skills`) that
 * most clients read: written once for all of them.
 */
export function sharedSkillsDir(env: Env, scope: 'user' | 'project', projectRoot?: string): string {
  return scope === 'user' ? homeDir(env, '.agents', 'skills') : projectDir(env, projectRoot ?? env.cwd, '.agents', 'skills');
}

/** The project's `AGENTS.md`, read by most clients: written once for all of them. */
export function sharedInstructionsFile(env: Env, projectRoot: string): string {
  return projectDir(env, projectRoot, 'AGENTS.md');
}

/** XDG says relative values are invalid and must be ignored; APPDATA is absolute by construction. */
function absoluteVar(env: Env, name: string): string | undefined {
  const value = env.vars[name];
  if (value === undefined || value === '') return undefined;
  return pathFor(env).isAbsolute(value) ? value : undefined;
}
