import type { PlatformPath } from 'node:path';
import { clientAdapters } from '@skillsync/clients';
import { LOCKFILE_FILE, MANIFEST_FILE, pathFor, type Env, type LoadedManifests, type SkillsyncPaths } from '@skillsync/core';
import { registryIndexFile } from '@skillsync/registry';
import { listInstructionFiles } from '@skillsync/sync';
import { userLockfileFile } from '../org-scope.js';
import type { ScopePlan } from '../sync-context.js';

/** What the daemon watches. Absolute paths, sorted, without repeats. */
export interface WatchTargets {
  /** Files (and folders whose appearance matters) whose creation, change or removal counts; most need not exist. */
  readonly paths: readonly string[];
  /** Folders watched with everything in them: the skill folders skillsync manages in each client. */
  readonly trees: readonly string[];
}

export interface WatchTargetsInput {
  readonly env: Env;
  readonly paths: SkillsyncPaths;
  readonly manifests: LoadedManifests;
  /** The plans of the scopes that have a manifest (empty when planning failed): their clients' files are watched. */
  readonly plans: readonly ScopePlan[];
}

/**
 * Everything whose change can make a client drift, or change what the daemon should
 * watch: both manifests (the project one in the folder the daemon started in when
 * there is none yet), their lockfiles and instruction sources, each planned client's
 * files for the scope (connector files with their alternatives, the instruction file
 * and the rule files of scoped instructions, the skills folder), the skill folders of
 * that client skillsync manages, where
 * every known client would be detected (so one installed later is picked up), and the
 * registry logins (a login or logout changes which org profiles apply). Pure.
 */
export function deriveWatchTargets(input: WatchTargetsInput): WatchTargets {
  const { env, manifests } = input;
  const p = pathFor(env);
  const paths = new Set<string>([input.paths.userManifest, manifests.project?.file ?? p.join(env.cwd, MANIFEST_FILE)]);
  for (const loaded of [manifests.user, manifests.project]) if (loaded !== undefined) paths.add(p.join(p.dirname(loaded.file), LOCKFILE_FILE));
  paths.add(registryIndexFile(env));
  // The org's skills are locked in the user lockfile, user manifest or not.
  if (input.plans.some((plan) => plan.scope === 'user')) paths.add(userLockfileFile(env));
  for (const file of listInstructionFiles(manifests.effective)) paths.add(file);
  const trees = new Set<string>();
  for (const { scope, projectRoot, clients, plan } of input.plans) {
    for (const adapter of clientAdapters.filter((candidate) => clients.includes(candidate.id))) {
      const { connectors, instructions, skills } = adapter.locations(env, scope, projectRoot);
      if (connectors.kind === 'supported') for (const file of [connectors.path, ...(connectors.alternatives ?? [])]) paths.add(file);
      if (instructions.kind === 'supported') paths.add(instructions.path);
      if (skills.kind === 'supported') paths.add(skills.path);
    }
    for (const item of plan.items) {
      if (item.kind === 'skill' && item.status !== 'unmanaged' && item.path !== undefined) trees.add(item.path);
      // The rule files of scoped instructions are named by the plan, not by the adapter.
      if (item.kind === 'instructions' && item.path !== undefined) paths.add(item.path);
    }
  }
  for (const adapter of clientAdapters) for (const marker of adapter.detectionMarkers(env)) paths.add(marker.path);
  return { paths: [...paths].sort(), trees: [...trees].sort() };
}

/**
 * Which paths under the watched roots matter: a target itself, anything inside a
 * tree, and every folder on the way down to a target (so a client folder created
 * later is entered, and the file then created in it is seen). Everything else a
 * root holds (the rest of a home folder, someone else's skills) is never watched.
 */
export function relevantPaths(targets: WatchTargets, p: PlatformPath): (file: string) => boolean {
  const exact = new Set(targets.paths);
  const trees = new Set(targets.trees);
  const ancestors = new Set<string>();
  for (const target of [...targets.paths, ...targets.trees]) {
    for (let dir = p.dirname(target); !ancestors.has(dir); dir = p.dirname(dir)) {
      ancestors.add(dir);
      if (p.dirname(dir) === dir) break;
    }
  }
  return (file) => {
    if (exact.has(file) || ancestors.has(file)) return true;
    for (let dir = file; ; dir = p.dirname(dir)) {
      if (trees.has(dir)) return true;
      if (p.dirname(dir) === dir) return false;
    }
  };
}

/** Targets are equal when they name the same paths and trees (both sorted). */
export function sameTargets(left: WatchTargets, right: WatchTargets): boolean {
  const equal = (a: readonly string[], b: readonly string[]): boolean => a.length === b.length && a.every((value, index) => value === b[index]);
  return equal(left.paths, right.paths) && equal(left.trees, right.trees);
}
