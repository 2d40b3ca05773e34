import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { mkdir, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import lockfile from 'proper-lockfile';
import { SkillsyncError } from '../errors/index.js';

export interface FileLockOptions {
  /** How long to wait for another holder before giving up, in ms. */
  waitMs?: number;
  /** A lock whose holder stopped refreshing it this long ago is taken over, in ms. */
  staleMs?: number;
}

/** Who holds a lock: `holder.json` inside the lock folder, there from the moment the folder takes its name. */
export interface LockHolder {
  readonly pid: number;
  readonly hostname: string;
  /** Unique per acquisition: tells this holding from a later one by the same process. */
  readonly token: string;
}

/** The holder record's name inside `<target>.lock/`. */
export const LOCK_HOLDER_FILE = 'holder.json';

/**
 * Runs `task` while holding an inter-process lock on `target` (a folder or file;
 * the lock is the folder `<target>.lock`, holding `holder.json`: pid, hostname and
 * a token). A holder that crashed is detected two ways: at once when the holder
 * file names a process on this host that no longer exists (a SIGKILLed sync), and
 * otherwise by its lock going stale (`staleMs` without a refresh: another host, a
 * reused pid, a holder file that was never written).
 */
export async function withFileLock<T>(target: string, task: () => Promise<T>, options: FileLockOptions = {}): Promise<T> {
  const waitMs = options.waitMs ?? 30_000;
  const staleMs = Math.max(options.staleMs ?? 10_000, 2_000);
  const lockDir = `${path.resolve(target)}.lock`;
  await mkdir(path.dirname(target), { recursive: true });
  let release: () => Promise<void>;
  try {
    release = await lockfile.lock(target, {
      realpath: false,
      stale: staleMs,
      update: Math.floor(staleMs / 2),
      retries: { retries: Math.max(1, Math.ceil(waitMs / 100)), factor: 1, minTimeout: 100, maxTimeout: 100 },
      fs: holderAwareFs(lockDir),
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
    await removeLockDebris(lockDir);
    return await task();
  } finally {
    await release().catch(() => undefined);
  }
}

/**
 * A lock folder being staged (`<lock>.<hex>.tmp`) or one taken over and not yet
 * deleted (`<lock>.<hex>.dead`) is left behind only by a process killed in that
 * instant; the next holder deletes them. A contender whose staging folder goes this
 * way just tries again.
 */
async function removeLockDebris(lockDir: string): Promise<void> {
  const prefix = `${path.basename(lockDir)}.`;
  let names: string[];
  try {
    names = await readdir(path.dirname(lockDir));
  } catch {
    return;
  }
  for (const name of names) {
    if (name.startsWith(prefix) && /^[0-9a-f]{12}\.(tmp|dead)$/.test(name.slice(prefix.length))) {
      await rm(path.join(path.dirname(lockDir), name), { recursive: true, force: true }).catch(() => undefined);
    }
  }
}

/** The holder of `lockDir` as its holder file says, or undefined (no file yet, or unreadable). */
export function readLockHolder(lockDir: string): LockHolder | undefined {
  try {
    const value = JSON.parse(fs.readFileSync(path.join(lockDir, LOCK_HOLDER_FILE), 'utf8')) as Partial<LockHolder> | null;
    if (typeof value?.pid !== 'number' || typeof value.hostname !== 'string' || typeof value.token !== 'string') return undefined;
    return { pid: value.pid, hostname: value.hostname, token: value.token };
  } catch {
    return undefined;
  }
}

/** True only when the holder is certainly gone: same host, and no process with its pid (ESRCH). */
export function isDeadHolder(holder: LockHolder): boolean {
  if (holder.hostname !== os.hostname() || holder.pid === process.pid || !Number.isInteger(holder.pid) || holder.pid <= 0) return false;
  try {
    process.kill(holder.pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

type Callback = (error: NodeJS.ErrnoException | null) => void;
type StatCallback = (error: NodeJS.ErrnoException | null, stats?: fs.Stats) => void;

const held = (code: 'EEXIST' | 'ELOCKED'): NodeJS.ErrnoException => Object.assign(new Error('Lock file is already being held'), { code });

/**
 * The `fs` proper-lockfile works through, for one lock folder:
 * - `mkdir` of the lock makes a staging folder holding the holder file and renames
 *   it into place, so a lock folder never exists without its holder (a rename onto
 *   an existing, non-empty lock fails: someone holds it);
 * - `stat` of the lock reports a dead holder's lock as stale (mtime 0), so
 *   proper-lockfile removes it at once instead of waiting `staleMs`;
 * - `rmdir` of our lock removes our holder file, then the folder; taking over a dead
 *   holder's lock renames the folder away and checks it is still the dead holder's
 *   (its token) before deleting it, so two processes taking over at once cannot
 *   delete the lock the faster one just made; a live lock renamed by mistake is put back.
 */
function holderAwareFs(lockDir: string): typeof fs {
  const own: LockHolder = { pid: process.pid, hostname: os.hostname(), token: randomBytes(8).toString('hex') };
  /** Set while we hold the lock: `rmdir` then releases it, else it takes over the lock judged stale or dead. */
  let owned = false;
  /** The holder seen by the last `stat` that found the lock held by someone else. */
  let judged: LockHolder | undefined;
  const holderFile = (dir: string) => path.join(dir, LOCK_HOLDER_FILE);
  const aside = (suffix: string) => `${lockDir}.${randomBytes(6).toString('hex')}.${suffix}`;

  const mkdirLock = (dir: string, callback: Callback): void => {
    if (dir !== lockDir) {
      fs.mkdir(dir, callback);
      return;
    }
    const staging = aside('tmp');
    const fail = (error: NodeJS.ErrnoException): void => {
      fs.rm(staging, { recursive: true, force: true }, () => {
        // The lock is there (ours is not): held. Otherwise a real failure (no such folder, no permission).
        fs.lstat(lockDir, (missing) => {
          callback(missing === null ? held('EEXIST') : error);
        });
      });
    };
    // A rename replaces an empty folder: an existing lock (one without a holder file, made by an older skillsync) is never renamed over.
    fs.lstat(lockDir, (absent) => {
      if (absent === null) {
        callback(held('EEXIST'));
        return;
      }
      fs.mkdir(staging, (error) => {
        if (error !== null) {
          callback(error);
          return;
        }
        fs.writeFile(holderFile(staging), JSON.stringify(own), (writeError) => {
          if (writeError !== null) {
            fail(writeError);
            return;
          }
          fs.rename(staging, lockDir, (renameError) => {
            if (renameError !== null) {
              fail(renameError);
              return;
            }
            owned = true;
            callback(null);
          });
        });
      });
    });
  };

  const statLock = (file: string, callback: StatCallback): void => {
    fs.stat(file, (error, stats) => {
      if (error !== null || file !== lockDir || owned) {
        callback(error, stats);
        return;
      }
      const holder = readLockHolder(file);
      judged = holder;
      if (holder === undefined || !isDeadHolder(holder)) {
        callback(null, stats);
        return;
      }
      // proper-lockfile reads only `mtime` to judge staleness.
      callback(null, Object.create(stats, { mtime: { value: new Date(0) } }) as fs.Stats);
    });
  };

  const rmdirLock = (dir: string, callback: Callback): void => {
    if (dir !== lockDir) {
      fs.rmdir(dir, callback);
      return;
    }
    if (owned) {
      owned = false;
      // Releasing: only our own lock (one taken over from us while we slept is the new holder's).
      if (readLockHolder(dir)?.token !== own.token) {
        callback(null);
        return;
      }
      fs.rm(holderFile(dir), { force: true }, () => {
        fs.rmdir(dir, callback);
      });
      return;
    }
    // Taking over the lock the last stat judged stale or dead, if it is still that one.
    const expected = judged?.token;
    judged = undefined;
    const grave = aside('dead');
    fs.rename(dir, grave, (error) => {
      if (error !== null) {
        // Gone already (another process took it over first): try to make it again.
        callback(error.code === 'ENOENT' ? null : error);
        return;
      }
      if (readLockHolder(grave)?.token === expected) {
        fs.rm(grave, { recursive: true, force: true }, () => {
          callback(null);
        });
        return;
      }
      // Someone took the dead lock over between our look and our rename: give theirs back.
      fs.rename(grave, dir, () => {
        callback(held('ELOCKED'));
      });
    });
  };

  const rmdirLockSync = (dir: string): void => {
    // Only called at exit, for a lock we hold.
    if (dir === lockDir && readLockHolder(dir)?.token !== own.token) return;
    fs.rmSync(holderFile(dir), { force: true });
    fs.rmdirSync(dir);
  };

  return { ...fs, mkdir: mkdirLock, stat: statLock, rmdir: rmdirLock, rmdirSync: rmdirLockSync } as unknown as typeof fs;
}
