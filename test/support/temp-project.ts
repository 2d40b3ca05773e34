import { mkdir, mkdtemp, realpath, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createEnv, skillsyncPaths, type Env, type SkillsyncPaths } from '@skillsync/core';
import { afterEach, beforeEach } from 'vitest';

/** A throw-away home, project folder and SKILLSYNC_HOME for each test, with the Env of a person working in the project. */
export interface TempProject {
  readonly root: string;
  readonly project: string;
  readonly env: Env;
  readonly paths: SkillsyncPaths;
}

/** Registers the hooks that make a fresh `TempProject` before each test and remove it after; read it through the getter. */
export function useTempProject(prefix: string): () => TempProject {
  let current: TempProject | undefined;
  beforeEach(async () => {
    const root = await realpath(await mkdtemp(path.join(os.tmpdir(), prefix)));
    const project = path.join(root, 'project');
    await mkdir(path.join(root, 'home'));
    await mkdir(project);
    const env = createEnv({ home: path.join(root, 'home'), cwd: project, platform: 'linux', vars: { SKILLSYNC_HOME: path.join(root, 'skillsync') } });
    current = { root, project, env, paths: skillsyncPaths(env) };
  });
  afterEach(async () => {
    if (current !== undefined) await rm(current.root, { recursive: true, force: true });
    current = undefined;
  });
  return () => {
    if (current === undefined) throw new Error('useTempProject: read only inside a test');
    return current;
  };
}
