import path from 'node:path';
import { isSkillsyncError } from '@skillsync/core';
import { buildCanonicalTar, type CanonicalFile } from '../format/canonical-tar.js';
import { parseSkillIdentity, SKILL_FILE } from '../format/skill-identity.js';
import { computeIntegrity, type Integrity } from '../integrity/integrity.js';
import { readEntryFiles, UnexpectedEntry } from './read-entry-tree.js';
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
