import type { PlatformPath } from 'node:path';
import path from 'node:path';

export type Platform = 'linux' | 'darwin' | 'win32';

/**
 * Everything environmental that skillsync code may depend on. Only `apps/` build
 * one from the real process (`processEnv`); libraries take it as a parameter, so
 * tests inject a temp HOME, another platform or a fixed clock without mocking.
 */
export interface Env {
  readonly home: string;
  readonly cwd: string;
  readonly platform: Platform;
  readonly vars: Readonly<Record<string, string | undefined>>;
  readonly now: () => Date;
}

export function createEnv(options: Partial<Env> & Pick<Env, 'home' | 'cwd'>): Env {
  return {
    platform: 'linux',
    vars: {},
    now: () => new Date(),
    ...options,
  };
}

/** The `node:path` flavour matching the env's platform, so Windows paths are testable on Linux. */
export function pathFor(env: Pick<Env, 'platform'>): PlatformPath {
  return env.platform === 'win32' ? path.win32 : path.posix;
}
