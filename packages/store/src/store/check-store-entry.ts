import { lstatSync, readdirSync, readFileSync, type Stats } from 'node:fs';
import path from 'node:path';
import { isSkillsyncError } from '@skillsync/core';
import { buildCanonicalTar, comparePaths, normalizeMode, type CanonicalFile } from '../format/canonical-tar.js';
import { parseSkillIdentity, SKILL_FILE } from '../format/skill-identity.js';
import { computeIntegrity, type Integrity } from '../integrity/integrity.js';
import { stampOf, type PathStamp } from './folder-stamps.js';
import { readMetadata, type StoreMetadata } from './store-layout.js';

export type StoreCorruptionReason =
  | 'metadata-missing'
  | 'metadata-invalid'
  | 'metadata-mismatch'
  | 'files-missing'
  | 'unexpected-entry'
  | 'extra-file'
  | 'missing-file'
  | 'integrity-mismatch';

export interface StoreCorruption {
  readonly integrity: Integrity;
  readonly name: string | undefined;
  readonly version: string | undefined;
  readonly reason: StoreCorruptionReason;
  readonly message: string;
}

/**
 * Re-derives an entry's identity from the files on disk: the canonical tar is
 * rebuilt (the same function pack uses) and hashed, so any changed byte, mode,
 * added or removed file shows up, as does metadata that no longer describes
 * the files. Returns undefined when the entry is intact.
 */
export async function checkStoreEntry(
  integrity: Integrity,
  dir: string,
  metadataFile: string,
): Promise<StoreCorruption | undefined> {
  let metadata: StoreMetadata | undefined;
  try {
    metadata = await readMetadata(metadataFile);
  } catch (error) {
    return found(integrity, undefined, 'metadata-invalid', isSkillsyncError(error) ? error.message : String(error));
  }
  if (metadata === undefined) return found(integrity, undefined, 'metadata-missing', `${metadataFile} is missing.`);
  if (metadata.integrity !== integrity) {
    return found(integrity, metadata, 'metadata-mismatch', `The metadata names ${metadata.integrity}.`);
  }
  let onDisk: CanonicalFile[];
  try {
    onDisk = await readEntryFiles(dir);
    if (process.platform === 'win32') onDisk = withRecordedModes(onDisk, metadata);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return found(integrity, metadata, 'files-missing', `${dir} is missing.`);
    if (error instanceof UnexpectedEntry) return found(integrity, metadata, 'unexpected-entry', error.message);
    throw error;
  }
  const recorded = new Map(metadata.files.map((file) => [file.path, file]));
  const present = new Set(onDisk.map((file) => file.path));
  const extra = onDisk.find((file) => !recorded.has(file.path));
  if (extra !== undefined) return found(integrity, metadata, 'extra-file', `${extra.path} is not part of the package.`);
  const missing = metadata.files.find((file) => !present.has(file.path));
  if (missing !== undefined) return found(integrity, metadata, 'missing-file', `${missing.path} is missing.`);
  const actual = computeIntegrity(buildCanonicalTar(onDisk));
  if (actual !== integrity) {
    return found(integrity, metadata, 'integrity-mismatch', `The files hash to ${actual}: they were changed.`);
  }
  for (const file of onDisk) {
    const entry = recorded.get(file.path);
    if (entry?.size !== file.content.byteLength || entry.mode !== file.mode) {
      return found(integrity, metadata, 'metadata-mismatch', `The metadata of ${file.path} does not match the file.`);
    }
  }
  const skill = onDisk.find((file) => file.path === SKILL_FILE);
  try {
    if (skill === undefined) throw new Error(`no ${SKILL_FILE}`);
    const identity = parseSkillIdentity(Buffer.from(skill.content).toString('utf8'), path.join(dir, SKILL_FILE));
    if (identity.name !== metadata.name || identity.version !== metadata.version) throw new Error('name or version differs');
  } catch (error) {
    return found(integrity, metadata, 'metadata-mismatch', `SKILL.md does not match the metadata: ${(error as Error).message}.`);
  }
  return undefined;
}

function found(
  integrity: Integrity,
  metadata: StoreMetadata | undefined,
  reason: StoreCorruptionReason,
  message: string,
): StoreCorruption {
  return { integrity, name: metadata?.name, version: metadata?.version, reason, message };
}

/** Windows has no execute bit: there the recorded mode stands in for the one on disk. */
function withRecordedModes(files: CanonicalFile[], metadata: StoreMetadata): CanonicalFile[] {
  const modes = new Map(metadata.files.map((file) => [file.path, file.mode]));
  return files.map((file) => ({ ...file, mode: modes.get(file.path) ?? file.mode }));
}

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
