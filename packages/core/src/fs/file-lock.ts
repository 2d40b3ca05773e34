import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import lockfile from 'proper-lockfile';
import { SkillsyncError } from '../errors/index.js';

export interface FileLockOptions {
  /** How long to wait for another holder before giving up, in ms. */
  waitMs?: number;
  /** A lock whose holder stopped refreshing it this long ago is taken over, in ms. */
  staleMs?: number;
}

/**
 * Runs `task` while holding an inter-process lock on `target` (a folder or file;
 * the lock is `<target>.lock`). A holder that crashed is detected by its lock going
 * stale, so a killed process never blocks the next run for long.
 */
export async function withFileLock<T>(target: string, task: () => Promise<T>, options: FileLockOptions = {}): Promise<T> {
  const waitMs = options.waitMs ?? 30_000;
  const staleMs = Math.max(options.staleMs ?? 10_000, 2_000);
  await mkdir(path.dirname(target), { recursive: true });
  let release: () => Promise<void>;
  try {
    release = await lockfile.lock(target, {
      realpath: false,
      stale: staleMs,
      update: Math.floor(staleMs / 2),
      retries: { retries: Math.max(1, Math.ceil(waitMs / 100)), factor: 1, minTimeout: 100, maxTimeout: 100 },
      onCompromised: () => {
        // The lock went stale while we held it (e.g. the machine slept): carry on;
        // every write below is atomic, so a second holder cannot tear a file.
      },
    });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ELOCKED') {
      throw new SkillsyncError('LOCK_TIMEOUT', `Another skillsync process holds ${target}.lock and did not finish within ${waitMs} ms.`, {
        details: { path: `${target}.lock` },
        cause: error,
      });
    }
    throw new SkillsyncError('FILE_WRITE_FAILED', `Could not lock ${target}: ${(error as Error).message}`, { details: { path: target }, cause: error });
  }
  try {
    return await task();
  } finally {
    await release().catch(() => undefined);
  }
}
