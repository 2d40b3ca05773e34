import { readdirSync } from 'node:fs';
import path from 'node:path';
import { parseJsonRecord, readTextIfExistsSync, writeFileAtomic } from '@skillsync/core';
import {
  loadSkillFolderHasher,
  readSkillFolderStateSync,
  settleFingerprint,
  type SettledFingerprint,
  type SkillFolderFingerprint,
  type SkillFolderHasher,
  type SkillFolderState,
} from '@skillsync/store';
import { journalFile } from './journal-store.js';

/** The state of a skill folder that does not exist (run-record.ts `ABSENT`). */
const ABSENT = 'absent';
/**
 * Stands for a skill folder that exists but cannot be a copy of a package (a link
 * or special file inside). Present, so the planner never treats it as absent and
 * writes over it; equal to no integrity, so it is never "in sync".
 */
export const UNHASHABLE_SKILL_FOLDER = 'unhashable';
const UNHASHABLE = UNHASHABLE_SKILL_FOLDER;

/**
 * What skillsync knows about the client skill folders of one scope, so that a sync
 * or `status` with nothing changed reads one stat per path instead of every byte of
 * hundreds of folders: per folder, the integrity it hashed to and the stamps (size,
 * mtime, ctime, inode, mode) of the folder and everything in it at that moment.
 *
 * The rule (the store's fingerprint mechanism, `@skillsync/store` folder-stamps.ts):
 * a folder whose stamps all match, and all lie more than the racy window (2 s) before
 * the hashing that recorded them, still holds what was hashed. A different stamp, an
 * added or removed file (its folder's stamp changes), or stamps too young to trust
 * (a same-size edit in the same clock tick as an earlier write would leave them as
 * they are, as git's "racy clean" entries) send the folder through a full hash. So a
 * folder skillsync has just written is hashed again by the next run that reads it,
 * and fingerprinted for good once its stamps have aged.
 *
 * Kept in `<state>/fingerprints/<scope>.json` (named like the scope's journal): a
 * cache, machine-specific and never part of a run or a rollback. Only settled
 * fingerprints are kept, each as the paths it stamped and a digest of their stamps
 * (`SettledFingerprint`). Every entry is a fact about inodes and times that cannot
 * come back unchanged after a change (the ctime cannot be set back), so a stale,
 * lost or foreign file costs only a re-hash; a damaged one is ignored. Written by
 * `applyPlan` under the sync lock, and by read-only commands when they learnt
 * something (atomically; the last writer wins, which is only ever a lost cache entry).
 */
export interface SkillFolderFingerprints {
  /** Where it is kept; undefined for one that lives in memory only. */
  readonly file: string | undefined;
  /** A folder's integrity, `absent` or `unhashable`, from its fingerprint when that still holds, else hashed (and remembered). */
  state(dir: string): Promise<string>;
  /** Forgets a folder about to be replaced or removed: the next reading hashes it. */
  forget(dir: string): void;
  /**
   * `state` of many folders: each parent folder is listed once, and a folder whose
   * name is not in its parent's listing is absent without a stat of its own (most of
   * the folders a sync looks at do not exist). The checks are synchronous calls (a
   * thread-pool round trip would cost more than each stat); the hashing code is
   * loaded only when a folder must be hashed. `p` splits the paths.
   */
  states(dirs: readonly string[], p: { dirname(path: string): string; basename(path: string): string }): Promise<string[]>;
  /**
   * Writes what this process learnt, when it changes the file: settled fingerprints
   * of the folders read, without those found absent, changed or forgotten. `prune`
   * also drops the folders not read at all (a sync reads every folder of its scope;
   * `status --client x` does not). Returns whether it wrote.
   */
  save(options: { readonly prune: boolean }): Promise<boolean>;
}

export interface FingerprintOptions {
  /** The clock; tests move it. Defaults to `Date.now`. */
  readonly now?: () => number;
}

const VERSION = 1;

/** `<state>/fingerprints/user.json`, or `project-<key>.json` with the key of the scope's journal. */
export function skillFolderFingerprintsFile(stateDir: string, scope: 'user' | 'project', projectRoot?: string): string {
  return path.join(stateDir, 'fingerprints', path.basename(journalFile(stateDir, scope, projectRoot)));
}

/** The fingerprints of a scope as last saved (none when there is no file or it cannot be read). */
export async function loadSkillFolderFingerprints(
  stateDir: string,
  scope: 'user' | 'project',
  projectRoot: string | undefined,
  options: FingerprintOptions = {},
): Promise<SkillFolderFingerprints> {
  const file = skillFolderFingerprintsFile(stateDir, scope, projectRoot);
  let text: string | undefined;
  try {
    text = readTextIfExistsSync(file);
  } catch {
    text = undefined;
  }
  return Promise.resolve(createFingerprints(file, text === undefined ? new Map<string, SettledFingerprint>() : parseFingerprints(text), options));
}

/** Fingerprints kept in memory only: every folder is hashed the first time it is read. */
export function memorySkillFolderFingerprints(options: FingerprintOptions = {}): SkillFolderFingerprints {
  return createFingerprints(undefined, new Map<string, SettledFingerprint>(), options);
}

function createFingerprints(file: string | undefined, loaded: Map<string, SettledFingerprint>, options: FingerprintOptions): SkillFolderFingerprints {
  let saved = loaded;
  /** This process's readings: a fingerprint, or undefined for a folder absent, unhashable or forgotten. */
  const seen = new Map<string, SkillFolderFingerprint | SettledFingerprint | undefined>();
  const now = options.now ?? Date.now;
  /** The state of `dir`; undefined when it must be hashed and no `hasher` is given. */
  const read = (dir: string, hasher: SkillFolderHasher | undefined): string | undefined => {
    const known = seen.has(dir) ? seen.get(dir) : saved.get(dir);
    const result = readSkillFolderStateSync(dir, { known, now, hasher });
    if (result.kind === 'unhashed') return undefined;
    seen.set(dir, result.kind === 'hashed' ? result.fingerprint : undefined);
    return stateName(result);
  };
  /** Every folder checked first; the hasher is loaded only when one of them must be hashed. */
  const readAll = async (dirs: readonly string[]): Promise<string[]> => {
    const checked = dirs.map((dir) => read(dir, undefined));
    if (checked.every((state) => state !== undefined)) return checked;
    const hasher = await loadSkillFolderHasher();
    return checked.map((state, index) => state ?? (read(dirs[index] as string, hasher) as string));
  };
  return {
    file,
    state: async (dir) => (await readAll([dir]))[0] as string,
    forget: (dir) => {
      seen.set(dir, undefined);
    },
    states: async (dirs, p) => {
      const listings = new Map<string, FolderListing | undefined>();
      const present: string[] = [];
      const out = dirs.map((dir) => {
        const parent = p.dirname(dir);
        if (!listings.has(parent)) listings.set(parent, listFolder(parent));
        if (listings.get(parent)?.mayHold(p.basename(dir)) !== false) {
          present.push(dir);
          return undefined;
        }
        seen.set(dir, undefined);
        return ABSENT;
      });
      const found = await readAll(present);
      let next = 0;
      return out.map((state) => state ?? (found[next++] as string));
    },
    save: async ({ prune }) => {
      const next = new Map<string, SettledFingerprint>();
      if (!prune) for (const [dir, fingerprint] of saved) if (!seen.has(dir)) next.set(dir, fingerprint);
      for (const [dir, fingerprint] of seen) {
        // An unsettled fingerprint could never be trusted later either: not worth a write.
        const settled = fingerprint === undefined ? undefined : settleFingerprint(fingerprint);
        if (settled !== undefined) next.set(dir, settled);
      }
      const changed = next.size !== saved.size || [...next].some(([dir, fingerprint]) => saved.get(dir) !== fingerprint);
      if (!changed || file === undefined) return false;
      await writeFileAtomic(file, serializeFingerprints(next));
      saved = next;
      return true;
    },
  };
}

function stateName(state: SkillFolderState): string {
  return state.kind === 'hashed' ? state.fingerprint.integrity : state.kind === 'absent' ? ABSENT : UNHASHABLE;
}

interface FolderListing {
  /** False only when no entry of the folder can be `name`: it is then certainly absent. */
  mayHold(name: string): boolean;
}

/**
 * The names in a folder, read once for all the skill folders looked for there.
 * Names are matched ignoring case and Unicode normalisation, so on a file system that
 * ignores them too (macOS, Windows) a near match is still stat'ed. A folder that does
 * not exist holds nothing; one that cannot be listed (not a folder, no permission) is
 * undefined: each skill folder in it is then stat'ed, with the errors that gives.
 */
function listFolder(dir: string): FolderListing | undefined {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { mayHold: () => false };
    return undefined;
  }
  const fold = (name: string): string => name.normalize('NFC').toLowerCase();
  const folded = new Set(names.map(fold));
  return { mayHold: (name) => folded.has(fold(name)) };
}

/**
 * `{"version":1,"layouts":[["","SKILL.md",…],…],"folders":{"<dir>":["<integrity>",<layout>,"<digest>"],…}}`:
 * the copies of one skill in several clients' folders share a layout, and only a digest
 * of each folder's stamps is kept (small to read: every sync and status reads it).
 */
function serializeFingerprints(fingerprints: ReadonlyMap<string, SettledFingerprint>): string {
  const layouts: (readonly string[])[] = [];
  const layoutIndex = new Map<string, number>();
  const folders: Record<string, [string, number, string]> = {};
  for (const dir of [...fingerprints.keys()].sort()) {
    const { integrity, paths, digest } = fingerprints.get(dir) as SettledFingerprint;
    const key = paths.join('\u0000');
    let index = layoutIndex.get(key);
    if (index === undefined) {
      index = layouts.length;
      layouts.push(paths);
      layoutIndex.set(key, index);
    }
    folders[dir] = [integrity, index, digest];
  }
  return `${JSON.stringify({ version: VERSION, layouts, folders })}\n`;
}

/** A damaged, foreign or future file, or entry, is left out: the folder is then simply hashed. */
function parseFingerprints(text: string): Map<string, SettledFingerprint> {
  const out = new Map<string, SettledFingerprint>();
  const value = parseJsonRecord(text);
  if (value === undefined) return out;
  const { version, layouts, folders } = value;
  if (version !== VERSION || !Array.isArray(layouts) || typeof folders !== 'object' || folders === null) return out;
  const valid = layouts.map((layout: unknown) =>
    Array.isArray(layout) && layout[0] === '' && layout.every((item: unknown) => typeof item === 'string') ? layout : undefined,
  );
  for (const [dir, entry] of Object.entries(folders as Record<string, unknown>)) {
    if (!Array.isArray(entry) || entry.length !== 3) continue;
    const [integrity, index, digest] = entry as unknown[];
    const paths = typeof index === 'number' ? valid[index] : undefined;
    if (typeof integrity !== 'string' || typeof digest !== 'string' || paths === undefined) continue;
    out.set(dir, { integrity, paths, digest });
  }
  return out;
}
