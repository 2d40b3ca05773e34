import { pathFor, type Env } from './env.js';

/** Where skillsync keeps its own files. */
export interface SkillsyncPaths {
  /** User-editable configuration: the user-scope skillsync.yaml lives here. */
  readonly config: string;
  /** Durable data: the content-addressed store. */
  readonly data: string;
  /** Re-creatable downloads. */
  readonly cache: string;
  /** Run state: journals, backups, locks, logs. */
  readonly state: string;
  /** The content-addressed package store. */
  readonly store: string;
  /** The user-scope manifest. */
  readonly userManifest: string;
}

const APP = 'skillsync';

/**
 * The one place that decides skillsync's directories per platform.
 * `SKILLSYNC_HOME` puts everything under one folder (tests, portable installs);
 * otherwise Linux follows XDG, macOS the Library folders (config stays in
 * `~/.config` as CLI users expect), Windows `%APPDATA%` / `%LOCALAPPDATA%`.
 */
export function skillsyncPaths(env: Env): SkillsyncPaths {
  const p = pathFor(env);
  const v = env.vars;
  const override = nonEmpty(v.SKILLSYNC_HOME);
  let config: string;
  let data: string;
  let cache: string;
  let state: string;
  if (override !== undefined) {
    const root = p.resolve(env.cwd, override);
    config = p.join(root, 'config');
    data = p.join(root, 'data');
    cache = p.join(root, 'cache');
    state = p.join(root, 'state');
  } else if (env.platform === 'win32') {
    const roaming = nonEmpty(v.APPDATA) ?? p.join(env.home, 'AppData', 'Roaming');
    const local = nonEmpty(v.LOCALAPPDATA) ?? p.join(env.home, 'AppData', 'Local');
    config = p.join(roaming, APP);
    data = p.join(local, APP, 'Data');
    cache = p.join(local, APP, 'Cache');
    state = p.join(local, APP, 'State');
  } else if (env.platform === 'darwin') {
    const library = p.join(env.home, 'Library');
    config = p.join(nonEmpty(v.XDG_CONFIG_HOME) ?? p.join(env.home, '.config'), APP);
    data = p.join(library, 'Application Support', APP);
    cache = p.join(library, 'Caches', APP);
    state = p.join(library, 'Application Support', APP, 'state');
  } else {
    config = p.join(nonEmpty(v.XDG_CONFIG_HOME) ?? p.join(env.home, '.config'), APP);
    data = p.join(nonEmpty(v.XDG_DATA_HOME) ?? p.join(env.home, '.local', 'share'), APP);
    cache = p.join(nonEmpty(v.XDG_CACHE_HOME) ?? p.join(env.home, '.cache'), APP);
    state = p.join(nonEmpty(v.XDG_STATE_HOME) ?? p.join(env.home, '.local', 'state'), APP);
  }
  return {
    config,
    data,
    cache,
    state,
    store: p.join(data, 'store'),
    userManifest: p.join(config, 'skillsync.yaml'),
  };
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}
