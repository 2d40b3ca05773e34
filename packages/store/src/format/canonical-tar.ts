import { Header, Pax } from 'tar';
import { comparePaths, normalizeMode, type CanonicalFile } from './canonical-file.js';
import { PACKAGE_PREFIX } from './package-path.js';

export { comparePaths, normalizeMode, type CanonicalFile };

/** The mtime of every entry: the date npm uses, so tools that show dates show a stable one. */
export const CANONICAL_MTIME = new Date('1985-10-26T08:15:00.000Z');

const blockSize = 512;
const endOfArchive = new Uint8Array(blockSize * 2);

/**
 * The one canonical tar encoding of a set of files. Pack writes it, read computes
 * a package's integrity from it, and store verify rebuilds it from the files on
 * disk, so the three can never disagree about what a package's identity is.
 *
 * Regular files only, under `package/`, in byte order of their path; mode 0644 or
 * 0755; uid/gid 0; no user or group names; the fixed mtime. A path that does not
 * fit the ustar fields (over 100 bytes without a usable split, or not ASCII) gets
 * a pax header holding only `path` and `mtime`, written by node-tar's `Pax`.
 */
export function buildCanonicalTar(files: readonly CanonicalFile[]): Buffer {
  const sorted = [...files].sort((a, b) => comparePaths(a.path, b.path));
  const chunks: Uint8Array[] = [];
  for (const file of sorted) {
    const path = PACKAGE_PREFIX + file.path;
    const header = new Header({
      path,
      mode: normalizeMode(file.mode),
      uid: 0,
      gid: 0,
      size: file.content.byteLength,
      mtime: CANONICAL_MTIME,
      type: 'File',
    });
    const block = Buffer.alloc(blockSize);
    if (header.encode(block)) {
      chunks.push(new Pax({ path, mtime: CANONICAL_MTIME }).encode());
    }
    chunks.push(block, file.content);
    const padding = (blockSize - (file.content.byteLength % blockSize)) % blockSize;
    if (padding > 0) chunks.push(new Uint8Array(padding));
  }
  chunks.push(endOfArchive);
  return Buffer.concat(chunks);
}
