import { link, lstat, open, rename, rm, stat, utimes } from 'node:fs/promises';
import path from 'node:path';
import { atomicWriteTempName, atomicWriteTempTarget, byteOrder, isSkillsyncError, SkillsyncError, writeFileAtomic } from '@skillsync/core';
import { integrityFromHex, integrityToHex, listNames, readPackage } from '@skillsync/store';
import type { BlobPruneOptions, BlobPruneResult, BlobStore } from '../server-context.js';

export interface DirectoryBlobStoreOptions {
  /** Blobs whose check is remembered, at most (least recently read forgotten first). Default 10 000. */
  readonly verifiedMax?: number;
}

/**
 * Package bytes as files `<dir>/<hex of the integrity>`, written by temp file, fsync and
 * rename, so a file under its name is always whole. A put happens before the publishing
 * transaction commits: a rolled-back publish may leave a file no version names, which is
 * harmless (the same package published again reuses it).
 *
 * A file is checked against its name before it is first served: the integrity is the
 * digest of the package's canonical tar, not of the gzip bytes, so the check decodes the
 * package (with install's limits) rather than hashing the file. That costs an unpack, so
 * it is done once per process per file: the file's identity (inode, size, change time)
 * when it was checked is remembered, and a file changed since is checked again. A damaged
 * file is a server fault (STORE_CORRUPT), never served.
 *
 * `prune` removes the files no version names once they are old enough. A put of a package
 * already here touches its file, so a blob a publish takes up again counts as new.
 */
export function createDirectoryBlobStore(dir: string, options: DirectoryBlobStoreOptions = {}): BlobStore {
  const verifiedMax = options.verifiedMax ?? 10_000;
  /** integrity → the file identity it was checked at; a Map iterates oldest first, which makes it an LRU. */
  const verified = new Map<string, string>();
  const fileOf = (integrity: string): string => path.join(dir, integrityToHex(integrity));

  const remember = (integrity: string, identity: string): void => {
    verified.delete(integrity);
    verified.set(integrity, identity);
    for (const oldest of verified.keys()) {
      if (verified.size <= verifiedMax) break;
      verified.delete(oldest);
    }
  };

  const readChecked = async (integrity: string): Promise<Uint8Array | undefined> => {
    const file = fileOf(integrity);
    let bytes: Buffer;
    let identity: string;
    try {
      // Stat and read through one handle: what was checked is the file that was read.
      const handle = await open(file, 'r');
      try {
        const stat = await handle.stat({ bigint: true });
        identity = `${stat.dev}:${stat.ino}:${stat.size}:${stat.mtimeNs}:${stat.ctimeNs}`;
        bytes = await handle.readFile();
      } finally {
        await handle.close();
      }
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw new SkillsyncError('FILE_READ_FAILED', `Could not read the package blob ${file}.`, { details: { path: file }, cause: error });
    }
    if (verified.get(integrity) === identity) {
      remember(integrity, identity);
      return bytes;
    }
    verified.delete(integrity);
    try {
      await readPackage(bytes, { expectedIntegrity: integrity });
    } catch (error) {
      if (!isSkillsyncError(error)) throw error;
      throw new SkillsyncError('STORE_CORRUPT', `The package blob ${file} does not hold ${integrity}.`, {
        hint: 'The blob directory was changed or damaged: restore the file from a backup (a published version cannot be uploaded again).',
        details: { path: file, integrity },
        cause: error,
      });
    }
    remember(integrity, identity);
    return bytes;
  };

  /**
   * Takes an unreferenced blob out of its name, then looks at it again: a put that took it
   * up meanwhile touched it (it goes back) or, finding the name free, wrote it anew. So a
   * publish between its put and its commit never loses its blob. Resolves to the size
   * removed, or undefined when the blob was kept.
   */
  const removeOrphan = async (integrity: string, file: string, before: number): Promise<number | undefined> => {
    const aside = atomicWriteTempName(file);
    try {
      await rename(file, aside);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
    const moved = await stat(aside);
    if (moved.mtimeMs >= before) {
      await link(aside, file).catch((error: unknown) => {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      });
      await rm(aside, { force: true });
      return undefined;
    }
    await rm(aside, { force: true });
    verified.delete(integrity);
    return moved.size;
  };

  const prune = async (referenced: ReadonlySet<string>, options: BlobPruneOptions): Promise<BlobPruneResult> => {
    const keep = new Set([...referenced].map(integrityToHex));
    const before = options.before.getTime();
    const removed: { integrity: string; size: number }[] = [];
    let leftovers = 0;
    let bytes = 0;
    let kept = 0;
    let recent = 0;
    for (const name of (await listNames(dir)).sort(byteOrder)) {
      const integrity = integrityFromHex(name);
      // Only blobs and the temp files of their writes are ours: anything else in the folder is left alone.
      if (integrity === undefined && atomicWriteTempTarget(name) === undefined) continue;
      if (keep.has(name)) {
        kept += 1;
        continue;
      }
      const file = path.join(dir, name);
      const found = await lstat(file).catch((error: unknown) => {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw error;
      });
      if (found === undefined || !found.isFile()) continue;
      if (found.mtimeMs >= before) {
        recent += 1;
      } else if (integrity === undefined) {
        if (options.dryRun !== true) await rm(file, { force: true });
        leftovers += 1;
        bytes += found.size;
      } else {
        const size = options.dryRun === true ? found.size : await removeOrphan(integrity, file, before);
        if (size === undefined) {
          recent += 1;
        } else {
          removed.push({ integrity, size });
          bytes += size;
        }
      }
    }
    return { removed, leftovers, bytes, referenced: kept, recent };
  };

  return {
    kind: 'directory',
    async put(_transaction, integrity, bytes) {
      // A damaged file under the name is replaced; a sound one is kept (idempotent), with its size.
      const present = await readChecked(integrity).catch((error: unknown) => {
        if (isSkillsyncError(error) && error.code === 'STORE_CORRUPT') return undefined;
        throw error;
      });
      if (present !== undefined && (await touch(fileOf(integrity)))) return present.byteLength;
      await writeFileAtomic(fileOf(integrity), bytes, { mode: 0o600 });
      return bytes.byteLength;
    },
    get: readChecked,
    prune: async (referenced, options) => {
      try {
        return await prune(referenced, options);
      } catch (error) {
        if (isSkillsyncError(error)) throw error;
        throw new SkillsyncError('FILE_WRITE_FAILED', `Could not prune the package blobs in ${dir}: ${(error as Error).message}`, {
          hint: 'Check that the server may read and write the blob folder, then run the prune again.',
          details: { path: dir },
          cause: error,
        });
      }
    },
  };
}

/** Marks a blob as just written (for `prune`); false when it is gone. */
async function touch(file: string): Promise<boolean> {
  const now = new Date();
  try {
    await utimes(file, now, now);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw new SkillsyncError('FILE_WRITE_FAILED', `Could not update the package blob ${file}.`, { details: { path: file }, cause: error });
  }
}
