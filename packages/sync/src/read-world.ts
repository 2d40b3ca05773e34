import path from 'node:path';
import type { ClientAdapter, CodecReadResult } from '@skillsync/clients';
import { pathFor, readTextIfExistsSync, type Env } from '@skillsync/core';
import type { ConnectorCodecs } from './connector-codecs.js';
import type { DesiredInstruction, DesiredState } from './create-desired-state.js';
import { journalFile } from './journal-store.js';
import type { Journal } from './journal.js';
import { childPath } from './child-path.js';
import { scopedRuleFiles } from './plan-instructions.js';
import { connectorEntriesKey, readConnectorFiles, type ConnectorFile } from './read-connector-files.js';
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
  /**
   * Where the server entries of client files are kept once parsed (one file per scope
   * in `dir`), and the identity of the code that parsed them (`key`, e.g. the CLI
   * build's): a file whose text is as cached is not parsed again. Default: no cache.
   */
  readonly parsedFilesCache?: { readonly dir: string; readonly key: string };
  /**
   * The desired instructions and the journal: the rule file of each scoped instruction
   * (where a client has per-glob rule files) and every rule file the journal says
   * skillsync wrote at this scope are read too. Default: none.
   */
  readonly instructions?: readonly DesiredInstruction[];
  readonly journal?: Journal;
}

/** What `planSync` compares against: the files and skill folders on disk now. */
export interface World {
  readonly files: Map<string, string | undefined>;
  readonly skillDirs: Map<string, { readonly integrity: string } | undefined>;
  /** The server entries of every client MCP config file that exists, by `connectorEntriesKey` (`planSync`'s `connectorEntries`). */
  readonly connectorEntries: ReadonlyMap<string, CodecReadResult<Record<string, unknown>>>;
  /** The codecs loaded to parse them (`planSync`'s `connectorCodecs`). */
  readonly connectorCodecs: ConnectorCodecs;
}

export { UNHASHABLE_SKILL_FOLDER } from './skill-folder-fingerprints.js';

/**
 * Reads every file the adapters name for the scope (connector files and their
 * alternatives, instruction files, the rule files of scoped instructions; absent →
 * undefined), the server entries of the connector files (parsed, or from
 * `parsedFilesCache`), and the state of the folder of every named skill in every
 * skills folder a client writes or also reads: its integrity, from its fingerprint
 * (one stat per path) where that still holds, else hashed in full. Folders not named
 * are not read: a skills folder may hold hundreds of someone else's skills, and the
 * planner only needs ours and those it might collide with.
 */
export async function readWorld(options: ReadWorldOptions): Promise<World> {
  const { env, scope, clients } = options;
  const p = pathFor(env);
  const projectRoot = scope === 'project' ? options.projectRoot : undefined;
  const filePaths = new Set<string>();
  const skillPaths = new Set<string>();
  const connectorLayouts = new Map<string, { readonly path: string; readonly layout: ConnectorFile['layout'] }>();
  for (const adapter of clients) {
    const { connectors, skills, instructions } = adapter.locations(env, scope, projectRoot);
    if (connectors.kind === 'supported') {
      for (const file of [connectors.path, ...(connectors.alternatives ?? [])]) {
        filePaths.add(file);
        connectorLayouts.set(connectorEntriesKey(file, connectors), { path: file, layout: connectors });
      }
    }
    if (instructions.kind === 'supported') {
      filePaths.add(instructions.path);
      if (instructions.scopedRules !== undefined) for (const { path: file } of scopedRuleFiles(env, instructions.scopedRules, options.instructions ?? [])) filePaths.add(file);
    }
    if (skills.kind === 'supported') {
      for (const root of [skills.path, ...skills.alsoReads]) for (const name of options.skillNames) skillPaths.add(childPath(p, root, name));
    }
  }
  const targets = new Set(clients.map((adapter) => adapter.id));
  for (const entry of options.journal?.entries ?? []) if (entry.ruleFile === true && entry.scope === scope && targets.has(entry.client)) filePaths.add(entry.path);
  const fileList = [...filePaths].sort();
  const skillList = [...skillPaths].sort();
  const fingerprints = options.fingerprints ?? memorySkillFolderFingerprints();
  // Synchronous reads: a sync reads a few dozen small client files and has nothing else to do meanwhile.
  const files = new Map(fileList.map((file) => [file, readTextIfExistsSync(file)]));
  const present = [...connectorLayouts.values()].flatMap(({ path: file, layout }) => {
    const text = files.get(file);
    return text === undefined ? [] : [{ path: file, text, layout }];
  });
  const connectors = await readConnectorFiles(present, parsedFilesCacheOf(options));
  const states = await fingerprints.states(skillList, p);
  return {
    files,
    skillDirs: new Map(skillList.map((dir, index) => [dir, integrityOrAbsent(states[index])])),
    connectorEntries: connectors.entries,
    connectorCodecs: connectors.codecs,
  };
}

/** The cache file of the scope in `parsedFilesCache`, named as the scope's journal is. */
function parsedFilesCacheOf({ parsedFilesCache: cache, env, scope, projectRoot }: ReadWorldOptions): { file: string; key: string } | undefined {
  if (cache === undefined) return undefined;
  const root = scope === 'project' ? pathFor(env).resolve(env.cwd, projectRoot ?? env.cwd) : undefined;
  return { file: path.join(cache.dir, path.basename(journalFile(cache.dir, scope, root))), key: cache.key };
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
