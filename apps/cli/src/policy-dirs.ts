import { findProjectManifest, pathFor, type Env, type SkillsyncPaths } from '@skillsync/core';

export type PolicyScope = 'user' | 'project';

export interface PolicyDir {
  readonly path: string;
  readonly scope: PolicyScope;
}

/**
 * Where each scope keeps its policies: `<config>/policies` (user) and
 * `<project>/.skillsync/policies` next to the project's skillsync.yaml (or under the
 * current folder when there is none). `policy check`, `policy test` and `serve` all
 * look here; the two are one folder when the project is the config folder's parent.
 */
export async function policyDirs(env: Env, paths: SkillsyncPaths): Promise<PolicyDir[]> {
  const p = pathFor(env);
  const manifest = await findProjectManifest(env);
  const projectRoot = manifest === undefined ? env.cwd : p.dirname(manifest);
  const dirs: PolicyDir[] = [{ path: p.join(paths.config, 'policies'), scope: 'user' }];
  const project = p.join(projectRoot, '.skillsync', 'policies');
  if (project !== dirs[0]?.path) dirs.push({ path: project, scope: 'project' });
  return dirs;
}
