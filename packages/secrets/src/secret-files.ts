import { mkdir, readFile } from 'node:fs/promises';
import { pathFor, SkillsyncError, type Env } from '@skillsync/core';

/**
 * Creates the secrets folder owner-only (0700). Its parents are created with the
 * usual mode: only this folder holds anything private.
 */
export async function ensureSecretDir(env: Env, dir: string): Promise<void> {
  const p = pathFor(env);
  try {
    await mkdir(p.dirname(dir), { recursive: true });
    await mkdir(dir, { mode: 0o700 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return;
    throw new SkillsyncError('FILE_WRITE_FAILED', `Could not create the secrets folder ${dir} (${(error as NodeJS.ErrnoException).code ?? 'error'}).`, {
      details: { path: dir },
      cause: error,
    });
  }
}

/** The parsed JSON of `file`, or undefined when it does not exist. Never quotes the file's text in an error. */
export async function readJsonFile(file: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new SkillsyncError('FILE_READ_FAILED', `Could not read ${file} (${(error as NodeJS.ErrnoException).code ?? 'error'}).`, {
      details: { path: file },
      cause: error,
    });
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    // JSON.parse's message quotes the text around the fault: say only where the file is.
    throw new SkillsyncError('SECRET_STORE_CORRUPT', `${file} is not valid JSON.`, { details: { path: file } });
  }
}
