import { stat } from 'node:fs/promises';
import { pathFor, type Env } from '../env/env.js';
import { skillsyncPaths } from '../env/paths.js';
import { readTextIfExists } from '../fs/read-text-if-exists.js';
import { MANIFEST_FILE } from './manifest-names.js';
import { mergeManifests, type EffectiveManifest, type ManifestFileScope, type ScopedManifest } from './merge-manifests.js';
import type { ManifestFinding } from './parse-manifest.js';
import { parseManifestCached, type ManifestCache } from './parsed-manifest-cache.js';

/**
 * The project manifest: the nearest `skillsync.yaml` in `env.cwd` or one of its
 * parents, or undefined. The user manifest (in the config folder) is never taken
 * for a project one, even when the walk passes through it.
 */
export async function findProjectManifest(env: Env): Promise<string | undefined> {
  const p = pathFor(env);
  const userManifest = skillsyncPaths(env).userManifest;
  let dir = p.resolve(env.cwd);
  for (;;) {
    const candidate = p.join(dir, MANIFEST_FILE);
    if (candidate !== userManifest && (await isFile(candidate))) return candidate;
    const parent = p.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/** A manifest file read from disk: its text (for edits) and what parsing found. */
export interface LoadedManifest {
  readonly scope: ManifestFileScope;
  readonly file: string;
  readonly text: string;
  /** Undefined when the findings hold an error. */
  readonly manifest: ScopedManifest | undefined;
  readonly findings: readonly ManifestFinding[];
}

/** Reads and parses one manifest file (through `cache` when given); undefined when it does not exist. */
export async function readManifestFile(file: string, scope: ManifestFileScope, cache?: ManifestCache): Promise<LoadedManifest | undefined> {
  const text = await readTextIfExists(file);
  if (text === undefined) return undefined;
  const { manifest, findings } = await parseManifestCached(text, file, cache);
  return { scope, file, text, manifest: manifest === undefined ? undefined : { scope, file, manifest }, findings };
}

export interface LoadedManifests {
  readonly user: LoadedManifest | undefined;
  readonly project: LoadedManifest | undefined;
  /** Every finding of both files; the effective manifest leaves out a file with errors. */
  readonly findings: readonly ManifestFinding[];
  readonly effective: EffectiveManifest;
}

export interface LoadManifestsOptions {
  /** Keep parsed manifests here (see `parseManifestCached`); without it every load parses. */
  readonly cache?: ManifestCache;
}

/** Reads the user and project manifests of `env` and stacks them (`mergeManifests`). */
export async function loadManifests(env: Env, options: LoadManifestsOptions = {}): Promise<LoadedManifests> {
  const projectFile = await findProjectManifest(env);
  const [user, project] = await Promise.all([
    readManifestFile(skillsyncPaths(env).userManifest, 'user', options.cache),
    projectFile === undefined ? undefined : readManifestFile(projectFile, 'project', options.cache),
  ]);
  return {
    user,
    project,
    findings: [...(user?.findings ?? []), ...(project?.findings ?? [])],
    effective: mergeManifests(user?.manifest, project?.manifest),
  };
}

async function isFile(file: string): Promise<boolean> {
  try {
    return (await stat(file)).isFile();
  } catch {
    return false;
  }
}
