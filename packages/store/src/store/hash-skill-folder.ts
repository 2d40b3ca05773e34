import { statSync, type Stats } from 'node:fs';
import path from 'node:path';
import { SkillsyncError } from '@skillsync/core';
import type { CanonicalFile } from '../format/canonical-file.js';
import { computeIntegrity, type Integrity } from '../integrity/integrity.js';
import { readEntryTreeSync, UnexpectedEntry } from './read-entry-tree.js';
import { currentStampsDigest, sameStamp, stampsDigest, stampsMatch, stampsSettled, type PathStamp } from './folder-stamps.js';

/**
 * The integrity a skill folder on disk would have as a package: the canonical tar
 * of its files (the one `packSkill` and `store verify` build) hashed the same way,
 * so a folder copied from a store entry hashes to that entry's integrity and any
 * changed byte, mode, added or removed file shows. Undefined when there is no
 * folder. Nothing is excluded: a stray `.DS_Store` counts as a change.
 *
 * A folder holding a link or special file, or a path that is not a folder, cannot
 * be a copy of a package: PACKAGE_UNSAFE_ENTRY, so a caller never mistakes it for
 * an absent folder and writes over it.
 */
export async function hashSkillFolder(dir: string): Promise<Integrity | undefined> {
  const state = await readSkillFolderState(dir);
  if (state.kind === 'absent') return undefined;
  if (state.kind === 'unhashable') {
    throw new SkillsyncError('PACKAGE_UNSAFE_ENTRY', `Cannot hash ${dir}: ${state.reason}`, { details: { path: dir } });
  }
  return state.fingerprint.integrity;
}

/**
 * What a skill folder hashed to, and what its paths looked like when it did: while
 * every stamp still matches and is settled (`stampsSettled`: older than the hashing
 * by more than the racy window), the integrity holds without reading a byte.
 */
export interface SkillFolderFingerprint {
  readonly integrity: Integrity;
  /** This machine's clock (ms since the epoch) just before the stamps were read and the files hashed. */
  readonly verifiedAt: number;
  /** The folder (`''`, through a link) and every folder and file in it. */
  readonly stamps: readonly PathStamp[];
}

/**
 * A fingerprint known to be settled, as kept between runs: the paths stamped and a
 * digest of their stamps (`stampsDigest`). Its stamps' times are not needed any more:
 * they were older than the racy window when it was made (`settleFingerprint`).
 */
export interface SettledFingerprint {
  readonly integrity: Integrity;
  /** `''` (the folder) first, then every folder and file in it. */
  readonly paths: readonly string[];
  readonly digest: string;
}

/** The settled form of a fingerprint, or undefined when its stamps are too young to be trusted (`stampsSettled`). */
export function settleFingerprint(fingerprint: SkillFolderFingerprint | SettledFingerprint): SettledFingerprint | undefined {
  if (!('stamps' in fingerprint)) return fingerprint;
  if (!stampsSettled(fingerprint.stamps, fingerprint.verifiedAt)) return undefined;
  return { integrity: fingerprint.integrity, paths: fingerprint.stamps.map((stamp) => stamp.path), digest: stampsDigest(fingerprint.stamps) };
}

/**
 * A folder's integrity from its files: the canonical tar (`buildCanonicalTar`) hashed
 * as a package is. Loaded on demand (`loadSkillFolderHasher`): the tar encoder is code
 * that a run whose fingerprints all hold never needs.
 */
export type SkillFolderHasher = (files: readonly CanonicalFile[]) => Integrity;

let hasher: Promise<SkillFolderHasher> | undefined;

export function loadSkillFolderHasher(): Promise<SkillFolderHasher> {
  hasher ??= import('../format/canonical-tar.js').then(({ buildCanonicalTar }) => (files) => computeIntegrity(buildCanonicalTar(files)));
  return hasher;
}

export type SkillFolderState =
  | { readonly kind: 'absent' }
  /** A link or special file inside, or not a folder at all: it cannot be a copy of a package. */
  | { readonly kind: 'unhashable'; readonly reason: string }
  | {
      readonly kind: 'hashed';
      readonly fingerprint: SkillFolderFingerprint | SettledFingerprint;
      /** True when `known` was still valid and no file was read (`fingerprint` is then `known`). */
      readonly reused: boolean;
    };

export interface ReadSkillFolderOptions {
  /** A fingerprint from an earlier reading of this folder (kept by the caller, e.g. in skillsync's state folder). */
  readonly known?: SkillFolderFingerprint | SettledFingerprint | undefined;
  /** The clock; tests move it. Defaults to `Date.now`. */
  readonly now?: () => number;
}

export interface ReadSkillFolderSyncOptions extends ReadSkillFolderOptions {
  /** Hashes a folder no `known` fingerprint holds for; without it, such a folder is `unhashed`. */
  readonly hasher?: SkillFolderHasher | undefined;
}

/**
 * Reads a skill folder's state as cheaply as its fingerprint allows: when `known`
 * still matches (one stat per path) and its stamps are settled, its integrity is
 * returned without reading a file; otherwise the folder is hashed in full and a new
 * fingerprint returned. The rule for trusting stamps is `stampsSettled`: a same-size
 * edit within the same clock tick as an earlier write leaves every stamp unchanged,
 * so stamps younger than the racy window (2 s) before the hashing never stand in for
 * the bytes, whatever they match.
 */
export async function readSkillFolderState(dir: string, options: ReadSkillFolderOptions = {}): Promise<SkillFolderState> {
  const state = readSkillFolderStateSync(dir, options);
  if (state.kind !== 'unhashed') return state;
  return readSkillFolderStateSync(dir, { ...options, hasher: await loadSkillFolderHasher() });
}

/**
 * `readSkillFolderState`, synchronously (its stats and reads are synchronous calls
 * anyway), for callers checking many folders: without a `hasher`, a folder that
 * must be hashed is `unhashed`, so the hasher is loaded only when one is.
 */
export function readSkillFolderStateSync(dir: string, options: ReadSkillFolderOptions & { readonly hasher: SkillFolderHasher }): SkillFolderState;
export function readSkillFolderStateSync(dir: string, options?: ReadSkillFolderSyncOptions): SkillFolderState | { readonly kind: 'unhashed' };
export function readSkillFolderStateSync(dir: string, options: ReadSkillFolderSyncOptions = {}): SkillFolderState | { readonly kind: 'unhashed' } {
  const verifiedAt = (options.now ?? Date.now)();
  const info = statFolder(dir);
  if (info === undefined) return { kind: 'absent' };
  if (!info.isDirectory()) return { kind: 'unhashable', reason: `${dir} is not a folder.` };
  const { known } = options;
  if (known !== undefined && isValid(dir, info, known)) return { kind: 'hashed', fingerprint: known, reused: true };
  if (options.hasher === undefined) return { kind: 'unhashed' };
  try {
    const tree = readEntryTreeSync(dir, info);
    return { kind: 'hashed', fingerprint: { integrity: options.hasher(tree.files), verifiedAt, stamps: tree.stamps }, reused: false };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'absent' };
    if (error instanceof UnexpectedEntry) return { kind: 'unhashable', reason: error.message };
    throw readFailed(dir, error);
  }
}

/**
 * `stat` of the folder, undefined when there is none (ENOENT); any other failure
 * (ENOTDIR: a file where a parent folder should be) is FILE_READ_FAILED. Without
 * throwing for the common "absent" case: a cold sync asks about hundreds of them.
 */
function statFolder(dir: string): Stats | undefined {
  try {
    const info = statSync(dir, { throwIfNoEntry: false });
    if (info !== undefined) return info;
    // Undefined is ENOENT or ENOTDIR; under an existing folder it can only be ENOENT.
    if (statSync(path.dirname(dir), { throwIfNoEntry: false })?.isDirectory() === true) return undefined;
    return statSync(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw readFailed(dir, error);
  }
}

function isValid(dir: string, info: Stats, known: SkillFolderFingerprint | SettledFingerprint): boolean {
  if (!('stamps' in known)) return known.paths[0] === '' && currentStampsDigest(dir, known.paths, { root: info }) === known.digest;
  const [root, ...rest] = known.stamps;
  return root?.path === '' && sameStamp(info, root) && stampsSettled(known.stamps, known.verifiedAt) && stampsMatch(dir, rest);
}

function readFailed(dir: string, error: unknown): SkillsyncError {
  return new SkillsyncError('FILE_READ_FAILED', `Could not read ${dir}: ${(error as Error).message}`, { details: { path: dir }, cause: error });
}

/** A skill folder read whole for copying: its integrity, and its folders and files with their exact modes. */
export interface SkillTree {
  readonly integrity: Integrity;
  /** Folders below the root, parents first. */
  readonly dirs: readonly { readonly path: string; readonly mode: number }[];
  /** Files in package order, `/`-separated paths, exact modes (not only the two a package knows). */
  readonly files: readonly { readonly path: string; readonly mode: number; readonly content: Uint8Array }[];
  /** The root folder's mode. */
  readonly mode: number;
}

/**
 * Reads a folder (a store entry, for a sync to copy) into memory and hashes it: a
 * copy written from these bytes is what the integrity says, with no second read.
 * ENOENT and PACKAGE_UNSAFE_ENTRY as `hashSkillFolder`; other failures FILE_READ_FAILED.
 */
export async function readSkillTree(dir: string): Promise<SkillTree> {
  return readSkillTreeSync(dir, await loadSkillFolderHasher());
}

function readSkillTreeSync(dir: string, hash: SkillFolderHasher): SkillTree {
  try {
    const info = statSync(dir);
    if (!info.isDirectory()) throw new UnexpectedEntry(`${dir} is not a folder.`);
    const tree = readEntryTreeSync(dir, info);
    return {
      integrity: hash(tree.files),
      dirs: tree.dirs,
      files: tree.files.map((file) => ({ path: file.path, mode: tree.modes.get(file.path) ?? file.mode, content: file.content })),
      mode: info.mode & 0o7777,
    };
  } catch (error) {
    if (error instanceof UnexpectedEntry) {
      throw new SkillsyncError('PACKAGE_UNSAFE_ENTRY', `Cannot hash ${dir}: ${error.message}`, { details: { path: dir }, cause: error });
    }
    if (error instanceof SkillsyncError) throw error;
    throw readFailed(dir, error);
  }
}
