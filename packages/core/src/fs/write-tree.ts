import { closeSync, fchmodSync, fstatSync, fsync, mkdirSync, openSync, writeSync } from 'node:fs';
import path from 'node:path';
import { SkillsyncError } from '../errors/index.js';

/** A folder tree to write: folders (parents first) and files, `/`-separated paths, exact modes. */
export interface TreeToWrite {
  /** The mode of the folder itself. */
  readonly mode: number;
  readonly dirs: readonly { readonly path: string; readonly mode: number }[];
  readonly files: readonly { readonly path: string; readonly mode: number; readonly content: Uint8Array }[];
}

/** Platforms that cannot fsync a file this way (Windows: EPERM) keep the copy without the flush, as `syncTree`. */
const UNSUPPORTED = new Set(['EPERM', 'EINVAL', 'EBADF', 'ENOTSUP', 'EISDIR']);

/**
 * Writes `tree` as the new folder `dir` (its parent must exist; `dir` must not) and
 * makes it durable before returning: every file and every folder, `dir` included, is
 * fsynced, so the folder can be renamed into place and a power cut after the rename
 * never finds it empty or half-written (the guarantee `syncTree` gives a copy).
 *
 * Modes are exactly the given ones, whatever the umask (checked on the open file, set
 * only when they differ), as `fs.cp` leaves a copy. Each file is checked after its
 * write: its size on disk must be the size of the bytes given. Creating, writing and
 * checking are synchronous calls (each costs microseconds, a thread-pool round trip
 * several times that); only the fsyncs, which wait for the disk, go to the thread
 * pool, where many folders' fsyncs overlap. Each file is fsynced through the
 * descriptor it was written with.
 *
 * On failure the folder is left half-written for the caller to delete.
 */
export async function writeTreeDurably(dir: string, tree: TreeToWrite): Promise<void> {
  const syncs: Promise<void>[] = [];
  let failure: unknown;
  try {
    mkdirSync(dir, { mode: tree.mode });
    for (const sub of tree.dirs) mkdirSync(path.join(dir, ...sub.path.split('/')), { mode: sub.mode });
    for (const file of tree.files) syncs.push(writeOne(path.join(dir, ...file.path.split('/')), file.content, file.mode));
    // Folders after their files are created: the fsync covers their entries.
    syncs.push(syncFolder(dir, tree.mode));
    for (const sub of tree.dirs) syncs.push(syncFolder(path.join(dir, ...sub.path.split('/')), sub.mode));
  } catch (error) {
    failure = error;
  }
  // Every descriptor opened is closed, failed or not, before this returns.
  const results = await Promise.allSettled(syncs);
  failure ??= results.find((result): result is PromiseRejectedResult => result.status === 'rejected')?.reason;
  if (failure !== undefined) throw asWriteError(dir, failure);
}

function writeOne(file: string, content: Uint8Array, mode: number): Promise<void> {
  const fd = openSync(file, 'wx', mode);
  try {
    let offset = 0;
    while (offset < content.byteLength) offset += writeSync(fd, content, offset, content.byteLength - offset);
    const info = fstatSync(fd);
    if (info.size !== content.byteLength) throw new Error(`${file} holds ${info.size} bytes after writing ${content.byteLength}`);
    if ((info.mode & 0o7777) !== mode) fchmodSync(fd, mode);
  } catch (error) {
    closeSync(fd);
    return Promise.reject(error instanceof Error ? error : new Error(String(error)));
  }
  return fsyncAndClose(fd, false);
}

function syncFolder(dir: string, mode: number): Promise<void> {
  let fd: number;
  try {
    fd = openSync(dir, 'r');
  } catch {
    // Windows cannot open a folder: no durability to add there (as `syncDirectory`).
    return Promise.resolve();
  }
  try {
    if ((fstatSync(fd).mode & 0o7777) !== mode) fchmodSync(fd, mode);
  } catch (error) {
    closeSync(fd);
    return Promise.reject(error instanceof Error ? error : new Error(String(error)));
  }
  return fsyncAndClose(fd, true);
}

function fsyncAndClose(fd: number, bestEffort: boolean): Promise<void> {
  return new Promise((resolve, reject) => {
    fsync(fd, (error) => {
      closeSync(fd);
      if (error === null || bestEffort || UNSUPPORTED.has(error.code ?? '')) resolve();
      else reject(error);
    });
  });
}

function asWriteError(dir: string, error: unknown): SkillsyncError {
  if (error instanceof SkillsyncError) return error;
  return new SkillsyncError('FILE_WRITE_FAILED', `Could not write ${dir}: ${(error as Error).message}`, { details: { path: dir }, cause: error });
}
