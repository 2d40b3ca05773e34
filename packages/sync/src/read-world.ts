import type { ClientAdapter } from '@skillsync/clients';
import { isSkillsyncError, mapConcurrent, pathFor, readTextIfExists, type Env } from '@skillsync/core';
import { hashSkillFolder } from '@skillsync/store';
import type { DesiredState } from './create-desired-state.js';
import type { Journal } from './journal.js';

export interface ReadWorldOptions {
  readonly env: Env;
  readonly scope: 'user' | 'project';
  /** Defaults to `env.cwd` (project scope only), as in `planSync`. */
  readonly projectRoot?: string;
  readonly clients: readonly ClientAdapter[];
  /** The skill names whose folders to hash in every skills location (`skillNamesToRead` gives them). */
  readonly skillNames: readonly string[];
}

/** What `planSync` compares against: the files and skill folders on disk now. */
export interface World {
  readonly files: Map<string, string | undefined>;
  readonly skillDirs: Map<string, { readonly integrity: string } | undefined>;
}

/**
 * Stands for a skill folder that exists but cannot be a copy of a package (a link
 * or special file inside). Present, so the planner never treats it as absent and
 * writes over it; equal to no integrity, so it is never "in sync".
 */
export const UNHASHABLE_SKILL_FOLDER = 'unhashable';

const concurrency = 16;

/**
 * Reads every file the adapters name for the scope (connector files and their
 * alternatives, instruction files; absent → undefined) and hashes the folder of
 * every named skill in every skills folder a client writes or also reads. Folders
 * not named are not hashed: a skills folder may hold hundreds of someone else's
 * skills, and the planner only needs ours and those it might collide with.
 */
export async function readWorld(options: ReadWorldOptions): Promise<World> {
  const { env, scope, clients } = options;
  const p = pathFor(env);
  const projectRoot = scope === 'project' ? options.projectRoot : undefined;
  const filePaths = new Set<string>();
  const skillPaths = new Set<string>();
  for (const adapter of clients) {
    const { connectors, skills, instructions } = adapter.locations(env, scope, projectRoot);
    if (connectors.kind === 'supported') for (const file of [connectors.path, ...(connectors.alternatives ?? [])]) filePaths.add(file);
    if (instructions.kind === 'supported') filePaths.add(instructions.path);
    if (skills.kind === 'supported') {
      for (const root of [skills.path, ...skills.alsoReads]) for (const name of options.skillNames) skillPaths.add(p.join(root, name));
    }
  }
  const fileList = [...filePaths].sort();
  const skillList = [...skillPaths].sort();
  const texts = await mapConcurrent(fileList, concurrency, readTextIfExists);
  const hashes = await mapConcurrent(skillList, concurrency, hashOrMark);
  return {
    files: new Map(fileList.map((file, index) => [file, texts[index]])),
    skillDirs: new Map(skillList.map((dir, index) => [dir, integrityOrAbsent(hashes[index])])),
  };
}

/** Every skill name a sync must look at: the desired ones and those the journal says we wrote. */
export function skillNamesToRead(desired: DesiredState, journal: Journal): string[] {
  const names = new Set(desired.skills.map((skill) => skill.name));
  for (const entry of journal.entries) if (entry.kind === 'skill') names.add(entry.name);
  return [...names].sort();
}

async function hashOrMark(dir: string): Promise<string | undefined> {
  try {
    return await hashSkillFolder(dir);
  } catch (error) {
    if (isSkillsyncError(error) && error.code === 'PACKAGE_UNSAFE_ENTRY') return UNHASHABLE_SKILL_FOLDER;
    throw error;
  }
}

function integrityOrAbsent(integrity: string | undefined): { readonly integrity: string } | undefined {
  return integrity === undefined ? undefined : { integrity };
}
