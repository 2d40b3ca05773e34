import { lstatSync, readdirSync, readFileSync, type Stats } from 'node:fs';
import path from 'node:path';
import { comparePaths, normalizeMode, type CanonicalFile } from '../format/canonical-file.js';
import { stampOf, type PathStamp } from './folder-stamps.js';

/** A link, device or other non-regular entry inside a folder being hashed. */
export class UnexpectedEntry extends Error {}

/** Every regular file under `dir`, in package order; a link or special file is `UnexpectedEntry`. */
export async function readEntryFiles(dir: string): Promise<CanonicalFile[]> {
  return Promise.resolve(readEntryTreeSync(dir).files);
}

/** What `readEntryTreeSync` read: the files (package order) and every folder and file's stamp. */
export interface EntryTree {
  readonly files: CanonicalFile[];
  /** `dir` itself (`''`, from `rootInfo` when given), then every folder and file below it. */
  readonly stamps: PathStamp[];
  /** The folders below `dir`, parents first, with their modes (for copying the tree). */
  readonly dirs: { readonly path: string; readonly mode: number }[];
  /** The exact modes of the files (`files` holds them normalised, as the tar does). */
  readonly modes: ReadonlyMap<string, number>;
}

/**
 * Reads a folder tree with synchronous calls: for the small files of a skill, a
 * thread-pool round trip per lstat and read costs far more than the call itself.
 * Each path is lstat'ed before it is read, so a stamp never claims bytes newer
 * than it (a write in between changes the stamp the next check compares).
 */
export function readEntryTreeSync(dir: string, rootInfo?: Stats): EntryTree {
  const files: CanonicalFile[] = [];
  const stamps: PathStamp[] = [stampOf('', rootInfo ?? lstatSync(dir))];
  const dirs: { path: string; mode: number }[] = [];
  const modes = new Map<string, number>();
  const visit = (absolute: string, relative: string): void => {
    for (const name of readdirSync(absolute)) {
      const child = path.join(absolute, name);
      const childRelative = relative === '' ? name : `${relative}/${name}`;
      const info = lstatSync(child);
      if (info.isDirectory()) {
        stamps.push(stampOf(childRelative, info));
        dirs.push({ path: childRelative, mode: info.mode & 0o7777 });
        visit(child, childRelative);
      } else if (info.isFile()) {
        stamps.push(stampOf(childRelative, info));
        modes.set(childRelative, info.mode & 0o7777);
        files.push({ path: childRelative, mode: normalizeMode(info.mode), content: readFileSync(child) });
      } else {
        throw new UnexpectedEntry(`${childRelative} is not a regular file.`);
      }
    }
  };
  visit(dir, '');
  return { files: files.sort((a, b) => comparePaths(a.path, b.path)), stamps, dirs, modes };
}
