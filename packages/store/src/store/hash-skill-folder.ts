import { stat } from 'node:fs/promises';
import { SkillsyncError } from '@skillsync/core';
import { buildCanonicalTar } from '../format/canonical-tar.js';
import { computeIntegrity, type Integrity } from '../integrity/integrity.js';
import { readEntryFiles, UnexpectedEntry } from './check-store-entry.js';

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
  try {
    if (!(await stat(dir)).isDirectory()) throw new UnexpectedEntry(`${dir} is not a folder.`);
    return computeIntegrity(buildCanonicalTar(await readEntryFiles(dir)));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    if (error instanceof UnexpectedEntry) {
      throw new SkillsyncError('PACKAGE_UNSAFE_ENTRY', `Cannot hash ${dir}: ${error.message}`, { details: { path: dir }, cause: error });
    }
    throw new SkillsyncError('FILE_READ_FAILED', `Could not read ${dir}: ${(error as Error).message}`, { details: { path: dir }, cause: error });
  }
}
