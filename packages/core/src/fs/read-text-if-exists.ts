import { readFileSync } from 'node:fs';
import { lstat, readFile } from 'node:fs/promises';
import { SkillsyncError } from '../errors/index.js';

/**
 * A text file's content, or undefined when it does not exist: the shape of every
 * optional file skillsync reads (manifests, lockfiles, metadata). Any other failure
 * is FILE_READ_FAILED naming the path.
 */
export async function readTextIfExists(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new SkillsyncError('FILE_READ_FAILED', `Could not read ${file}.`, { details: { path: file }, cause: error });
  }
}

/** True when something (file, folder or link) is at `file`; never throws. */
export async function pathExists(file: string): Promise<boolean> {
  try {
    await lstat(file);
    return true;
  } catch {
    return false;
  }
}

/**
 * `readTextIfExists`, synchronously: for a few dozen small files (client configs) read
 * while the process has nothing else to do, a thread-pool round trip per open, stat,
 * read and close costs more than the reads themselves.
 */
export function readTextIfExistsSync(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new SkillsyncError('FILE_READ_FAILED', `Could not read ${file}.`, { details: { path: file }, cause: error });
  }
}
