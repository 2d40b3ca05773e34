import { open } from 'node:fs/promises';
import path from 'node:path';
import { isSkillsyncError, SkillsyncError, writeFileAtomic } from '@skillsync/core';
import { integrityToHex, readPackage } from '@skillsync/store';
import type { BlobStore } from '../server-context.js';

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

  return {
    kind: 'directory',
    async put(_transaction, integrity, bytes) {
      // A damaged file under the name is replaced; a sound one is kept (idempotent), with its size.
      const present = await readChecked(integrity).catch((error: unknown) => {
        if (isSkillsyncError(error) && error.code === 'STORE_CORRUPT') return undefined;
        throw error;
      });
      if (present !== undefined) return present.byteLength;
      await writeFileAtomic(fileOf(integrity), bytes, { mode: 0o600 });
      return bytes.byteLength;
    },
    get: readChecked,
  };
}
