import type { ClientAdapter } from '@skillsync/clients';
import { pathFor, readTextIfExistsSync, type Env } from '@skillsync/core';
import type { DesiredState } from './create-desired-state.js';
import type { Journal } from './journal.js';
import { childPath } from './child-path.js';
import { memorySkillFolderFingerprints, type SkillFolderFingerprints } from './skill-folder-fingerprints.js';

export interface ReadWorldOptions {
  readonly env: Env;
  readonly scope: 'user' | 'project';
  /** Defaults to `env.cwd` (project scope only), as in `planSync`. */
  readonly projectRoot?: string;
  readonly clients: readonly ClientAdapter[];
  /** The skill names whose folders to hash in every skills location (`skillNamesToRead` gives them). */
  readonly skillNames: readonly string[];
  /**
   * What is known of the skill folders from earlier runs (`loadSkillFolderFingerprints`):
   * a folder whose fingerprint still holds is not read. What this reading learns is
   * added to it (save it afterwards). Defaults to none: every folder is hashed.
   */
  readonly fingerprints?: SkillFolderFingerprints;
}

/** What `planSync` compares against: the files and skill folders on disk now. */
export interface World {
  readonly files: Map<string, string | undefined>;
  readonly skillDirs: Map<string, { readonly integrity: string } | undefined>;
}

export { UNHASHABLE_SKILL_FOLDER } from './skill-folder-fingerprints.js';

/**
 * Reads every file the adapters name for the scope (connector files and their
 * alternatives, instruction files; absent → undefined) and the state of the folder
 * of every named skill in every skills folder a client writes or also reads: its
 * integrity, from its fingerprint (one stat per path) where that still holds, else
 * hashed in full. Folders not named are not read: a skills folder may hold hundreds
 * of someone else's skills, and the planner only needs ours and those it might
 * collide with.
 */
export function readWorld(options: ReadWorldOptions): Promise<World> {
  try {
    return Promise.resolve(readWorldSync(options));
  } catch (error) {
    return Promise.reject(error instanceof Error ? error : new Error(String(error)));
  }
}

/**
 * `readWorld`, synchronously. Every call in it is a stat, a readdir or a small read,
 * which a thread-pool round trip would cost several times over: a sync reads a few
 * dozen client files and thousands of stats, and has nothing else to do meanwhile.
 */
export function readWorldSync(options: ReadWorldOptions): World {
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
      for (const root of [skills.path, ...skills.alsoReads]) for (const name of options.skillNames) skillPaths.add(childPath(p, root, name));
    }
  }
  const fileList = [...filePaths].sort();
  const skillList = [...skillPaths].sort();
  const fingerprints = options.fingerprints ?? memorySkillFolderFingerprints();
  const read = fileList.map(readTextIfExistsSync);
  const states = fingerprints.statesSync(skillList, p);
  return {
    files: new Map(fileList.map((file, index) => [file, read[index]])),
    skillDirs: new Map(skillList.map((dir, index) => [dir, integrityOrAbsent(states[index])])),
  };
}

/** Every skill name a sync must look at: the desired ones and those the journal says we wrote. */
export function skillNamesToRead(desired: DesiredState, journal: Journal): string[] {
  const names = new Set(desired.skills.map((skill) => skill.name));
  for (const entry of journal.entries) if (entry.kind === 'skill') names.add(entry.name);
  return [...names].sort();
}

/** `absent` (see run-record.ts) is no folder; `unhashable` stays as it is. */
function integrityOrAbsent(state: string | undefined): { readonly integrity: string } | undefined {
  return state === undefined || state === 'absent' ? undefined : { integrity: state };
}
