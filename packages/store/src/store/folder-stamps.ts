import { lstatSync, readdirSync, statSync, type Stats } from 'node:fs';
import { hash } from 'node:crypto';
import path from 'node:path';

/**
 * What one path of a folder looked like on disk: size, mtime, ctime, inode and mode.
 * If none of these changed, the path was not rewritten, replaced or chmodded: an
 * edit in place changes the mtime and ctime, a rename-over changes the inode, and an
 * added, removed or renamed entry changes its folder's mtime and ctime. The ctime
 * cannot be set from user space, so restoring an mtime (`touch -d`, `cp -p`, an
 * unpacked archive) after an edit does not hide it.
 *
 * This is the one "has this folder changed since it was hashed?" mechanism: the
 * store's entry fingerprints (entry-fingerprint.ts) and the fingerprints of client
 * skill folders (hash-skill-folder.ts, kept by the sync) both use it. What a caller
 * may conclude from matching stamps is decided by `stampsSettled` (below).
 */
export interface PathStamp {
  /** Relative to the folder, `/`-separated; `''` is the folder itself. */
  readonly path: string;
  readonly size: number;
  readonly mtimeMs: number;
  readonly ctimeMs: number;
  readonly ino: number;
  readonly mode: number;
}

export function stampOf(relative: string, info: Stats): PathStamp {
  return { path: relative, size: info.size, mtimeMs: info.mtimeMs, ctimeMs: info.ctimeMs, ino: info.ino, mode: info.mode };
}

export function sameStamp(info: Stats | undefined, stamp: PathStamp): boolean {
  return (
    info !== undefined &&
    info.size === stamp.size &&
    info.mtimeMs === stamp.mtimeMs &&
    info.ctimeMs === stamp.ctimeMs &&
    info.ino === stamp.ino &&
    info.mode === stamp.mode
  );
}

/**
 * True when every stamped path under `dir` is still as stamped (one lstat each; the
 * folder's own stamp, `''`, with `stat` when `followRoot`, as a skill folder that is a
 * link to a folder is hashed through the link). An added file shows as its folder's
 * changed stamp, so no readdir is needed.
 *
 * Synchronous on purpose: an lstat costs a few microseconds, a round trip through
 * Node's thread pool ten times that, and a sync reads thousands of these.
 */
export function stampsMatch(dir: string, stamps: readonly PathStamp[], options: { readonly followRoot?: boolean } = {}): boolean {
  if (stamps.length === 0) return false;
  try {
    for (const stamp of stamps) {
      const absolute = stamp.path === '' ? dir : path.join(dir, stamp.path);
      const info = stamp.path === '' && options.followRoot === true ? statSync(absolute, { throwIfNoEntry: false }) : lstatSync(absolute, { throwIfNoEntry: false });
      if (!sameStamp(info, stamp)) return false;
    }
    return true;
  } catch {
    // ENOTDIR, EACCES…: whatever it is, it is not the folder that was stamped.
    return false;
  }
}

/**
 * How long after a write its stamps stay untrusted, in ms (git's "racy clean" rule).
 * File times come from a coarse clock (a kernel tick of 1–10 ms; 2 s on FAT), so a
 * second write of the same size within the same tick as the first leaves every stamp
 * as it was. A write that lands after the folder was hashed changes the ctime to a
 * time at or after the hashing began; so stamps all older than the hashing by more
 * than one tick prove that nothing was written since. The margin covers the coarsest
 * clock skillsync meets and a file system clock (a network share's) a little off ours.
 */
export const RACY_WINDOW_MS = 2000;

/**
 * True when every stamp is older than `verifiedAt - windowMs`, `verifiedAt` being the
 * time (ms since the epoch, this machine's clock) taken before the stamps were read
 * and the bytes hashed. Only such stamps may stand in for the bytes: for a stamp any
 * younger, a same-size edit in the same clock tick would go unseen, so the folder is
 * hashed again (and, once its stamps have aged, fingerprinted for good).
 */
export function stampsSettled(stamps: readonly PathStamp[], verifiedAt: number, windowMs = RACY_WINDOW_MS): boolean {
  const limit = verifiedAt - windowMs;
  for (const stamp of stamps) if (!(stamp.mtimeMs < limit && stamp.ctimeMs < limit)) return false;
  return true;
}

/** Every folder and regular file under `dir` (links and special files too: their own lstat), `dir` first, in sorted order. */
export function takeStampsSync(dir: string): PathStamp[] {
  const stamps: PathStamp[] = [];
  const visit = (relative: string, info: Stats): void => {
    stamps.push(stampOf(relative, info));
    if (!info.isDirectory()) return;
    const absolute = relative === '' ? dir : path.join(dir, relative);
    for (const name of readdirSync(absolute).sort()) {
      const child = relative === '' ? name : `${relative}/${name}`;
      visit(child, lstatSync(path.join(dir, child)));
    }
  };
  visit('', lstatSync(dir));
  return stamps;
}

/**
 * A digest of stamps (every field, in order; the paths are kept beside it): equal
 * digests mean equal stamps, so a settled fingerprint can be kept as its paths and
 * this digest alone. The fields are hashed as raw float64 values, not as text: a
 * sync digests thousands of them.
 */
export function stampsDigest(stamps: readonly PathStamp[]): string {
  const values = stampValues(stamps.length);
  stamps.forEach((stamp, index) => {
    putStamp(values, index, stamp);
  });
  return digestOf(values, stamps.length);
}

/**
 * The digest of `paths` under `dir` as they are now (`root`, when given, standing for
 * the folder itself, `''`; lstat for the rest), or undefined when one is gone or
 * unreadable. Synchronous, as `stampsMatch`.
 */
export function currentStampsDigest(dir: string, paths: readonly string[], options: { readonly root?: Stats } = {}): string | undefined {
  const values = stampValues(paths.length);
  try {
    // `dir/relative` by concatenation where that is what path.join gives (POSIX; the relative paths are clean).
    const prefix = path.sep === '/' && !dir.endsWith('/') ? `${dir}/` : undefined;
    for (let index = 0; index < paths.length; index += 1) {
      const relative = paths[index] as string;
      const absolute = relative === '' ? dir : prefix === undefined ? path.join(dir, relative) : prefix + relative;
      const info = relative === '' && options.root !== undefined ? options.root : lstatSync(absolute, NO_THROW);
      if (info === undefined) return undefined;
      putStamp(values, index, info);
    }
  } catch {
    return undefined;
  }
  return digestOf(values, paths.length);
}

const FIELDS = 5;
/** One options object for thousands of lstat calls. */
const NO_THROW = { throwIfNoEntry: false } as const;
let scratch = new Float64Array(FIELDS * 16);

function stampValues(count: number): Float64Array {
  if (scratch.length < count * FIELDS) scratch = new Float64Array(count * FIELDS * 2);
  return scratch;
}

function putStamp(values: Float64Array, index: number, stamp: { readonly size: number; readonly mtimeMs: number; readonly ctimeMs: number; readonly ino: number; readonly mode: number }): void {
  const at = index * FIELDS;
  values[at] = stamp.size;
  values[at + 1] = stamp.mtimeMs;
  values[at + 2] = stamp.ctimeMs;
  values[at + 3] = stamp.ino;
  values[at + 4] = stamp.mode;
}

function digestOf(values: Float64Array, count: number): string {
  // The one-shot `hash`: a sync digests hundreds of folders, and a Hash object per folder costs several times the hashing.
  return hash('sha256', new Uint8Array(values.buffer, values.byteOffset, count * FIELDS * Float64Array.BYTES_PER_ELEMENT), 'base64');
}
